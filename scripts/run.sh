#!/usr/bin/env bash
# Run Muamalat with the embedded SQLite database under ./data, seeding the demo organisation on first start.
# The sign-in accounts and their password are printed on first start (set MUAMALAT_DEMO_PASSWORD to choose it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
exec cargo run --release -p muamalat-api --bin muamalat -- serve --demo
