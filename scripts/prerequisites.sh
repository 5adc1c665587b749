# Sourced by the other scripts: installs what building Muamalat needs on a fresh Debian/Ubuntu machine, and does
# nothing where it is already there. The server links SQLite and libpq statically (built from source by cargo),
# which needs a C compiler, pkg-config and OpenSSL's headers.
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"
    else sudo apt-get update -qq && sudo apt-get install -y -qq "${need[@]}"; fi
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is missing: install Rust from https://rustup.rs" >&2
    exit 1
fi
