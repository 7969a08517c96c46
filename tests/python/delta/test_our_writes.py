"""Tables written by our writer (through `anatomy delta write/delete/checkpoint`) are read by
delta-rs with identical contents, pass delta-rs's file check, have Parquet files DuckDB reads,
and accept delta-rs appends that we then read."""

import json
import os

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli
from test_delta_rs_written import PARTS, _typed_table


def write(path, table, tmp_path, *args):
    src = tmp_path / f"in-{abs(hash((str(path), table.num_rows, args)))}.parquet"
    pq.write_table(table, src)
    return json.loads(run_cli("delta", "write", path, "--input", src, *args).stdout)


def check_interop(path, tmp_path, expected=None):
    """delta-rs (both read paths) sees exactly what we see; DuckDB reads every data file."""
    ours = read_ours(path, tmp_path)
    dt = DeltaTable(str(path))
    assert dt.version() == json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)["version"]
    assert_same_content(ours, dt.to_pyarrow_table().select(ours.column_names))
    assert_same_content(ours, delta_rs_read(path).select(ours.column_names))
    if expected is not None:
        assert_same_content(ours, expected.select(ours.column_names))
    # delta-rs's own consistency check: no file referenced by the log is missing.
    assert dt.repair(dry_run=True)["files_removed"] == []
    parts = set(dt.metadata().partition_columns)
    data_cols = [c for c in ours.column_names if c not in parts]
    uris = dt.file_uris()
    if uris:
        con = duckdb.connect()
        n = 0
        for u in uris:
            f = u.replace("file://", "")
            q = "read_parquet(?, hive_partitioning = false)"
            n += con.execute(f"select count(*) from {q}", [f]).fetchone()[0]
            cols = [r[0] for r in con.execute(f"describe select * from {q}", [f]).fetchall()]
            # Partition columns live in the log, not the files; older files may predate a schema merge.
            assert cols and set(cols) <= set(data_cols), (cols, data_cols)
        assert n == ours.num_rows
    return ours


def test_typed_table_round_trips(cli, tmp_path):
    path = tmp_path / "typed"
    data = _typed_table(50)
    r = write(path, data, tmp_path)
    assert r["committed"] and r["version"] == 0
    ours = check_interop(path, tmp_path, expected=data)
    proto = DeltaTable(str(path)).protocol()
    assert "timestampNtz" in (proto.reader_features or [])  # chosen because the schema needs it
    assert ours.schema.field("ntz").type == pa.timestamp("us")


def test_decimal_stats_prune_like_delta_rs(cli, tmp_path):
    import decimal
    path = tmp_path / "dec"
    d = decimal.Decimal
    for lo in (0, 100, 200):
        values = [d(lo + i) / 4 for i in range(50)] + [None]
        t = pa.table({"amount": pa.array(values, pa.decimal128(10, 2)),
                      "wide": pa.array(values, pa.decimal128(30, 2))})
        write(path, t, tmp_path)
    # Each file's stats hold its exact bounds as JSON numbers (none for the 30-digit column).
    adds = pa.table(DeltaTable(str(path)).get_add_actions(flatten=True)).to_pydict()
    mins = sorted(float(v) for v in adds["min.amount"])
    maxs = sorted(float(v) for v in adds["max.amount"])
    assert mins == [0.0, 25.0, 50.0] and maxs == [12.25, 37.25, 62.25]
    assert all(v is None for v in adds.get("min.wide", [None]))
    # A filter on the column prunes to the one file that may match, and reads what delta-rs reads.
    plan = json.loads(run_cli("delta", "read", path, "--filter", "amount >= 40.5",
                              "--out", tmp_path / "f.parquet", "--plan").stdout.splitlines()[0])
    assert plan["candidate_files"] == 1 and plan["pruned_by_stats"] == 2
    ours = pq.read_table(tmp_path / "f.parquet")
    theirs = delta_rs_read(path).filter(pa.compute.greater_equal(
        delta_rs_read(path)["amount"], pa.scalar(d("40.5"), pa.decimal128(10, 2))))
    assert_same_content(ours, theirs.select(ours.column_names))
    check_interop(path, tmp_path)


def test_partitioned_escaped_and_null_values(cli, tmp_path):
    path = tmp_path / "parts"
    n = 40
    data = pa.table({
        "p": pa.array([PARTS[i % len(PARTS)] for i in range(n)], pa.string()),
        "k": pa.array([i % 3 for i in range(n)], pa.int32()),
        "v": pa.array(range(n), pa.int64()),
    })
    write(path, data, tmp_path, "--partition-by", "p,k")
    check_interop(path, tmp_path, expected=data)
    assert DeltaTable(str(path)).metadata().partition_columns == ["p", "k"]


