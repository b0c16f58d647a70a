#!/usr/bin/env bash
# Builds the web app into dist/: the wasm module (debug, or optimised with --release), its
# wasm-bindgen JS glue, the page shell and the GOV.UK Frontend styles, fonts and images.
# Needs scripts/setup.sh first (wasm target, wasm-bindgen-cli, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=dev out_profile=debug
if [ "${1:-}" = "--release" ]; then profile=release-wasm out_profile=release-wasm; fi

# A target folder of its own: a frontend build never waits on the lock of a backend build.
export CARGO_TARGET_DIR=target/frontend
cargo build --quiet -p frontend --target wasm32-unknown-unknown --profile "$profile"

stage=$(mktemp -d dist.XXXXXX)
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
cp frontend/static/app.css "$govuk/govuk-frontend.min.css" "$stage/assets/"
cp -r "$govuk/assets/fonts" "$govuk/assets/images" "$stage/assets/"
rm -rf dist
mv "$stage" dist
trap - EXIT
echo "built dist/ ($profile): $(du -k dist/pkg/frontend_bg.wasm | cut -f1) KiB wasm" >&2
