#!/usr/bin/env bash
# The whole `anatomy build` of the machine's standard library (extraction, CPG views, every
# Delta write and artifact) side by side, in one run, with CPython merely parsing the same
# files (ast.parse + symtable.symtable). Wall seconds, CPU seconds and peak RSS from
# /usr/bin/time -v, and the ratios. Usage: bench/build_stdlib.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
source "$root/bench/measure.sh"
files="$(cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' | wc -l)"
lines="$(cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' -print0 | xargs -0 cat | wc -l)"
echo "stdlib: $stdlib ($files .py files, $lines lines), $(nproc) cores, $(date -u +%F)"
measure "anatomy build (all cores)" "$build/anatomy" build "$stdlib" --out "$out/build" \
  --exclude site-packages
anatomy_s="$LAST_SECONDS" anatomy_cpu="$LAST_CPU"
measure "CPython ast.parse + symtable" python3 "$root/bench/cpython_parse.py" "$stdlib"
cpython_s="$LAST_SECONDS" cpython_cpu="$LAST_CPU"
awk -v a="$anatomy_s" -v c="$cpython_s" 'BEGIN { printf "ratio anatomy/CPython: %.2f (goal <= 0.50)\n", a / c }'
# CPython parses on one core; anatomy's CPU seconds over CPython's say what the wall ratio
# could be at best with as many cores as the build can keep busy.
awk -v a="$anatomy_cpu" -v c="$cpython_cpu" 'BEGIN { printf "CPU seconds anatomy/CPython: %.2f\n", a / c }'