def test_overwrite_replace_where_delete_and_history(cli, tmp_path):
    path = tmp_path / "ops"
    base = pa.table({"g": ["a", "a", "b", "c"], "v": [1, 2, 3, 4]})
    write(path, base, tmp_path, "--partition-by", "g", "--metadata", "run=1")
    write(path, pa.table({"g": ["b"], "v": [30]}), tmp_path, "--mode", "overwrite", "--replace-where", "g = 'b'")
    check_interop(path, tmp_path, expected=pa.table({"g": ["a", "a", "b", "c"], "v": [1, 2, 30, 4]}))
    r = json.loads(run_cli("delta", "delete", path, "--where", "g IN ('a')").stdout)
    assert r["files_removed"] == 1
    check_interop(path, tmp_path, expected=pa.table({"g": ["b", "c"], "v": [30, 4]}))
    write(path, pa.table({"g": ["z"], "v": [9]}), tmp_path, "--mode", "overwrite")
    check_interop(path, tmp_path, expected=pa.table({"g": ["z"], "v": [9]}))
    hist = DeltaTable(str(path)).history()
    assert [h["operation"] for h in hist] == ["WRITE", "DELETE", "WRITE", "WRITE"]
    assert hist[-1]["run"] == "1" and hist[-1]["engineInfo"].startswith("anatomy")
    # Time travel through delta-rs to what we wrote at version 1.
    assert_same_content(read_ours(path, tmp_path, version=1), DeltaTable(str(path), version=1).to_pyarrow_table())
    # A replaceWhere whose rows fall outside the predicate is refused.
    src = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"g": ["q"], "v": [1]}), src)
    proc = run_cli("delta", "write", path, "--input", src, "--mode", "overwrite", "--replace-where", "g = 'z'", check=False)
    assert proc.returncode != 0 and "replaceWhere" in proc.stderr


def test_row_level_replace_and_delete(cli, tmp_path):
    """Rows matching a predicate on any column are replaced or deleted in one commit; only the
    files holding them are rewritten, and delta-rs reads the same rows."""
    path = tmp_path / "rows"
    write(path, pa.table({"g": ["a", "a", "b"], "v": [1, 2, 3]}), tmp_path, "--partition-by", "g")
    write(path, pa.table({"g": ["c"], "v": [40]}), tmp_path)
    r = write(path, pa.table({"g": ["a", "d"], "v": [20, 50]}), tmp_path, "--mode", "overwrite",
              "--replace-rows-where", "v IN (2, 3)")
    assert r["files_removed"] == 2  # the a and b files; the c file is pruned by its partition
    check_interop(path, tmp_path, expected=pa.table({"g": ["a", "a", "c", "d"], "v": [1, 20, 40, 50]}))
    r = json.loads(run_cli("delta", "delete", path, "--where", "v > 10 AND g <> 'd'").stdout)
    assert r["files_removed"] == 2
    check_interop(path, tmp_path, expected=pa.table({"g": ["a", "d"], "v": [1, 50]}))
    hist = DeltaTable(str(path)).history()
    assert [h["operation"] for h in hist][:2] == ["DELETE", "WRITE"]
    assert "v IN" in hist[1]["operationParameters"]["predicate"]
    # delta-rs deletes rows from our table by a data predicate; we read what it left.
    DeltaTable(str(path)).delete("v = 1")
    check_interop(path, tmp_path, expected=pa.table({"g": ["d"], "v": [50]}))


def test_deletion_vectors_mark_rows_and_delta_rs_applies_them(cli, tmp_path):
    """A row-level replace asking for deletion vectors upgrades the table in its own commit and
    marks the replaced rows instead of rewriting files; a later delete marks rows too. delta-rs
    applies our DVs and reads exactly what we read."""
    path = tmp_path / "dv"
    write(path, pa.table({"g": ["a", "a", "b"], "v": [1, 2, 3]}), tmp_path)
    before = set(DeltaTable(str(path)).file_uris())
    r = write(path, pa.table({"g": ["x"], "v": [9]}), tmp_path, "--mode", "overwrite",
              "--replace-rows-where", "v = 2", "--feature", "deletionVectors")
    assert r["files_removed"] == 1 and r["rows_written"] == 1  # a:1 and b:3 are not written again
    protocol = DeltaTable(str(path)).protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (3, 7)
    assert protocol.reader_features == ["deletionVectors"]
    assert before <= set(DeltaTable(str(path)).file_uris())  # the file is still there, marked
    r = json.loads(run_cli("delta", "delete", path, "--where", "v = 3").stdout)
    assert r["rows_written"] == 0
    assert len([f for f in os.listdir(path) if f.startswith("deletion_vector_")]) == 2
    ours = read_ours(path, tmp_path)
    assert_same_content(ours, pa.table({"g": ["a", "x"], "v": [1, 9]}))
    assert_same_content(ours, delta_rs_read(path).select(ours.column_names))


