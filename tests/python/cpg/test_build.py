"""anatomy build on the fixture repository, read back by independent engines (delta-rs, DuckDB,
Polars)."""
import os
import subprocess
from pathlib import Path

import duckdb
import polars
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from conftest import BUILD, FIXTURE, SOURCE, run_build

CPG_TABLES = ["cpg_nodes", "cpg_edges", "cpg_props", "cpg_props_map", "cpg_edges_by_src", "cpg_edges_by_dst"]
ARTIFACT_TABLES = ["plan_artifacts_v8", "view_artifacts_v4", "write_artifacts_v2", "run_manifest_v2",
                   "normalize_outputs_v1", "extract_errors_v1"]
OBSERVABILITY_TABLES = ["delta_snapshots_v2", "delta_mutations_v2"]

NODE_KINDS = {"PY_FILE", "PY_SCOPE", "PY_BINDING", "PY_DEF_SITE", "PY_USE_SITE", "CST_DEF", "CST_CALLSITE",
              "CST_IMPORT_ALIAS", "CST_REF", "TYPE_PARAM", "PY_QUALIFIED_NAME", "TS_ERROR", "TS_MISSING", "DIAG"}
EDGE_KINDS = {"SCOPE_PARENT", "SCOPE_BINDS", "DEF_SITE_OF", "USE_SITE_OF", "BINDING_RESOLVES_TO", "PY_DEFINES",
              "PY_REFERENCES", "PY_READS", "PY_WRITES", "PY_IMPORTS_SYMBOL", "PY_CALLS_SYMBOL", "PY_CALLS_QNAME",
              "TYPE_PARAM_OF", "HAS_ANNOTATION", "HAS_DIAGNOSTIC"}


def read(path: Path) -> pa.Table:
    return DeltaTable(str(path)).to_pyarrow_table()


def sorted_rows(table: pa.Table) -> list:
    return sorted(map(repr, table.to_pylist()))


def test_every_output_opens_in_delta_rs_duckdb_and_polars(fixture_build):
    out, stdout = fixture_build
    for name in CPG_TABLES:
        dt = DeltaTable(str(out / name))
        table = dt.to_pyarrow_table()
        assert table.num_rows > 0, name
        # The summary line reports the rows written.
        assert f"{name}={table.num_rows}" in stdout, (name, stdout)
        # DuckDB reads the same Parquet files with the same row count.
        files = dt.file_uris()
        count = duckdb.sql(f"SELECT count(*) FROM read_parquet({files!r}, hive_partitioning=false)").fetchall()[0][0]
        assert count == table.num_rows, name
        # Polars' own Delta reader (log replay, partition values) sees the same rows.
        assert sorted_rows(polars.read_delta(str(out / name)).to_arrow()) == sorted_rows(table), name
    for name in ARTIFACT_TABLES:
        assert read(out / "artifacts" / name).num_rows > 0, name
    assert " on 2 threads\n" in stdout  # the fixture's build runs with --jobs 2
    for name in OBSERVABILITY_TABLES:
        assert read(out / "artifacts" / "delta_observability" / name).num_rows > 0, name


def test_every_node_and_edge_kind_is_present(fixture_build):
    out, _ = fixture_build
    nodes = read(out / "cpg_nodes")
    edges = read(out / "cpg_edges")
    assert set(nodes.column("node_kind").to_pylist()) == NODE_KINDS
    assert set(edges.column("edge_kind").to_pylist()) == EDGE_KINDS
    # Edges point at nodes that exist.
    ids = set(nodes.column("node_id").to_pylist())
    dangling = [(k, s, d) for k, s, d in zip(edges.column("edge_kind").to_pylist(),
                                            edges.column("src_node_id").to_pylist(),
                                            edges.column("dst_node_id").to_pylist())
                if s not in ids or d not in ids]
    assert not dangling, dangling[:10]


def test_partitioning_as_contracts_say(fixture_build):
    out, _ = fixture_build
    assert DeltaTable(str(out / "cpg_nodes")).metadata().partition_columns == ["node_kind"]
    assert DeltaTable(str(out / "cpg_edges")).metadata().partition_columns == ["edge_kind"]
    assert DeltaTable(str(out / "cpg_props")).metadata().partition_columns == ["entity_kind"]


