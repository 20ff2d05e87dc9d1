#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, configures,
# builds, checks formatting, and runs the whole ctest suite.
# Usage: bash scripts/test.sh [PRESET]   (default preset: dev = Debug + ASan/UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"

bash scripts/setup.sh
bash scripts/format.sh --check
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
