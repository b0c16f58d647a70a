#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh, with Chromium for browser tests), then runs every
# check and test: formatting, clippy (native and wasm32), unit and store tests on SQLite and
# PostgreSQL, the end-to-end suite over native gRPC, gRPC-web and headless Chromium (on the
# release web app, split at its lazy pages) on SQLite, then the end-to-end suite again on
# PostgreSQL; last, the release sign-in page's page weight.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 scripts/setup.sh

# PostgreSQL runs on every machine; start it if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "==> starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi

step() { printf '\n==> %s\n' "$*" >&2; }

step "format"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --locked --all-targets -- -D warnings
step "clippy (wasm32 frontend)"
CARGO_TARGET_DIR=target/frontend cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings
step "guard: no database or server transport code in the wasm build"
for crate in sqlx hyper axum; do
  if CARGO_TARGET_DIR=target/frontend cargo tree -p frontend --target wasm32-unknown-unknown -e normal -i "$crate" >/dev/null 2>&1; then
    echo "$crate is in the frontend's dependency tree" >&2; exit 1
  fi
done

# The browser tests run on the web app people get: the release build, split at its lazy pages.
# It builds (in its own target folder) while the tests compile, so its single-threaded steps
# (wasm-opt, Brotli) leave the other core to rustc.
step "web app (release, split) and the tests, built side by side"
DIST_DIR=dist-release scripts/build-frontend.sh --release &
frontend=$!
cargo test --locked --workspace --no-run
wait "$frontend"
export SEND_PLANNER_TEST_DIST=dist-release

step "tests on SQLite (store tests also run on PostgreSQL)"
cargo test --locked --workspace

step "end-to-end tests on PostgreSQL (the store cases already ran on both)"
SEND_PLANNER_TEST_DB=postgres cargo test --locked -p integration-tests --test e2e -- --skip store::

# Last, so every other check has run: growth of the first load is noticed when it happens.
step "page weight: the release sign-in page no heavier than its checked limit (see tests/src/bin/page_weight.rs)"
RUST_BACKTRACE=0 cargo run --quiet --locked -p integration-tests --bin page-weight -- --dist dist-release --check
