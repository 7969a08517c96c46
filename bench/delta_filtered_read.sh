#!/usr/bin/env bash
# Filtered reads with and without Parquet row-group pruning, side by side with delta-rs.
#   bench/delta_filtered_read.sh [ROWS]     default 10000000 rows
# One table (id int64 ascending, x float64, s string) written by anatomy with its defaults
# (1,048,576-row row groups, 128 MiB files); each reader loads the snapshot and reads the rows of
# FILTER; best of 5. delta-rs: DeltaTable(path).to_pyarrow_table(filters=...).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"
py="$root/.venv/bin/python"; bench="$root/build/bench/delta_bench"
[ -x "$bench" ] || { echo "build first: cmake --build build --target delta_bench"; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

"$py" "$root/bench/make_rows.py" "$work/in.parquet" "$rows"
"$bench" append "$work/t" "$work/in.parquet" > /dev/null
files=$(ls "$work/t"/*.parquet | wc -l)
lo=$((rows / 2)); hi=$((rows / 2 + 1000))
echo "table: ${rows} rows in ${files} file(s)"
for f in "id >= $lo AND id < $hi" "id < $((rows / 10))"; do
  on=$("$bench" scan "$work/t" "$f" 1 5); off=$("$bench" scan "$work/t" "$f" 0 5)
  theirs=$("$py" - "$work/t" "$f" <<'PY'
import sys, time
from deltalake import DeltaTable
terms = []
for term in sys.argv[2].split(" AND "):
    col, op, val = term.split()
    terms.append((col, op, int(val)))
best, n = 9e9, 0
for _ in range(5):
    t0 = time.perf_counter()
    t = DeltaTable(sys.argv[1]).to_pyarrow_table(filters=terms)
    best, n = min(best, time.perf_counter() - t0), t.num_rows
print(f"{best:.4f} {n}")
PY
)
  echo "filter [$f]: anatomy pruned ${on} (s rows rg-read/total) | anatomy unpruned ${off} | delta-rs ${theirs} (s rows)"
done
