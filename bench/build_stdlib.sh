#!/usr/bin/env bash
# The whole `anatomy build` of the machine's standard library (extraction, CPG views, every
# Delta write and artifact) side by side, in one run, with CPython merely parsing the same
# files (ast.parse + symtable.symtable). Wall seconds and peak RSS from /usr/bin/time -v, and
# the ratio. Usage: bench/build_stdlib.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
seconds_of() {  # h:mm:ss or m:ss.ss -> seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$1"
}
measure() {  # label command...  -> prints a line, sets LAST_SECONDS
  local log; log="$(mktemp)"
  /usr/bin/time -v "${@:2}" >/dev/null 2>"$log" || { tail -20 "$log"; return 1; }
  local wall rss
  wall="$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')"
  rss="$(grep 'Maximum resident' "$log" | awk '{print $NF}')"
  LAST_SECONDS="$(seconds_of "$wall")"
  printf '%-36s %8.2f s   peak RSS %6d MB\n' "$1" "$LAST_SECONDS" "$((rss / 1024))"
  rm -f "$log"
}
files="$(cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' | wc -l)"
lines="$(cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' -print0 | xargs -0 cat | wc -l)"
echo "stdlib: $stdlib ($files .py files, $lines lines), $(nproc) cores, $(date -u +%F)"
measure "anatomy build (all cores)" "$build/anatomy" build "$stdlib" --out "$out/build" \
  --exclude site-packages
anatomy_s="$LAST_SECONDS"
measure "CPython ast.parse + symtable" python3 "$root/bench/cpython_parse.py" "$stdlib"
cpython_s="$LAST_SECONDS"
awk -v a="$anatomy_s" -v c="$cpython_s" 'BEGIN { printf "ratio anatomy/CPython: %.2f (goal <= 0.50)\n", a / c }'
