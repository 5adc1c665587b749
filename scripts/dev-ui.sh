#!/usr/bin/env bash
# Development: the web UI rebuilt on every change and served on http://127.0.0.1:8081, with /api passed to an api
# already running on 127.0.0.1:8080 (scripts/run.sh in another terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_ui_tools
cd web-ui
exec trunk serve
