#!/usr/bin/env bash
# anatomy's Delta writer/reader side by side with delta-rs (the `deltalake` package in .venv).
#   bench/delta_vs_deltars.sh [ROWS] [COMMITS]     defaults: 10000000 rows, 10000 commits
# 1. append: one 10M-row table (int64, float64, string) written as a new Delta table with zstd,
#    input pre-loaded in memory on both sides; best of 3.
# 2. snapshot: load the latest snapshot of a table with COMMITS commits and checkpoints
#    (a checkpoint every 100 commits, 99 commits after the last one); best of 5.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"; commits="${2:-10000}"
py="$root/.venv/bin/python"; bench="$root/build/bench/delta_bench"; cli="$root/build/anatomy"
[ -x "$bench" ] || { echo "build first: cmake --build build --target delta_bench anatomy"; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

"$py" "$root/bench/make_rows.py" "$work/in.parquet" "$rows"

ours=9e9; theirs=9e9
for k in 1 2 3; do
  t=$("$bench" append "$work/ours$k" "$work/in.parquet"); ours=$(echo "$t $ours" | awk '{print ($1<$2)?$1:$2}')
  t=$("$py" - "$work/in.parquet" "$work/theirs$k" <<'PY'
import sys, time, pyarrow.parquet as pq
from deltalake import write_deltalake, WriterProperties
t = pq.read_table(sys.argv[1])
t0 = time.perf_counter()
write_deltalake(sys.argv[2], t, writer_properties=WriterProperties(compression="ZSTD"))
print(f"{time.perf_counter() - t0:.3f}")
PY
)
  theirs=$(echo "$t $theirs" | awk '{print ($1<$2)?$1:$2}')
done
size_ours=$(du -sk "$work/ours1" | cut -f1); size_theirs=$(du -sk "$work/theirs1" | cut -f1)
echo "append ${rows} rows: anatomy ${ours}s (${size_ours} KiB), delta-rs ${theirs}s (${size_theirs} KiB), ratio anatomy/delta-rs $(awk "BEGIN{printf \"%.2f\", $ours/$theirs}")"

# A long log written directly (one add per commit, as an appending writer leaves it), with
# checkpoints made by delta-rs every 100 commits.
"$py" - "$work/long" "$commits" <<'PY'
import json, os, sys
from deltalake import DeltaTable
path, n = sys.argv[1], int(sys.argv[2])
log = os.path.join(path, "_delta_log"); os.makedirs(log)
schema = json.dumps({"type": "struct", "fields": [{"name": "id", "type": "long", "nullable": True, "metadata": {}}]})
def commit(v, lines):
    with open(os.path.join(log, f"{v:020d}.json"), "w") as f:
        f.write("\n".join(json.dumps(l) for l in lines) + "\n")
for v in range(n):
    lines = [{"commitInfo": {"timestamp": 1700000000000 + v, "operation": "WRITE", "operationParameters": {"mode": "Append"}}}]
    if v == 0:
        lines += [{"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}},
                  {"metaData": {"id": "bench", "format": {"provider": "parquet", "options": {}}, "schemaString": schema,
                                "partitionColumns": [], "configuration": {}, "createdTime": 0}}]
    stats = json.dumps({"numRecords": 10, "minValues": {"id": v * 10}, "maxValues": {"id": v * 10 + 9}, "nullCount": {"id": 0}})
    lines.append({"add": {"path": f"part-{v:05d}.parquet", "partitionValues": {}, "size": 1000, "modificationTime": v,
                          "dataChange": True, "stats": stats}})
    commit(v, lines)
    if v % 100 == 0 and v and v <= n - 6:
        DeltaTable(path, version=v).create_checkpoint()
PY
ours=$("$bench" snapshot "$work/long" 5)
theirs=$("$py" - "$work/long" <<'PY'
import sys, time
from deltalake import DeltaTable
best = 9e9
for _ in range(5):
    t0 = time.perf_counter(); dt = DeltaTable(sys.argv[1]); n = len(dt.file_uris()); best = min(best, time.perf_counter() - t0)
print(f"{best:.4f}")
PY
)
echo "snapshot of ${commits} commits: anatomy ${ours}s, delta-rs ${theirs}s, ratio anatomy/delta-rs $(awk "BEGIN{printf \"%.2f\", $ours/$theirs}")"
