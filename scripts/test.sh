#!/usr/bin/env bash
# Every test: unit tests, the API suite and the end-to-end test on SQLite, then the same API suite and end-to-end
# test on PostgreSQL when TEST_DATABASE_URL names a server (each test makes and drops its own database).
#
#   scripts/test.sh
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh

# The tests' PostgreSQL is on loopback: no TLS. With TLS (Debian's server offers it, and libpq prefers it), libpq's
# OpenSSL is torn down at process exit while pooled connections of the tests' servers may still be closing on their
# threads; that crashed the API test binary once (SIGSEGV) after all its tests had passed.
export PGSSLMODE="${PGSSLMODE:-disable}"

# The end-to-end tests start the real binary and drive the built web UI in headless Chromium: build both first.
ensure_browser
ensure_walkthrough_tools
scripts/build-ui.sh
cargo build -p muamalat-api --bin muamalat

echo "== OpenAPI document: Spectral's OpenAPI rules (openapi/.spectral.yaml), no error and no warning"
ensure_spectral
(cd openapi && "$SPECTRAL" lint --ruleset .spectral.yaml --fail-severity=warn openapi.json)

binary="${CARGO_TARGET_DIR:-target}/debug/muamalat"

echo "== generated clients (Python, TypeScript) run the correspondence flow, every answer checked against the document"
e2e/clients/run.sh "$binary"

echo "== property-based: schemathesis over every operation of the document, as an admin, a registry clerk and an agency"
e2e/schemathesis/run.sh "$binary"

echo "== web UI: unit tests (messages of both languages, key coverage)"
cargo test -p muamalat-web-ui

echo "== SQLite: unit, API and end-to-end tests"
env -u TEST_DATABASE_URL cargo test --workspace --exclude muamalat-web-ui

# The document store on S3: the same document tests against moto's S3-compatible server on loopback.
ensure_s3_server
s3_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m moto.server -H 127.0.0.1 -p "$s3_port" >/dev/null 2>&1 &
s3_pid=$!
trap 'kill "$s3_pid" 2>/dev/null || true' EXIT
python3 - "$s3_port" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.2)
PY
s3_env=(TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test)
echo "== SQLite + S3 store (moto on :$s3_port): document tests"
env -u TEST_DATABASE_URL "${s3_env[@]}" cargo test --workspace --exclude muamalat-web-ui --test api documents

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "== PostgreSQL (${TEST_DATABASE_URL}): API and end-to-end tests"
    # The same packages as above, so nothing is rebuilt; only the suites that use the database.
    cargo test --workspace --exclude muamalat-web-ui --test api --test acceptance --test browser
    echo "== PostgreSQL: the generated clients' flow"
    clients_db="muamalat_clients_$$"
    psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE $clients_db" >/dev/null
    DATABASE_URL_FOR_CLIENTS="${TEST_DATABASE_URL%/*}/$clients_db" e2e/clients/run.sh "$binary" \
        || { psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $clients_db WITH (FORCE)"; exit 1; }
    psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $clients_db WITH (FORCE)" >/dev/null
    echo "== PostgreSQL + S3 store: document tests"
    env "${s3_env[@]}" cargo test --workspace --exclude muamalat-web-ui --test api documents
else
    echo "== PostgreSQL suite SKIPPED: TEST_DATABASE_URL is not set."
    echo "   To run it: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh"
fi
