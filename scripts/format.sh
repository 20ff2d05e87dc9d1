#!/usr/bin/env bash
# clang-format over every C++ file git knows. --check fails on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.h' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ ${#files[@]} -eq 0 ]; then exit 0; fi
if [ "$mode" = "--check" ]; then
  clang-format --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  clang-format -i "${files[@]}"
fi
