#!/usr/bin/env bash
# A property-based run of the whole API from the committed OpenAPI document, with schemathesis, as several roles.
#
#   e2e/schemathesis/run.sh <path of the muamalat binary>
#
# For each role — an administrator (`admin`), a registry clerk of the central registry (`registry.clerk1`) and the
# demo agency's API client (client credentials) — it starts the binary on a free loopback port with a fresh SQLite
# database in a temporary directory, seeded with the demo organisation (`serve --demo`), takes a token for the role
# and runs schemathesis against openapi/openapi.json with every check, a fixed seed and enough examples to reach
# every operation. Staff roles test every operation but the agency ones (`/api/v1/agency/...`); the agency tests
# those. Each role gets its own server, so what one role changes (a revoked client, a disabled user, an ended
# session) cannot spoil another's run. It exits non-zero when any role's run finds a failure, and always stops the
# servers it started.
#
# Installs schemathesis into .tools/schemathesis-venv (git-ignored) when it is not there or differs from
# requirements.txt beside this script, which pins it and its dependencies. Reports (JUnit,
# NDJSON, HAR, the server logs) go to target/schemathesis/<role>/ unless ST_REPORT_DIR says otherwise.
# schemathesis.toml beside this script holds the few per-operation allowances, each with its reason; hooks.py gives
# each request's Idempotency-Key a value of its own and each upload's `sha256` the hash of the file sent.
#
# Deterministic: a fixed seed, no example database carried between runs, one worker (two workers also trip a
# CPython 3.11.7 bug, "AST constructor recursion depth mismatch", inside hypothesis), a fresh database per role.
# About 2-3 minutes in all on two cores with a debug build.
#
# Settings (environment): ST_SEED (default 20261201), ST_MAX_EXAMPLES (30), ST_WORKERS (1), ST_ROLES
# (`admin clerk agency`), ST_SCHEMA (openapi/openapi.json), ST_REPORT_DIR, ST_VENV, ST_HOOKS (hooks.py), ST_TIMEOUT
# (seconds per schemathesis run, default 150: a hard bound, a run normally ends well before it; schemathesis's own
# --max-time is not used, as it makes fuzzing repeat until the time is spent). Extra arguments after the binary go to
# `st run`.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ $# -lt 1 || ! -x "$1" ]]; then
    echo "usage: $0 <path of the muamalat binary> [extra st run arguments]" >&2
    exit 2
fi
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
extra_args=("$@")

seed=${ST_SEED:-20261201}
max_examples=${ST_MAX_EXAMPLES:-30}
workers=${ST_WORKERS:-1}
timeout_seconds=${ST_TIMEOUT:-150}
roles=${ST_ROLES:-admin clerk agency}
schema=$(realpath "${ST_SCHEMA:-$repo/openapi/openapi.json}")
report_root=$(realpath -m "${ST_REPORT_DIR:-$repo/target/schemathesis}")
venv=$(realpath -m "${ST_VENV:-$repo/.tools/schemathesis-venv}")
hooks=$(realpath "${ST_HOOKS:-$here/hooks.py}")
password=demo-password-123

# --- schemathesis, pinned (requirements.txt pins it and everything it pulls in) --------------------------------------
st="$venv/bin/st"
stamp="$venv/.muamalat-requirements"
if ! [[ -x "$st" ]] || ! cmp -s "$here/requirements.txt" "$stamp"; then
    echo "== installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$stamp"
