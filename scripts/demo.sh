#!/usr/bin/env bash
# The README's main job: a community center's day without network, played
# through the real gridsync-edge program (tools/demo.cpp), then a report.
# Installs what is missing and builds the optimized programs first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target gridsync-demo gridsync-edge gridsync-central
echo
build/release/tools/gridsync-demo --central build/release/central/gridsync-central --edge build/release/edge/gridsync-edge "$@"
