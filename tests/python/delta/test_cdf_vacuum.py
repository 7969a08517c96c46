"""Change data feed compared with delta-rs's load_cdf; vacuum and log cleanup."""

import json
import os
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, run_cli, shared_dir


def ours_cdf(path, tmp_path, start, end=None):
    out = tmp_path / f"cdf-{start}-{end}.parquet"
    args = ["delta", "changes", path, "--from", start, "--out", out]
    if end is not None:
        args += ["--to", end]
    run_cli(*args)
    return pq.read_table(out)


def theirs_cdf(path, start, end=None):
    dt = DeltaTable(str(path))
    t = pa.table(dt.load_cdf(starting_version=start, ending_version=end).read_all())
    fields = []
    for f in t.schema:
        typ = pa.string() if f.type == pa.string_view() else f.type
        typ = pa.int64() if f.name == "_commit_version" else typ
        fields.append(pa.field(f.name, typ))
    return t.cast(pa.schema(fields))


def test_cdf_of_delta_rs_written_table(cli, tmp_path):
    path = tmp_path / "cdf"
    write_deltalake(path, pa.table({"id": list(range(6)), "g": ["a", "b", "c"] * 2}), partition_by=["g"],
                    configuration={"delta.enableChangeDataFeed": "true"})
    write_deltalake(path, pa.table({"id": [10], "g": ["a"]}), mode="append")
    DeltaTable(str(path)).update(updates={"id": "id + 100"}, predicate="id < 2")
    DeltaTable(str(path)).delete("id = 5")
    latest = DeltaTable(str(path)).version()
    for start in range(latest + 1):
        ours = ours_cdf(path, tmp_path, start)
        theirs = theirs_cdf(path, start)
        assert_same_content(ours, theirs.select(ours.column_names))


@pytest.mark.parametrize("name,start", [("cdf-table", 0), ("cdc_ict_table", 0), ("checkpoint-cdf-table", 3),
                                        ("cdf-table", 2)])
def test_cdf_conformance_tables(cli, tmp_path, name, start):
    shared = shared_dir()
    if not shared:
        pytest.skip("shared/conformance absent: set ANATOMY_SHARED_DIR")
    path = shared / "conformance" / "delta-rs" / name
    ours = ours_cdf(path, tmp_path, start)
    theirs = theirs_cdf(path, start)
    assert_same_content(ours, theirs.select(ours.column_names))


def test_cdf_with_deletion_vectors_counts(cli, tmp_path):
    shared = shared_dir()
    if not shared:
        pytest.skip("shared/conformance absent: set ANATOMY_SHARED_DIR")
    path = shared / "conformance" / "delta-rs" / "cdf-table-with-cdc-and-dvs"
    ours = ours_cdf(path, tmp_path, 0)
    # Independent check: the feed replayed (inserts and postimages minus deletes and preimages)
    # equals the latest snapshot as delta-rs reads it.
    from conftest import canonical_rows, delta_rs_read

    plus, minus = [], []
    data_cols = [c for c in ours.column_names if not c.startswith("_")]
    for r in ours.to_pylist():
        row = {c: r[c] for c in data_cols}
        (plus if r["_change_type"] in ("insert", "update_postimage") else minus).append(row)
    for m in minus:
        plus.remove(m)
    want = delta_rs_read(path).select(data_cols)
    assert canonical_rows(pa.Table.from_pylist(plus, schema=want.schema)) == canonical_rows(want)


def test_vacuum_dry_run_then_delete(cli, tmp_path):
    path = tmp_path / "vac"
    src = tmp_path / "a.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), src)
    run_cli("delta", "write", path, "--input", src)
    run_cli("delta", "write", path, "--input", src, "--mode", "overwrite")
    old = [f for f in os.listdir(path) if f.endswith(".parquet")]
    assert len(old) == 2
    # Default retention (7 days) keeps everything.
    assert run_cli("delta", "vacuum", path, "--dry-run").stdout == ""
    proc = run_cli("delta", "vacuum", path, "--retention-hours", "0", check=False)
    assert proc.returncode != 0 and "retention" in proc.stderr
    time.sleep(0.01)
    dry = run_cli("delta", "vacuum", path, "--retention-hours", "0", "--no-retention-check", "--dry-run").stdout
    assert dry.count("would delete") == 1
    assert len([f for f in os.listdir(path) if f.endswith(".parquet")]) == 2
    # The tombstone is newer than the cutoff only when retention > 0: with 0 it goes.
    run_cli("delta", "vacuum", path, "--retention-hours", "0", "--no-retention-check")
    left = [f for f in os.listdir(path) if f.endswith(".parquet")]
    assert len(left) == 1
    assert DeltaTable(str(path)).to_pyarrow_table().num_rows == 2
    assert DeltaTable(str(path)).repair(dry_run=True)["files_removed"] == []


def test_log_cleanup_keeps_every_remaining_version_readable(cli, tmp_path):
    path = tmp_path / "logclean"
    src = tmp_path / "a.parquet"
    pq.write_table(pa.table({"a": [1]}), src)
    run_cli("delta", "write", path, "--input", src, "--property", "delta.checkpointInterval=4",
            "--property", "delta.logRetentionDuration=interval 0 seconds")
    for _ in range(9):
        run_cli("delta", "write", path, "--input", src)
    time.sleep(0.01)
    dry = run_cli("delta", "vacuum", path, "--log", "--dry-run").stdout
    assert "00000000000000000000.json" in dry and "00000000000000000008.json" not in dry
    run_cli("delta", "vacuum", path, "--log")
    log = sorted(os.listdir(path / "_delta_log"))
    assert "00000000000000000000.json" not in log and "00000000000000000008.checkpoint.parquet" in log
    snap = json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)
    assert snap["version"] == 9 and snap["num_rows"] == 10
    assert DeltaTable(str(path)).to_pyarrow_table().num_rows == 10
