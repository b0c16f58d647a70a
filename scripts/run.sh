#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh), builds the optimised web app and the backend, and
# serves SEND Planner on SQLite at http://127.0.0.1:8080 (SEND_PLANNER_ADDR and DATABASE_URL
# change where it listens and which database it uses).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-frontend.sh --release
cargo build --release --locked -p send-planner
exec target/release/send-planner serve "$@"
