#!/usr/bin/env bash
# Build the web UI, then run Muamalat on http://127.0.0.1:8080 with the embedded SQLite database under ./data, seeding the demo organisation on first start.
# The sign-in accounts and their password are printed on first start (set MUAMALAT_DEMO_PASSWORD to choose it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
scripts/build-ui.sh
exec cargo run --release -p muamalat-api --bin muamalat -- serve --demo
