#!/usr/bin/env bash
# Build the web UI (Leptos, wasm32, size-optimised profile `wasm-release`) into web-ui/dist, which the api serves.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_ui_tools
cd web-ui
trunk build --release
echo "== web UI built: $(ls dist/*.wasm) ($(stat -c %s dist/*.wasm) bytes, $(gzip -9c dist/*.wasm | wc -c) gzipped)"
