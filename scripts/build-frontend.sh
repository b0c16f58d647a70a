#!/usr/bin/env bash
# Builds the web app into dist/ (or $DIST_DIR): the wasm module (debug, or optimised with
# --release), its wasm-bindgen JS glue, the page shell and the GOV.UK Frontend styles, fonts and
# images; then tools/dist-pack puts a content hash in every name but index.html and writes
# Brotli and gzip copies for the server to pick by Accept-Encoding.
# Needs scripts/setup.sh first (wasm target, wasm-bindgen-cli, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=dev out_profile=debug
# Brotli's best quality (11) for releases; 5 for the 23 MB debug module (q 11 takes a minute).
brotli_quality=5
if [ "${1:-}" = "--release" ]; then profile=release-wasm out_profile=release-wasm brotli_quality=11; fi
out=${DIST_DIR:-dist}

# The packing tool: native, its own target folder, release (Brotli q 11 is slow unoptimised).
CARGO_TARGET_DIR=target/tools cargo build --quiet --locked --release -p dist-pack

# A target folder of its own: a frontend build never waits on the lock of a backend build.
export CARGO_TARGET_DIR=target/frontend
cargo build --quiet -p frontend --target wasm32-unknown-unknown --profile "$profile"

stage=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/pkg" "$stage/assets"
wasm-bindgen --target web --no-typescript --out-dir "$stage/pkg" \
  "target/frontend/wasm32-unknown-unknown/$out_profile/frontend.wasm"
if [ "$profile" = release-wasm ]; then
  # npm's binaryen (wasm-opt 132); Debian's older wasm-opt makes modules Chromium rejects.
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$stage/pkg/frontend_bg.wasm" -o "$stage/pkg/frontend_bg.wasm"
fi
govuk=node_modules/govuk-frontend/dist/govuk
cp frontend/static/index.html frontend/static/boot.js "$stage/"
cp frontend/static/app.css frontend/static/noscript.css "$govuk/govuk-frontend.min.css" "$stage/assets/"
cp -r "$govuk/assets/fonts" "$govuk/assets/images" "$stage/assets/"
target/tools/release/dist-pack "$stage" --brotli-quality "$brotli_quality"
rm -rf "$out"
mv "$stage" "$out"
trap - EXIT
wasm=$(ls "$out"/pkg/frontend_bg.*.wasm)
echo "built $out/ ($profile): $(stat -c %s "$wasm") bytes wasm, $(stat -c %s "$wasm.br") Brotli, $(stat -c %s "$wasm.gz") gzip" >&2