def test_schema_merge_and_overwrite(cli, tmp_path):
    path = tmp_path / "schema"
    write(path, pa.table({"a": [1, 2]}), tmp_path)
    src = tmp_path / "wide.parquet"
    pq.write_table(pa.table({"a": [3], "b": ["new"]}), src)
    proc = run_cli("delta", "write", path, "--input", src, check=False)
    assert proc.returncode != 0 and "schema" in proc.stderr
    run_cli("delta", "write", path, "--input", src, "--schema-mode", "merge")
    check_interop(path, tmp_path, expected=pa.table({"a": [1, 2, 3], "b": [None, None, "new"]}))
    write(path, pa.table({"z": [True]}), tmp_path, "--mode", "overwrite", "--schema-mode", "overwrite")
    check_interop(path, tmp_path, expected=pa.table({"z": [True]}))


def test_checkpoints_interval_and_on_demand(cli, tmp_path):
    path = tmp_path / "cp"
    for i in range(7):
        args = ["--property", "delta.checkpointInterval=3"] if i == 0 else []
        write(path, pa.table({"i": [i], "s": [f"r{i}"]}), tmp_path, *args)
    log = path / "_delta_log"
    assert (log / "00000000000000000003.checkpoint.parquet").exists()
    assert (log / "00000000000000000006.checkpoint.parquet").exists()
    assert json.loads((log / "_last_checkpoint").read_text())["version"] == 6
    check_interop(path, tmp_path, expected=pa.table({"i": list(range(7)), "s": [f"r{i}" for i in range(7)]}))
    write(path, pa.table({"i": [7], "s": ["r7"]}), tmp_path)
    out = run_cli("delta", "checkpoint", path).stdout
    assert "version 7" in out
    # delta-rs loads from our checkpoint alone: hide the commits it covers.
    for v in range(8):
        (log / f"{v:020d}.json").rename(tmp_path / f"{v}.json.bak")
    ours = check_interop(path, tmp_path)
    assert ours.num_rows == 8


def test_app_transactions_are_idempotent(cli, tmp_path):
    path = tmp_path / "txn"
    r1 = write(path, pa.table({"a": [1]}), tmp_path, "--app-id", "job", "--app-version", "1")
    r2 = write(path, pa.table({"a": [1]}), tmp_path, "--app-id", "job", "--app-version", "1")
    r3 = write(path, pa.table({"a": [2]}), tmp_path, "--app-id", "job", "--app-version", "2")
    assert r1["committed"] and not r2["committed"] and r3["committed"]
    assert DeltaTable(str(path)).transaction_version("job") == 2
    check_interop(path, tmp_path, expected=pa.table({"a": [1, 2]}))


def test_target_file_size_splits_files(cli, tmp_path):
    path = tmp_path / "split"
    data = pa.table({"v": pa.array(range(200_000), pa.int64()), "s": [f"value-{i}" for i in range(200_000)]})
    r = write(path, data, tmp_path, "--target-file-size", "100000", "--row-group-rows", "20000")
    assert r["files_added"] > 2
    check_interop(path, tmp_path, expected=data)


def test_features_and_append_only(cli, tmp_path):
    path = tmp_path / "cdf"
    write(path, pa.table({"a": [1]}), tmp_path, "--property", "delta.enableChangeDataFeed=true",
          "--property", "delta.appendOnly=true", "--feature", "domainMetadata")
    src = tmp_path / "more.parquet"
    pq.write_table(pa.table({"a": [2]}), src)
    proto = DeltaTable(str(path)).protocol()
    assert proto.min_writer_version == 7 and {"changeDataFeed", "appendOnly", "domainMetadata"} <= set(proto.writer_features)
    proc = run_cli("delta", "write", path, "--input", src, "--mode", "overwrite", check=False)
    assert proc.returncode != 0 and "append-only" in proc.stderr
    check_interop(path, tmp_path)


def test_delta_rs_appends_to_our_table(cli, tmp_path):
    path = tmp_path / "mixed"
    write(path, pa.table({"g": ["a", None], "v": [1, 2]}), tmp_path, "--partition-by", "g")
    write_deltalake(path, pa.table({"g": ["b", "a/x"], "v": [3, 4]}), mode="append")
    write(path, pa.table({"g": ["c"], "v": [5]}), tmp_path)
    check_interop(path, tmp_path, expected=pa.table({"g": ["a", None, "b", "a/x", "c"], "v": [1, 2, 3, 4, 5]}))


def test_refuses_to_write_unsupported_features(cli, tmp_path):
    path = tmp_path / "rt"
    write_deltalake(path, pa.table({"a": [1]}))
    # A protocol upgrade to a writer feature we do not implement (row tracking).
    proto = {"protocol": {"minReaderVersion": 1, "minWriterVersion": 7,
                          "writerFeatures": ["domainMetadata", "rowTracking"]}}
    (path / "_delta_log" / "00000000000000000001.json").write_text(json.dumps(proto) + "\n")
    src = tmp_path / "a.parquet"
    pq.write_table(pa.table({"a": [2]}), src)
    proc = run_cli("delta", "write", path, "--input", src, check=False)
    assert proc.returncode != 0 and "rowTracking" in proc.stderr
    assert proc.stderr.count("\n") == 1
