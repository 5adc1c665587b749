#!/usr/bin/env bash
# Build the web UI (Leptos, wasm32, size-optimised profile `wasm-release`) into web-ui/dist, which the api serves.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_ui_tools
cd web-ui
# Two bundles (see web-ui/src/lib.rs): the desk at / (this build empties dist/ first), then the office at /office/.
trunk build --release
trunk build office.html --release --dist dist/office --public-url /office/
for wasm in dist/*.wasm dist/office/*.wasm; do
    echo "== web UI built: $wasm ($(stat -c %s "$wasm") bytes, $(gzip -9c "$wasm" | wc -c) gzipped)"
done
