#!/usr/bin/env bash
# Every test: unit tests, the API suite and the end-to-end test on SQLite, then the same API suite and end-to-end
# test on PostgreSQL when TEST_DATABASE_URL names a server (each test makes and drops its own database).
#
#   scripts/test.sh
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh

# The end-to-end tests start the real binary and drive the built web UI in headless Chromium: build both first.
ensure_browser
scripts/build-ui.sh
cargo build -p muamalat-api --bin muamalat

echo "== web UI: unit tests (messages of both languages, key coverage)"
cargo test -p muamalat-web-ui

echo "== SQLite: unit, API and end-to-end tests"
env -u TEST_DATABASE_URL cargo test --workspace --exclude muamalat-web-ui

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "== PostgreSQL (${TEST_DATABASE_URL}): API and end-to-end tests"
    # The same packages as above, so nothing is rebuilt; only the suites that use the database.
    cargo test --workspace --exclude muamalat-web-ui --test api --test acceptance --test browser
else
    echo "== PostgreSQL suite SKIPPED: TEST_DATABASE_URL is not set."
    echo "   To run it: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh"
fi