def test_not_null_columns_as_contracts_say(fixture_build):
    """delta-rs sees the NOT NULL columns of CONTRACTS.md as non-nullable."""
    out, _ = fixture_build
    expected = {"cpg_nodes": {"node_id", "node_kind"},
                "cpg_edges": {"edge_id", "edge_kind", "src_node_id", "dst_node_id"},
                "cpg_props": {"entity_kind", "entity_id", "prop_key", "value_type"}}
    for table, columns in expected.items():
        schema = DeltaTable(str(out / table)).schema().to_arrow()
        not_null = {f.name for f in schema if not f.nullable}
        assert not_null == columns, (table, not_null)


def test_props_answer_common_questions(fixture_build):
    out, _ = fixture_build
    props = read(out / "cpg_props")
    nodes = read(out / "cpg_nodes")

    def prop(kind, key):
        mask = pc.and_(pc.equal(props["node_kind"], kind), pc.equal(props["prop_key"], key))
        return props.filter(mask)

    modules = set(prop("PY_FILE", "module_name").column("value_string").to_pylist())
    assert {"pkg", "pkg.mod", "pkg.util", "pkg.sub"} <= modules
    qnames = set(prop("CST_DEF", "qualified_name").column("value_string").to_pylist())
    assert {"pkg.mod.Shape.area", "pkg.mod.counter.<locals>.step", "pkg.util.bump"} <= qnames
    callees = set(prop("CST_CALLSITE", "callee_text").column("value_string").to_pylist())
    assert {"make_shape", "bump", "super().__init__", "Shape"} <= callees
    # A resolved call: make_shape() -> the definition of bump in pkg/util.py.
    edges = read(out / "cpg_edges")
    calls = edges.filter(pc.equal(edges["edge_kind"], "PY_CALLS_SYMBOL"))
    assert calls.num_rows > 0
    assert all(m is not None for m in calls.column("resolution_method").to_pylist())
    assert all(s is not None for s in calls.column("score").to_pylist())
    # Spans: every node from source has path and a byte range inside its file.
    src = nodes.filter(pc.invert(pc.equal(nodes["node_kind"], "PY_QUALIFIED_NAME")))
    for path, b, e in zip(src["path"].to_pylist(), src["bstart"].to_pylist(), src["bend"].to_pylist()):
        assert path and 0 <= b <= e <= (FIXTURE / path).stat().st_size, (path, b, e)


def test_props_map_and_adjacency_agree_with_flat_tables(fixture_build):
    out, _ = fixture_build
    props = read(out / "cpg_props")
    props_map = read(out / "cpg_props_map")
    assert sum(len(p) for p in props_map.column("props").to_pylist()) == props.num_rows
    edges = read(out / "cpg_edges")
    by_src = read(out / "cpg_edges_by_src")
    by_dst = read(out / "cpg_edges_by_dst")
    assert sum(len(e) for e in by_src.column("edges").to_pylist()) == edges.num_rows
    assert sum(len(e) for e in by_dst.column("edges").to_pylist()) == edges.num_rows
    assert by_src.num_rows == len(set(edges.column("src_node_id").to_pylist()))
    # src_file_id names the one file a list's edges come from, or none when they are several.
    for row in by_dst.select(["src_file_id", "edges"]).to_pylist():
        files = {e["file_id"] for e in row["edges"]}
        assert row["src_file_id"] == (files.pop() if len(files) == 1 else None), row
    assert any(r is None for r in by_dst.column("src_file_id").to_pylist())


def test_nodes_and_edges_of_a_file_come_in_source_order(fixture_build):
    """Within each data file, a file's nodes (and edges) follow their spans, so the row groups'
    statistics on bstart narrow a lookup by position, and a reader gets a file in source order."""
    import pyarrow.parquet as pq
    out, _ = fixture_build
    for name in ["cpg_nodes", "cpg_edges"]:
        table = DeltaTable(str(out / name))
        checked = 0
        for uri in table.file_uris():
            rows = pq.read_table(uri, columns=["file_id", "bstart", "bend"]).to_pylist()
            keys = [(r["file_id"] or "", r["bstart"] or 0, r["bend"] or 0) for r in rows]
            assert keys == sorted(keys), (name, uri)
            checked += len(rows)
        assert checked == table.to_pyarrow_table().num_rows