fi
if [[ "$("$st" --version)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    echo "requirements.txt and SCHEMATHESIS_VERSION ($SCHEMATHESIS_VERSION) disagree" >&2
    exit 2
fi
"$st" --version

# --- one server per role --------------------------------------------------------------------------------------------
server_pid=
work_dirs=()
stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    stop_server
    for d in "${work_dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server LOG: a fresh demo organisation on a free port; sets base_url.
start_server() {
    local log=$1 data port
    data=$(mktemp -d "${TMPDIR:-/tmp}/muamalat-st.XXXXXX")
    work_dirs+=("$data")
    port=$(free_port)
    base_url="http://127.0.0.1:$port"
    # Rate limits and the sign-in lockout raised: the run sends thousands of requests from one address, and fuzzes
    # sign-in with the demo usernames. Tokens outlive the run.
    MUAMALAT_DEMO_PASSWORD=$password \
    MUAMALAT_DATA_DIR="$data" \
    MUAMALAT_BIND="127.0.0.1:$port" \
    MUAMALAT_SPA_DIR=/nonexistent \
    MUAMALAT_LOG_FORMAT=json \
    MUAMALAT_ACCESS_TOKEN_TTL_SECONDS=3600 \
    MUAMALAT_SIGN_IN_RATE_PER_MINUTE=1000000 \
    MUAMALAT_REFRESH_RATE_PER_MINUTE=1000000 \
    MUAMALAT_CLIENT_TOKEN_RATE_PER_MINUTE=1000000 \
    MUAMALAT_SUBMISSION_RATE_PER_MINUTE=1000000 \
    MUAMALAT_AGENCY_REQUEST_RATE_PER_MINUTE=1000000 \
    MUAMALAT_LOGIN_LOCKOUT_AFTER=1000000 \
    RUST_LOG=${RUST_LOG:-warn} \
        "$binary" serve --demo >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do
        if curl -sf "$base_url/readyz" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the server exited during start-up:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "the server did not get ready in 60 s:" >&2
    cat "$log" >&2
    return 1
}

# json_field NAME: that field of the JSON object on standard input; fails when it is missing or empty.
json_field() {
    python3 -c 'import json, sys; value = json.load(sys.stdin)[sys.argv[1]]; assert value; print(value)' "$1"
}

# token ROLE LOG: an access token for the role, on the server just started.
token() {
    local role=$1 log=$2 username client_id client_secret
    case $role in
        admin | clerk)
            [[ $role == admin ]] && username=admin || username=registry.clerk1
            curl -sf "$base_url/api/v1/auth/login" -H 'content-type: application/json' \
                -d "{\"username\": \"$username\", \"password\": \"$password\"}" | json_field access_token
            ;;
        agency)
            # Seeding prints the demo API client's credentials once.
            client_id=$(grep -o 'client_id [^ ]*' "$log" | head -1 | cut -d' ' -f2)
            client_secret=$(grep -o 'client_secret [^ ]*' "$log" | head -1 | cut -d' ' -f2)
            if [[ -z "$client_id" || -z "$client_secret" ]]; then
                echo "no demo API client credentials in the seeding output" >&2
                return 1
            fi
            curl -sf "$base_url/api/v1/oauth/token" -d grant_type=client_credentials \
                --data-urlencode "client_id=$client_id" --data-urlencode "client_secret=$client_secret" |
                json_field access_token
            ;;
    esac
}

failed=()
# st_run ROLE REPORTS TOKEN ARGS...: one schemathesis run; records the role as failed when it finds anything.
st_run() {
    local role=$1 reports=$2 access_token=$3
    shift 3
    mkdir -p "$reports"
    local command=(
        timeout --kill-after=10 "$timeout_seconds"
        "$st" --config-file "$here/schemathesis.toml" run "$schema"
        --url "$base_url"
        --header "Authorization: Bearer $access_token"
        --checks all
        --seed "$seed"
        --max-examples "$max_examples"
        --workers "$workers"
        --generation-database none
        --report junit,ndjson,har
        --report-dir "$reports"
        --no-color
        "$@"
        "${extra_args[@]}"
    )
    echo "== $role: st run $schema --url $base_url --header 'Authorization: Bearer …' --checks all --seed $seed" \
        "--max-examples $max_examples --workers $workers $* ${extra_args[*]}"
    # Run from a scratch directory: hypothesis and schemathesis keep state (.hypothesis/, .schemathesis/) in the
    # working directory, and none of it may carry over to the next run or land in the repository.
    local scratch
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/muamalat-st.XXXXXX")
    work_dirs+=("$scratch")
    if (cd "$scratch" && PYTHONDONTWRITEBYTECODE=1 SCHEMATHESIS_HOOKS="$hooks" "${command[@]}") 2>&1 |
        tee -a "$reports/schemathesis.txt"; then
        echo "== $role: no failures"
    else
        echo "== $role: FAILURES (report: $reports)"
        [[ " ${failed[*]} " == *" $role "* ]] || failed+=("$role")
    fi
}

for role in $roles; do
    case $role in
        admin | clerk) selection=(--exclude-path-regex '^/api/v1/agency/') ;;
        agency) selection=(--include-path-regex '^/api/v1/agency/') ;;
        *) echo "unknown role $role (admin, clerk, agency)" >&2; exit 2 ;;
    esac
    reports="$report_root/$role"
    rm -rf "$reports"
    mkdir -p "$reports"
    echo "== $role: starting $binary"
    start_server "$reports/server.log"
    case $role in
        admin | clerk)
            # Ending a session (DELETE /auth/sessions/{id}) is left out of the main run: schemathesis reuses the ids
            # GET /auth/sessions answered (its coverage and stateful phases), so it ends the very session whose
            # token the run uses, and every later request answers 401. It runs last, on a session of its own.
            access_token=$(token "$role" "$reports/server.log")
            st_run "$role" "$reports" "$access_token" "${selection[@]}" --exclude-operation-id end_session
            access_token=$(token "$role" "$reports/server.log")
            st_run "$role" "$reports/end_session" "$access_token" --include-operation-id end_session
            ;;
        agency)
            access_token=$(token "$role" "$reports/server.log")
            st_run "$role" "$reports" "$access_token" "${selection[@]}"
            ;;
    esac
    stop_server
done

if ((${#failed[@]})); then
    echo "schemathesis found failures as: ${failed[*]}"
    exit 1
fi
echo "schemathesis: no failures as any of: $roles"
