#!/usr/bin/env bash
# Generated clients against the real server: a Python client (openapi-python-client) and a TypeScript client
# (openapi-typescript types + openapi-fetch, type-checked by `tsc --strict`) are generated from the committed
# openapi/openapi.json, unmodified, and each runs the correspondence flow against a fresh demo server, failing on
# any answer that does not match the document.
#
#   e2e/clients/run.sh <path of the muamalat binary>
#
# Installs what it needs when missing: a virtualenv under .tools/clients-venv (python/requirements.txt) and
# `npm ci` in e2e/clients/typescript. Generated code goes to python/generated and typescript/generated (git-ignored).
# The server runs on a free loopback port with an empty temporary data directory (SQLite), or on the empty
# PostgreSQL database in DATABASE_URL_FOR_CLIENTS when that is set; it is always stopped at the end.
set -euo pipefail

BIN_ARG="${1:?usage: e2e/clients/run.sh <path of the muamalat binary>}"
[ -x "$BIN_ARG" ] || { echo "run.sh: $BIN_ARG is not an executable" >&2; exit 2; }
BIN="$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DOC="$ROOT/openapi/openapi.json"
VENV="$ROOT/.tools/clients-venv"
TS="$HERE/typescript"
PY="$HERE/python"
started=$SECONDS
say() { printf '[clients %3ds] %s\n' "$((SECONDS - started))" "$*"; }

# -- tools --------------------------------------------------------------------------------------------------------
missing=()
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "run.sh: needs ${missing[*]}" >&2; exit 2
  fi
fi
if ! cmp -s "$PY/requirements.txt" "$VENV/.requirements.txt" 2>/dev/null \
  || ! "$VENV/bin/python" -c 'import jsonschema, openapi_python_client' 2>/dev/null; then
  say "installing the Python tools into ${VENV#"$ROOT"/}"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$PY/requirements.txt"
  cp "$PY/requirements.txt" "$VENV/.requirements.txt"
fi
if ! cmp -s "$TS/package-lock.json" "$TS/node_modules/.installed-lock.json" 2>/dev/null \
  || [ ! -x "$TS/node_modules/.bin/tsc" ]; then
  say "npm ci in e2e/clients/typescript"
  (cd "$TS" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$TS/package-lock.json" "$TS/node_modules/.installed-lock.json"
fi

# -- generate both clients from the committed document, unmodified -------------------------------------------------
say "generating the Python client (openapi-python-client $("$VENV/bin/pip" show openapi-python-client | sed -n 's/^Version: //p'))"
rm -rf "$PY/generated"
mkdir -p "$PY/generated"
# --fail-on-warning: an operation or model the generator skips fails the run.
PATH="$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate --path "$DOC" --config "$PY/generator.yaml" \
  --meta none --output-path "$PY/generated/muamalat_client" --fail-on-warning
say "generating the TypeScript types (openapi-typescript)"
rm -rf "$TS/generated"
(cd "$TS" && node generate.mjs "$DOC" generated/schema.d.ts)

# -- the server -----------------------------------------------------------------------------------------------------
DATA="$(mktemp -d "${TMPDIR:-/tmp}/muamalat-clients.XXXXXX")"
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$DATA/server.log" ]; then
    echo "---- the server's output (last 40 lines) ----" >&2
    tail -n 40 "$DATA/server.log" >&2
  fi
  rm -rf "$DATA"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
PASSWORD="clients-demo-$(python3 -c 'import secrets; print(secrets.token_hex(6))')"
server_env=(
  PATH="$PATH"
  HOME="$DATA"
  RUST_LOG="${RUST_LOG:-warn}"
  MUAMALAT_DEMO_PASSWORD="$PASSWORD"
  MUAMALAT_DATA_DIR="$DATA"
  MUAMALAT_BIND="127.0.0.1:$PORT"
  MUAMALAT_SPA_DIR=/nonexistent
)
if [ -n "${DATABASE_URL_FOR_CLIENTS:-}" ]; then
  server_env+=(DATABASE_URL="$DATABASE_URL_FOR_CLIENTS")
  say "starting the server on $BASE (PostgreSQL from DATABASE_URL_FOR_CLIENTS)"
else
  say "starting the server on $BASE (SQLite in a temporary directory)"
fi
# A clean environment and the data directory as working directory: no muamalat.toml or MUAMALAT_* of the caller's.
(cd "$DATA" && exec env -i "${server_env[@]}" "$BIN" serve --demo) >"$DATA/server.log" 2>&1 &
SERVER_PID=$!

# While the server seeds the demo organisation: type-check the TypeScript flow against the generated types.
say "tsc --strict --noEmit"
(cd "$TS" && node_modules/.bin/tsc --strict --noEmit -p .)

ready() { python3 - "$BASE/readyz" <<'EOF'
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}
deadline=$((SECONDS + 120))
until ready; do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run.sh: the server exited early" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "run.sh: the server was not ready within 120 s" >&2; exit 1; }
  sleep 0.3
done
# Seeding prints the demo agency's credentials once: "... client_id <id>  client_secret <secret>  ...".
CREDENTIALS="$(grep -m1 -o 'client_id [^ ]*  *client_secret [^ ]*' "$DATA/server.log" || true)"
[ -n "$CREDENTIALS" ] || { echo "run.sh: the server printed no demo agency credentials" >&2; exit 1; }
read -r _ CLIENT_ID _ CLIENT_SECRET <<<"$CREDENTIALS"
say "server ready; demo agency client $CLIENT_ID"

# -- both flows, each failing on any answer the document does not declare --------------------------------------
flow_env=(
  MUAMALAT_BASE_URL="$BASE"
  MUAMALAT_PASSWORD="$PASSWORD"
  MUAMALAT_AGENCY_CLIENT_ID="$CLIENT_ID"
  MUAMALAT_AGENCY_CLIENT_SECRET="$CLIENT_SECRET"
  MUAMALAT_OPENAPI="$DOC"
)
# Each flow takes a few seconds; a hung request must not hang CI.
limit=(timeout --kill-after=5 120)
failed=()
say "Python flow"
(cd "$PY" && "${limit[@]}" env "${flow_env[@]}" "$VENV/bin/python" flow.py) || failed+=(python)
say "TypeScript flow"
(cd "$TS" && "${limit[@]}" env "${flow_env[@]}" node_modules/.bin/tsx src/flow.ts) || failed+=(typescript)

passed=$((2 - ${#failed[@]}))
say "generated clients: $passed passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
echo "${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
