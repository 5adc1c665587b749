# Sourced by the other scripts: installs what building Muamalat needs on a fresh Debian/Ubuntu machine, and does
# nothing where it is already there. The server links SQLite and libpq statically (built from source by cargo),
# which needs a C compiler, pkg-config and OpenSSL's headers.
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
apt_install() {
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@"
}
if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    apt_install "${need[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is missing: install Rust from https://rustup.rs" >&2
    exit 1
fi

# The web UI: the wasm32 target, wasm-bindgen at exactly the version in Cargo.lock, and trunk. Installed once into
# ~/.cargo/bin and skipped when the right versions are there (trunk ~10 min and wasm-bindgen ~4 min on two cores).
ensure_ui_tools() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$' \
        && ! rustup target add wasm32-unknown-unknown; then
        # No rustup download: Debian's toolchain with the standard library built from source for wasm32.
        echo "== rustup cannot add wasm32: falling back to Debian's rustc-web"
        apt_install rustc-web cargo-web rust-web-src lld-22
        mkdir -p "$root/.tools/debian-rust"
        for tool in cargo rustc rustdoc; do ln -sf "/usr/bin/$tool" "$root/.tools/debian-rust/$tool"; done
        export PATH="$root/.tools/debian-rust:$PATH"
        export RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort
        export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld
    fi
    local wb_version
    wb_version="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$root/Cargo.lock")"
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
        echo "== installing wasm-bindgen-cli $wb_version (matches Cargo.lock)"
        cargo install wasm-bindgen-cli --version "$wb_version" --force
    fi
    if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
        echo "== installing trunk 0.21 (the last line that builds with Rust 1.95)"
        cargo install trunk --version 0.21.14 --locked
    fi
    # wasm-opt shrinks the wasm. Debian's binaryen (108) breaks wasm-bindgen output; npm's binaryen 132 does not.
    if [ "$("$root/.tools/npm/node_modules/.bin/wasm-opt" --version 2>/dev/null)" != "wasm-opt version 132 (version_132)" ]; then
        command -v npm >/dev/null 2>&1 || apt_install nodejs npm
        echo "== installing wasm-opt 132 (npm binaryen@132) into .tools/npm"
        npm install --prefix "$root/.tools/npm" --no-audit --no-fund --no-save binaryen@132 >/dev/null
    fi
    export PATH="$root/.tools/npm/node_modules/.bin:$PATH"
}

# The browser tests: Debian's Chromium and its ChromeDriver.
ensure_browser() {
    if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
        echo "== installing chromium and chromium-driver (browser tests)"
        apt_install chromium chromium-driver
    fi
}

# The README's curl walk-through (docs/walkthrough.sh), which an end-to-end test runs: curl and jq.
ensure_walkthrough_tools() {
    if ! command -v curl >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
        echo "== installing curl and jq (the README walk-through, run by the end-to-end tests)"
        apt_install curl jq
    fi
}

# The S3 tests: moto's S3-compatible server (PyPI), run on loopback by scripts/test.sh.
ensure_s3_server() {
    if ! python3 -c "import moto.server, flask_cors" >/dev/null 2>&1; then
        echo "== installing moto[server] (an S3-compatible server for the document-store tests)"
        python3 -m pip install -q "moto[server]" 2>&1 | grep -v "Running pip as the 'root' user" || true
    fi
}

# The OpenAPI lint: Stoplight's Spectral (npm), pinned, into .tools/spectral.
SPECTRAL_VERSION=6.16.3
ensure_spectral() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    SPECTRAL="$root/.tools/spectral/node_modules/.bin/spectral"
    if [ "$("$SPECTRAL" --version 2>/dev/null)" != "$SPECTRAL_VERSION" ]; then
        command -v npm >/dev/null 2>&1 || apt_install nodejs npm
        echo "== installing @stoplight/spectral-cli $SPECTRAL_VERSION into .tools/spectral"
        npm install --prefix "$root/.tools/spectral" --no-audit --no-fund --no-save \
            "@stoplight/spectral-cli@$SPECTRAL_VERSION" >/dev/null
    fi
}
