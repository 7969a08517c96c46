#!/usr/bin/env bash
# Extraction of the machine's standard library (build/anatomy_extract_dump, tables kept in
# memory, --no-write) side by side with CPython's ast.parse + symtable.symtable over the same
# files: wall seconds and peak RSS from /usr/bin/time -v. Usage: bench/extract_stdlib.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
source "$root/bench/measure.sh"
files="$(cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' | wc -l)"
lines="$(cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' -print0 | xargs -0 cat | wc -l)"
echo "stdlib: $stdlib ($files files, $lines lines), $(nproc) cores"
measure "anatomy extract (all cores)" "$build/anatomy_extract_dump" "$stdlib" --include '**/*.py' \
  --exclude site-packages --out /tmp/anatomy_bench_unused --no-write
measure "anatomy extract (1 thread)" "$build/anatomy_extract_dump" "$stdlib" --include '**/*.py' \
  --exclude site-packages --out /tmp/anatomy_bench_unused --no-write --jobs 1
measure "CPython ast.parse + symtable" python3 "$root/bench/cpython_parse.py" "$stdlib"
