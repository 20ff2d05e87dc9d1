#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz, docs/RELIABILITY.md): builds them with
# clang (the fuzz preset), writes each seed corpus from real bytes, replays
# the committed regressions (tests/fuzz/regressions/TARGET/), then fuzzes each
# target for a bounded time. scripts/test.sh runs it with --seconds 20; by
# hand, as long as you like. A crash leaves its input in build/fuzz/findings/;
# commit it under tests/fuzz/regressions/TARGET/ with the fix.
# Usage: bash scripts/fuzz.sh [--seconds N] [--jobs N] [--seed N] [TARGET...]
# --seed 0 draws a new seed each run; the default, 1, keeps CI's run the same
# from one commit to the next (up to the machine's speed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=20 jobs=1 seed=1 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    -*) echo "usage: $0 [--seconds N] [--jobs N] [--seed N] [TARGET...]" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=(wire_fuzz changeset_fuzz push_fuzz router_fuzz)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
out=build/fuzz/runs
mkdir -p "$out" build/fuzz/findings
for t in "${targets[@]}"; do
  bin=build/fuzz/tests/fuzz/$t
  corpus=build/fuzz/corpus/$t
  rm -rf "$corpus"
  GRIDSYNC_FUZZ_WRITE_SEEDS="$corpus" "$bin" >"$out/$t.seeds.log" 2>&1 ||
    { echo "fuzz: $t could not write its seeds (see $out/$t.seeds.log)"; exit 1; }
  regressions=tests/fuzz/regressions/$t
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    "$bin" -runs=0 "$regressions"/* >"$out/$t.replay.log" 2>&1 ||
      { echo "fuzz: $t fails on a committed regression (see $out/$t.replay.log)"; exit 1; }
  fi
  # -rss_limit_mb: central's own limits must hold well under it.
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  if ! "$bin" -max_total_time="$seconds" -seed="$seed" "${parallel[@]}" -rss_limit_mb=2048 \
      -timeout=10 -artifact_prefix=build/fuzz/findings/"$t"- -print_final_stats=1 \
      "$corpus" >"$out/$t.log" 2>&1; then
    echo "fuzz: $t found a failure:"; tail -40 "$out/$t.log"; exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -1)
  echo "fuzz: $t: ${execs:-?} executions in ${seconds} s, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
done
