#!/usr/bin/env bash
# The main job: build the CPG of this machine's Python standard library as Delta tables,
# then show how to query them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.venv/bin/python"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
out="${ANATOMY_DEMO_OUT:-$root/out/stdlib}"
"$root/build/anatomy" build "$stdlib" --out "$out" --exclude site-packages
cat <<MSG

The Delta tables are in $out. Query them with delta-rs (its DataFusion reader also reads the
tables an --incremental build leaves with deletion vectors):
  $py -c "from deltalake import DeltaTable, QueryBuilder; print(QueryBuilder().register('nodes', DeltaTable('$out/cpg_nodes')).execute('SELECT node_kind, count(*) FROM nodes GROUP BY 1 ORDER BY 2 DESC').read_all())"
or with Polars (calls resolved to definitions, by how):
  $py -c "import polars as pl; print(pl.scan_delta('$out/cpg_edges').filter(pl.col('edge_kind') == 'PY_CALLS_SYMBOL').group_by('resolution_method').len().sort('len', descending=True).collect())"
or with DuckDB over what delta-rs reads:
  $py -c "import duckdb, pyarrow as pa; from deltalake import DeltaTable, QueryBuilder; edges = pa.table(QueryBuilder().register('e', DeltaTable('$out/cpg_edges')).execute('SELECT edge_kind FROM e').read_all()); print(duckdb.sql('SELECT edge_kind, count(*) FROM edges GROUP BY 1 ORDER BY 2 DESC'))"
MSG
"$py" - "$out" <<'PY'
import sys
import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder
out = sys.argv[1]
query = "SELECT edge_kind, count(*) AS n FROM edges GROUP BY 1 ORDER BY 2 DESC, 1"
counts = pa.table(QueryBuilder().register("edges", DeltaTable(f"{out}/cpg_edges")).execute(query).read_all())
print(f"\ncpg_edges has {sum(counts.column('n').to_pylist())} rows; by kind:")
for row in counts.to_pylist():
    print(f"  {row['edge_kind']:<22} {row['n']}")
PY
