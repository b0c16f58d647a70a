#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh), builds the optimised web app and the backend, and
# serves SEND Planner on SQLite at http://127.0.0.1:8080 (SEND_PLANNER_ADDR and DATABASE_URL
# change where it listens and which database it uses). With --demo it serves the example
# programme instead, from send-planner-demo.db (seeded on first run), and prints its sign-in names.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-frontend.sh --release
cargo build --release --locked -p send-planner
if [ "${1:-}" = "--demo" ]; then
  shift
  exec target/release/send-planner demo "$@"
fi
exec target/release/send-planner serve "$@"
