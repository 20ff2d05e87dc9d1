#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, checks
# formatting, builds and runs the whole ctest suite under the sanitizers
# (dev preset), and builds the optimized programs the demo runs (release
# preset), so the README's main job cannot break unseen.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/format.sh --check
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
cmake --preset release
cmake --build --preset release
echo "release build: ok"
