#!/usr/bin/env bash
# Ingest of a 10-million-row table with batch_size partitioning (anatomy's Session::Ingest)
# side by side with the datafusion Python package's from_arrow on the same shape of table, and
# compile + record of a five-join plan. Usage: bench/ingest_vs_datafusion.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
"$build/bench/engine_bench" --benchmark_filter='BM_IngestBatchSize|BM_CompileAndRecordFiveJoins' \
  --benchmark_min_time=0.5s
"$root/.venv/bin/python" - <<'PY'
import time
import pyarrow as pa
import datafusion
for rows in (1_000_000, 10_000_000):
    t = pa.table({"id": pa.array(range(rows), pa.int64()),
                  "value": pa.array([i * 0.5 for i in range(rows)], pa.float64()),
                  "name": pa.array(["odd" if i % 2 else "even" for i in range(rows)])})
    t = pa.Table.from_batches(t.to_batches(max_chunksize=65536))
    best = float("inf")
    for _ in range(5):
        ctx = datafusion.SessionContext()
        start = time.perf_counter()
        ctx.from_arrow(t, name="t")
        best = min(best, time.perf_counter() - start)
    print(f"datafusion {datafusion.__version__} from_arrow rows={rows}: {best * 1000:.2f} ms")
PY
