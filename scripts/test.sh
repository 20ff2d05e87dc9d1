#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, checks
# formatting, builds the optimized programs the demo runs (release preset, so
# the README's main job cannot break unseen), then builds and runs the whole
# ctest suite under the sanitizers (dev preset), then the fuzz targets for a
# bounded time (clang, fuzz preset), then the quick benchmark beside its
# peer (PouchDB, tools/peer).
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# The browser tests must run here, not be skipped for want of Chromium.
export GRIDSYNC_BROWSER_REQUIRED=1
bash scripts/format.sh --check
cmake --preset release
# The programs only: the tests run from the dev build below, and building
# them twice would cost CI minutes on two cores.
cmake --build --preset release --target gridsync-central gridsync-edge gridsync-demo \
  gridsync-bench gridsync-load gridsync-keytool gridsync-audit
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
# Each libFuzzer target: its committed regressions, then 20 s of fuzzing.
bash scripts/fuzz.sh --seconds 20
# Speed against the floor, on the optimized build: figures, never pass/fail
# thresholds (docs/PERFORMANCE.md). It fails only if something breaks.
build/release/tools/gridsync-bench --quick --peer
