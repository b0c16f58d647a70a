#!/usr/bin/env bash
# Builds the web app into dist/ (or $DIST_DIR): the wasm module (debug, or optimised with
# --release), its wasm-bindgen JS glue, the page shell and the GOV.UK Frontend styles and
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
if [ "$profile" = release-wasm ]; then
  # Split build: lazy pages (frontend/src/app.rs) become wasm-split points, and the linker keeps
  # the relocations wasm-split needs to move code between modules.
  RUSTFLAGS="--cfg split -Clink-args=--emit-relocs" \
    cargo build --quiet -p frontend --target wasm32-unknown-unknown --profile "$profile"
else
  cargo build --quiet -p frontend --target wasm32-unknown-unknown --profile "$profile"
fi
wasm="target/frontend/wasm32-unknown-unknown/$out_profile/frontend.wasm"

stage=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/pkg" "$stage/assets"
if [ "$profile" = release-wasm ]; then
  # wasm-split (scripts/setup.sh pins it): the main module, one module per lazy page (and
  # chunks they share), and __wasm_split.js that fetches them on first use. Then wasm-bindgen
  # on the main module, keeping the exports the split modules import.
  wasm-split-cli "$wasm" "$stage/split" --target web --out-name frontend
  wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$stage/pkg" "$stage/split/frontend.wasm"
  rm "$stage/split/frontend.wasm"
  mv "$stage"/split/* "$stage/pkg/"
  rmdir "$stage/split"
  # npm's binaryen (wasm-opt 132); Debian's older wasm-opt makes modules Chromium rejects.
  # Modules under 8 KB (most of wasm-split's shared chunks) are left as they are: each run
  # of npm's wasm-opt costs seconds, and would save a few bytes. One run per core at a time.
  find "$stage/pkg" -name '*.wasm' -size +8191c -print0 |
    xargs -0 -P "$(nproc)" -I '{}' node_modules/.bin/wasm-opt -Oz --enable-bulk-memory \
      --enable-nontrapping-float-to-int '{}' -o '{}'
else
  wasm-bindgen --target web --no-typescript --out-dir "$stage/pkg" "$wasm"
fi
# GOV.UK Frontend's styles, compiled from frontend/styles/govuk.scss: the components the app
# uses and the system font stack, so no web font is fetched (that file says why).
node_modules/.bin/sass --style=compressed --no-source-map --load-path=node_modules \
  frontend/styles/govuk.scss "$stage/assets/govuk-frontend.min.css"
cp frontend/static/index.html frontend/static/boot.js "$stage/"
cp frontend/static/app.css frontend/static/noscript.css "$stage/assets/"
cp -r node_modules/govuk-frontend/dist/govuk/assets/images "$stage/assets/"
target/tools/release/dist-pack "$stage" --brotli-quality "$brotli_quality"
rm -rf "$out"
mv "$stage" "$out"
trap - EXIT
main=$(ls "$out"/pkg/frontend_bg.*.wasm)
echo "built $out/ ($profile): main module $(stat -c %s "$main") bytes, $(stat -c %s "$main.br") Brotli;" \
  "$(ls "$out"/pkg/*.wasm | wc -l) wasm modules in all, $(cat "$out"/pkg/*.wasm | wc -c) bytes" >&2
