#!/usr/bin/env bash
# The scheduler benchmark: our engine against Google OR-Tools CP-SAT on the same instances.
# Creates its own Python venv (target/bench-venv) with a pinned ortools, then runs the Rust
# bench, which generates the instances, runs both solvers and validates both plans with the
# same Rust validator. Arguments go to the bench, e.g.:
#   scripts/bench-scheduler.sh                       # 3 national instances, CP-SAT 60 s, ours 10 s
#   scripts/bench-scheduler.sh --limit 300           # the long comparison (about 5 min an instance)
#   scripts/bench-scheduler.sh --quick               # one instance, CP-SAT 10 s, ours 1 s
set -euo pipefail
cd "$(dirname "$0")/.."
ORTOOLS_VERSION=9.15.6755
VENV=${SCHEDULER_BENCH_VENV:-target/bench-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import ortools, sys; sys.exit(ortools.__version__ != '$ORTOOLS_VERSION')" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet "ortools==$ORTOOLS_VERSION"
fi
# cargo runs the bench from backend/, so hand it an absolute path.
exec cargo bench -p send-planner --bench scheduler -- --cpsat "$(cd "$VENV" && pwd)/bin/python" "$@"
