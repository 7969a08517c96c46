#!/usr/bin/env bash
# Fails, naming the files, when a C++ source differs from what .clang-format makes of it
# (`make format` fixes it). Usage: scripts/check_format.sh [CLANG_FORMAT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clang_format="${1:-clang-format}"
cd "$root"
bad="$(find src tests bench fuzz \( -name '*.h' -o -name '*.cc' \) -print0 |
  xargs -0 "$clang_format" --dry-run 2>&1 | grep -o '^[^:]*:[0-9]*:[0-9]*: warning' |
  cut -d: -f1 | sort -u || true)"
if [[ -n "$bad" ]]; then
  echo "not formatted (run make format):"
  echo "$bad"
  exit 1
fi
echo "format: every source is as .clang-format makes it"
