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

The Delta tables are in $out. Query them with delta-rs:
  $py -c "from deltalake import DeltaTable; t = DeltaTable('$out/cpg_nodes').to_pyarrow_table(); print(t.group_by('node_kind').aggregate([('node_id', 'count')]))"
or with DuckDB over the tables' Parquet files:
  $py -c "import duckdb; from deltalake import DeltaTable; f = DeltaTable('$out/cpg_edges').file_uris(); print(duckdb.sql(f'SELECT edge_kind, count(*) FROM read_parquet({f}) GROUP BY 1 ORDER BY 2 DESC'))"
MSG
"$py" - "$out" <<'PY'
import sys
from deltalake import DeltaTable
out = sys.argv[1]
edges = DeltaTable(f"{out}/cpg_edges").to_pyarrow_table()
print(f"\ncpg_edges has {edges.num_rows} rows; by kind:")
for row in sorted(edges.group_by("edge_kind").aggregate([("edge_id", "count")]).to_pylist(), key=lambda r: -r["edge_id_count"]):
    print(f"  {row['edge_kind']:<22} {row['edge_id_count']}")
PY
