#!/usr/bin/env bash
# The reliability runs at length (docs/RELIABILITY.md), on the dev build that
# scripts/test.sh makes. CI runs each bounded; this runs them as long as asked.
# Usage: bash scripts/sweep.sh [--crash|--proxy] [--rounds N] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=crash rounds=1000 seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --crash) kind=crash ;;
    --proxy) kind=proxy ;;
    --rounds) rounds="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    *) echo "usage: $0 [--crash|--proxy] [--rounds N] [--seed S]" >&2; exit 2 ;;
  esac
  shift
done
cmake --build --preset dev --target crash_sweep_test fault_proxy_test gridsync-edge gridsync-central
case "$kind" in
  crash) GRIDSYNC_SWEEP_ROUNDS="$rounds" GRIDSYNC_SWEEP_SEED="$seed" GRIDSYNC_SWEEP_CHECK_EVERY=20 \
           build/dev/tests/net/crash_sweep_test --gtest_filter='CrashSweep.NoKill*' ;;
  proxy) GRIDSYNC_PROXY_ROUNDS="$rounds" GRIDSYNC_PROXY_SEED="$seed" GRIDSYNC_PROXY_CHECK_EVERY=20 \
           build/dev/tests/net/fault_proxy_test ;;
esac
