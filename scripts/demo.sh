#!/usr/bin/env bash
# The README's main job. The full demo (a central node and three edge nodes
# working offline, then syncing) arrives with issue #4. Until then this builds
# gridsync and shows the piece every later step rests on: a staff member's
# signing key, sealed under a PIN, and the fingerprint read out at enrollment.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target gridsync-keytool

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keytool=build/release/tools/gridsync-keytool

echo
echo "== 占位演示 / placeholder demo: the sync demo arrives with issue #4 =="
echo
echo "-- 为网格负责人生成签名密钥(PIN 2468)/ a grid leader's signing key, sealed with PIN 2468"
echo 2468 | "$keytool" generate "$work/grid-leader.key"
echo
echo "-- 用正确的 PIN 解锁 / unlock with the right PIN"
echo 2468 | "$keytool" show "$work/grid-leader.key"
echo
echo "-- 用错误的 PIN 解锁 / unlock with a wrong PIN (refused, exit code 2)"
set +e
echo 1357 | "$keytool" show "$work/grid-leader.key"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "expected exit code 2, got $rc" >&2; exit 1; }
echo
echo "demo: done"
