#!/usr/bin/env bash
# Fuzzes the backend with cargo-fuzz (libFuzzer): request decoding and validation of every RPC,
# the letter text (layout, PDF, content checks), the case-study CSV and the anonymiser. The
# targets are fuzz/fuzz_targets/*.rs over backend/src/fuzzing.rs (whose unit tests are the short
# smoke run that `cargo test` makes). Each target runs for SECONDS (default 60):
#   scripts/fuzz.sh                         # every target, 60 s each
#   scripts/fuzz.sh 600                     # every target, 10 minutes each
#   FUZZ_TARGETS=letter_text scripts/fuzz.sh 30
# Needs the nightly toolchain (cargo-fuzz builds with -Z flags); installs cargo-fuzz, pinned, if
# it is missing. FUZZ_SANITIZER picks the sanitizer (address, the default, or none). Builds in
# fuzz/target; the corpus a run grows is kept in fuzz/target/corpus/<target> (it starts from the
# committed seeds in fuzz/corpus/<target>, which a run leaves as they are). A crash's input is
# saved in fuzz/artifacts/<target>/ and the script exits non-zero once every target has run;
# replay one with `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_FOR=${1:-60}
CARGO_FUZZ_VERSION=0.13.2
SANITIZER=${FUZZ_SANITIZER:-address}
TARGETS=${FUZZ_TARGETS:-rpc_request letter_text case_study_csv anonymise}

if ! [[ "$RUN_FOR" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS per target]" >&2
  exit 2
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz needs the nightly toolchain: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo install --list | grep -q "^cargo-fuzz v$CARGO_FUZZ_VERSION:"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# One build of every target (their dependencies are shared), then each run.
cargo +nightly fuzz build --sanitizer "$SANITIZER"
failed=()
summary=()
for target in $TARGETS; do
  corpus=fuzz/target/corpus/$target
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  log=fuzz/target/$target.log
  echo "== $target: $RUN_FOR s"
  # -timeout: an input that takes 10 s counts as a crash (a hang); -rss_limit_mb as the machine allows.
  if ! cargo +nightly fuzz run --sanitizer "$SANITIZER" "$target" "$corpus" "fuzz/corpus/$target" -- \
    -max_total_time="$RUN_FOR" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 2>&1 | tee "$log"; then
    failed+=("$target")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # libFuzzer's last status line: coverage and the live corpus (inputs/bytes).
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | cut -d' ' -f2)
  live=$(grep -oE 'corp: [0-9]+/[0-9]+[A-Za-z]*' <<<"$last" | cut -d' ' -f2)
  summary+=("$(printf '%-15s %10s runs %7s exec/s  cov %6s  corpus %s' "$target" "${runs:-?}" "${rate:-?}" \
    "${cov:-?}" "${live:-?}")")
done

echo "== cargo-fuzz $CARGO_FUZZ_VERSION, sanitizer $SANITIZER, $RUN_FOR s per target"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