def test_two_builds_are_identical(fixture_build, tmp_path):
    out, _ = fixture_build
    second = tmp_path / "again"
    assert " on 1 thread\n" in run_build(FIXTURE, second, jobs=1)  # --jobs bounds the build
    for name in CPG_TABLES:
        assert sorted_rows(read(out / name)) == sorted_rows(read(second / name)), name
    fp1 = read(out / "artifacts" / "run_manifest_v2").column("plan_fingerprints").to_pylist()
    fp2 = read(second / "artifacts" / "run_manifest_v2").column("plan_fingerprints").to_pylist()
    assert fp1 == fp2


def test_a_negative_jobs_count_is_refused_with_a_reason(tmp_path):
    proc = subprocess.run([str(BUILD / "anatomy"), "build", str(FIXTURE), "--out", str(tmp_path / "out"),
                           "--jobs", "-1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "--jobs" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_full_build_replaces_tables_of_another_layout(fixture_build, tmp_path):
    """An OUT written by another version of anatomy (other columns, other partitioning) is
    rebuilt in place: a full build replaces every table, schema included."""
    out, _ = fixture_build
    again = tmp_path / "again"
    write_deltalake(str(again / "extract" / "references"), pa.table({"old_column": [1, 2]}))
    write_deltalake(str(again / "cpg_nodes"), pa.table({"node_id": ["n"], "kind": ["K"]}), partition_by=["kind"])
    write_deltalake(str(again / "state" / "cursors"), pa.table({"table": ["x"], "at": [3]}))
    run_build(FIXTURE, again)
    for name in CPG_TABLES + ["extract/references"]:
        fresh, rebuilt = read(out / name), read(again / name)
        assert rebuilt.schema.names == fresh.schema.names, name
        assert sorted_rows(rebuilt) == sorted_rows(fresh), name
    assert DeltaTable(str(again / "cpg_nodes")).metadata().partition_columns == ["node_kind"]


def test_batches_of_one_file_give_the_same_tables(fixture_build, tmp_path):
    """A build whose views run file by file (each file its own batch, the edges into shared
    nodes gathered at the end) writes the same rows as the one-batch build of the fixture."""
    out, _ = fixture_build
    batched = tmp_path / "batched"
    run_build(FIXTURE, batched, 2, "--batch-bytes", "1")
    extract = sorted(p.name for p in (out / "extract").iterdir())
    assert extract == sorted(p.name for p in (batched / "extract").iterdir())
    for name in CPG_TABLES + [f"extract/{d}" for d in extract]:
        one, many = read(out / name), read(batched / name)
        if name == "extract/files":
            one, many = one.drop_columns(["mtime_ms"]), many.drop_columns(["mtime_ms"])
        assert sorted_rows(one) == sorted_rows(many), name
        # Still one commit per table, and no small file per batch: a partition's rows short
        # of a full file wait for the next batch's.
        assert DeltaTable(str(batched / name)).version() == 0, name
        assert len(DeltaTable(str(batched / name)).file_uris()) == len(DeltaTable(str(out / name)).file_uris()), name
    fp1 = read(out / "artifacts" / "run_manifest_v2").column("plan_fingerprints").to_pylist()
    fp2 = read(batched / "artifacts" / "run_manifest_v2").column("plan_fingerprints").to_pylist()
    assert fp1 == fp2
    # Each view's plan is recorded once, its execution once per batch.
    plans = read(batched / "artifacts" / "plan_artifacts_v8").to_pylist()
    recorded = [r["view_name"] for r in plans if r["event_kind"] == "plan"]
    assert sorted(recorded) == sorted(set(recorded))
    files = read(out / "extract" / "files").num_rows
    executions = [r for r in plans if r["event_kind"] == "execution" and r["view_name"] == "cpg_props_map"]
    assert 2 < len(executions) <= files + 1  # each (non-empty) file, then the rows no file owns


def render_golden(out: Path) -> str:
    """A readable rendering of the fixture's CPG: every node with its source text, every edge by its ends."""
    nodes = read(out / "cpg_nodes").to_pylist()
    props = read(out / "cpg_props").to_pylist()
    names = {}
    for p in props:
        if p["prop_key"] in ("name", "qualified_name", "path", "callee_text", "imported_name", "message"):
            names.setdefault(p["entity_id"], p["value_string"])
    label = {}
    for n in nodes:
        where = f"{n['path']}:{n['bstart']}-{n['bend']}" if n["path"] else "-"
        label[n["node_id"]] = f"{n['node_kind']}({names.get(n['node_id'], '')} @ {where})"
    lines = ["# CPG of tests/cpg/fixture_repo; UPDATE_GOLDENS=1 rewrites, review the diff", "[nodes]"]
    lines += sorted(label.values())
    lines.append("[edges]")
    edge_lines = []
    for e in read(out / "cpg_edges").to_pylist():
        extra = ""
        if e["resolution_method"]:
            extra = f" [{e['origin']}/{e['resolution_method']}" + (f" score={e['score']}" if e["score"] is not None else "") + "]"
        edge_lines.append(f"{e['edge_kind']}: {label.get(e['src_node_id'], e['src_node_id'])} -> "
                          f"{label.get(e['dst_node_id'], e['dst_node_id'])}{extra}")
    lines += sorted(edge_lines)
    return "\n".join(lines) + "\n"


def test_fixture_golden(fixture_build):
    out, _ = fixture_build
    golden = SOURCE / "tests" / "cpg" / "goldens" / "fixture_cpg.txt"
    actual = render_golden(out)
    if os.environ.get("UPDATE_GOLDENS"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual)
    assert golden.exists(), "no golden yet: run with UPDATE_GOLDENS=1 and review it"
    assert actual == golden.read_text(), "the fixture's CPG changed; if on purpose, UPDATE_GOLDENS=1"


def test_progress_counts_files_parsed_and_tables_written(tmp_path):
    """Off a terminal, each stage's progress is a line when it starts and one when it ends."""
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "__init__.py").write_text("from .m import f\n")
    (repo / "pkg" / "m.py").write_text("def f():\n    return 1\n")
    (repo / "README").write_text("not python\n")
    proc = subprocess.run([str(BUILD / "anatomy"), "build", str(repo), "--out", str(tmp_path / "out"),
                           "--jobs", "2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[:2] == ["parse: 0/3", "parse: 3/3"], proc.stderr
    assert "views: 3/3" in lines, proc.stderr
    done, total = [line for line in lines if line.startswith("write: ")][-1][len("write: "):].split("/")
    assert done == total and int(total) > 0, proc.stderr


def test_type_parameters_carry_their_bound_and_default(tmp_path):
    """PEP 695 bounds and constraints, and PEP 696 defaults (3.13 syntax tree-sitter-python reads
    as errors), are properties of their TYPE_PARAM node; no syntax diagnostic is made of them."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "m.py").write_text("class Box[T: int = bool, *Ts = *tuple[str, ...], U, V: (int, str)]:\n"
                               "    pass\n")
    stdout = run_build(repo, tmp_path / "out")
    assert "0 syntax diagnostics" in stdout, stdout
    props = read(tmp_path / "out" / "cpg_props")
    params = props.filter(pc.equal(props["node_kind"], "TYPE_PARAM")).to_pylist()
    by_id = {}
    for p in params:
        value = p["value_strings"] if p["value_type"] == "strings" else p["value_string"]
        by_id.setdefault(p["entity_id"], {})[p["prop_key"]] = value
    assert sorted(by_id.values(), key=lambda p: p["name"]) == [
        {"name": "T", "type_param_kind": "TypeVar", "bound": "int", "default": "bool"},
        {"name": "Ts", "type_param_kind": "TypeVarTuple", "default": "*tuple[str, ...]"},
        {"name": "U", "type_param_kind": "TypeVar"},
        {"name": "V", "type_param_kind": "TypeVar", "constraints": ["int", "str"]},
    ]
