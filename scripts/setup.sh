#!/usr/bin/env bash
# Installs everything SEND Planner needs on a fresh machine, skipping what is already there.
# Idempotent: safe to run before every build. Pinned versions live here and nowhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate version in Cargo.lock
WASM_SPLIT_VERSION=0.2.4       # wasm_split_cli_support (wasm-split-cli): splits the release wasm at lazy pages
TWIGGY_VERSION=0.8.0           # wasm size profiler, only with WITH_PROFILING=1
WITH_BROWSER=${WITH_BROWSER:-0}  # 1: also install the test tools: Debian's chromium, chromium-driver, poppler-utils
WITH_PROFILING=${WITH_PROFILING:-0}  # 1: also install twiggy (what weighs most in the wasm)

log() { printf '==> %s\n' "$*" >&2; }

# 1. Rust toolchain and the wasm target (rust-toolchain.toml pins the channel).
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, exactly the version of the wasm-bindgen crate (not --locked: its lock
#    file names a crate version the registry lacks).
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 2b. wasm-split-cli, the tool that splits the release module at the app's lazy pages (the
#     splitter cargo-leptos uses, as a command). --locked: its lock file resolves.
installed() { cargo install --list | grep -q "^$1 v$2:"; }
if ! installed wasm_split_cli_support "$WASM_SPLIT_VERSION"; then
  log "installing wasm-split-cli (wasm_split_cli_support $WASM_SPLIT_VERSION)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi
if [ "$WITH_PROFILING" = 1 ] && ! installed twiggy "$TWIGGY_VERSION"; then
  log "installing twiggy $TWIGGY_VERSION"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked
fi

# 3. npm assets: GOV.UK Frontend (styles, images), sass (compiles its styles), axe-core
#    (accessibility checks), binaryen (wasm-opt).
if ! npm ci --version >/dev/null 2>&1; then echo "npm is required" >&2; exit 1; fi
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.setup-lock; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.setup-lock
fi

# 4. Test tools (Debian packages): headless Chromium and its driver for browser tests, and
#    pdftotext (poppler-utils) to read rendered letters back.
if [ "$WITH_BROWSER" = 1 ] && ! { command -v chromium && command -v chromedriver && command -v pdftotext; } >/dev/null 2>&1; then
  log "installing chromium, chromium-driver and poppler-utils"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: with recommends, a systemd upgrade breaks dpkg on these machines.
  apt-get install -y -qq --no-install-recommends chromium chromium-driver poppler-utils >/dev/null
fi
