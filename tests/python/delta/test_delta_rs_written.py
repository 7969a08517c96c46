"""Tables written at test time by delta-rs (partitions with nulls and escaped values, many
types, checkpoints, overwrites, schema changes, change data feed): we read every version and
compare with delta-rs; filters prune files and return the same rows as filtering delta-rs's
full read."""

import datetime as dt
import decimal
import json

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli


def _all_versions_match(path, tmp_path):
    latest = DeltaTable(str(path)).version()
    for v in range(latest + 1):
        ours = read_ours(path, tmp_path, version=v)
        theirs = delta_rs_read(path, v)
        assert_same_content(ours, theirs.select(ours.column_names))
    return latest


def _typed_table(n, offset=0):
    ids = list(range(offset, offset + n))
    utc = dt.timezone.utc
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "i8": pa.array([i % 100 for i in ids], pa.int8()),
        "i16": pa.array([i * 3 for i in ids], pa.int16()),
        "i32": pa.array([None if i % 7 == 0 else i for i in ids], pa.int32()),
        "f32": pa.array([i / 4 for i in ids], pa.float32()),
        "f64": pa.array([i * 1.5 for i in ids], pa.float64()),
        "flag": pa.array([i % 2 == 0 for i in ids], pa.bool_()),
        "s": pa.array([f"str-{i}" if i % 5 else None for i in ids], pa.string()),
        "bin": pa.array([bytes([i % 256, 1]) for i in ids], pa.binary()),
        "d": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in ids], pa.date32()),
        "ts": pa.array([dt.datetime(2021, 5, 6, 7, 8, 9, 123456, tzinfo=utc) + dt.timedelta(seconds=i) for i in ids],
                       pa.timestamp("us", "UTC")),
        "ntz": pa.array([dt.datetime(2022, 1, 2, 3, 4, 5) + dt.timedelta(minutes=i) for i in ids], pa.timestamp("us")),
        "dec": pa.array([decimal.Decimal(i) / 100 for i in ids], pa.decimal128(10, 2)),
        "lst": pa.array([[i, i + 1] if i % 3 else None for i in ids], pa.list_(pa.int32())),
        "st": pa.array([{"a": i, "b": f"x{i}"} for i in ids], pa.struct([("a", pa.int64()), ("b", pa.string())])),
        "mp": pa.array([[("k", float(i))] for i in ids], pa.map_(pa.string(), pa.float64())),
    })


def test_many_types_and_versions(cli, tmp_path):
    path = tmp_path / "types"
    write_deltalake(path, _typed_table(20))
    write_deltalake(path, _typed_table(15, 100), mode="append")
    assert _all_versions_match(path, tmp_path) == 1


PARTS = ["a", "a/b", "c d", "x=y", "50%", "ü-é", None, "q?#*"]


def test_empty_string_partition_value_reads_as_null(cli, tmp_path):
    # PROTOCOL.md: "An empty string for any type translates to a null partition value".
    # delta-rs 1.6.6 agrees in to_pyarrow_table; its DataFusion provider returns '' instead.
    path = tmp_path / "empty"
    write_deltalake(path, pa.table({"p": ["", None, "a"], "v": [1, 2, 3]}), partition_by=["p"])
    ours = read_ours(path, tmp_path)
    assert_same_content(ours, DeltaTable(str(path)).to_pyarrow_table().select(ours.column_names))
    assert ours.column("p").null_count == 2


def test_partitions_with_nulls_and_escaped_values(cli, tmp_path):
    path = tmp_path / "parts"
    n = 3 * len(PARTS)
    data = pa.table({
        "p": pa.array([PARTS[i % len(PARTS)] for i in range(n)], pa.string()),
        "n": pa.array([i % 4 for i in range(n)], pa.int64()),
        "d": pa.array([dt.date(2024, 1, 1 + i % 3) for i in range(n)], pa.date32()),
        "v": pa.array(range(n), pa.int64()),
    })
    write_deltalake(path, data, partition_by=["p", "n", "d"])
    write_deltalake(path, data.slice(0, 5), mode="append", partition_by=["p", "n", "d"])
    _all_versions_match(path, tmp_path)
    snap = json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)
    assert snap["partition_columns"] == ["p", "n", "d"]
    assert snap["num_rows"] == n + 5


@pytest.mark.parametrize("expr,pyfilter", [
    ("p = 'a/b'", lambda t: pc.equal(t["p"], "a/b")),
    ("p IS NULL", lambda t: pc.is_null(t["p"])),
    ("p IS NOT NULL AND n >= 2", lambda t: pc.and_(pc.is_valid(t["p"]), pc.greater_equal(t["n"], 2))),
    ("p IN ('c d', 'x=y') AND v < 20", lambda t: pc.and_(pc.is_in(t["p"], pa.array(["c d", "x=y"])), pc.less(t["v"], 20))),
    ("v > 25", lambda t: pc.greater(t["v"], 25)),
    ("v != 3 AND d = '2024-01-02'", lambda t: pc.and_(pc.not_equal(t["v"], 3), pc.equal(t["d"], pa.scalar(dt.date(2024, 1, 2))))),
    ("v <= 1", lambda t: pc.less_equal(t["v"], 1)),
])
def test_filters_prune_and_match(cli, tmp_path, expr, pyfilter):
    path = tmp_path / "filter"
    data = pa.table({
        "p": pa.array([PARTS[i % len(PARTS)] for i in range(30)], pa.string()),
        "n": pa.array([i % 4 for i in range(30)], pa.int64()),
        "d": pa.array([dt.date(2024, 1, 1 + i % 3) for i in range(30)], pa.date32()),
        "v": pa.array(range(30), pa.int64()),
    })
    # One file per 10 rows of v so stats can prune on v.
    for k in range(3):
        write_deltalake(path, data.slice(10 * k, 10), mode="append", partition_by=["p"])
    full = delta_rs_read(path)
    want = full.filter(pyfilter(full))
    out = tmp_path / "f.parquet"
    proc = run_cli("delta", "read", path, "--filter", expr, "--out", out, "--plan")
    plan = json.loads(proc.stdout)
    assert plan["total_files"] == len(DeltaTable(str(path)).file_uris())
    assert plan["candidate_files"] + plan["pruned_files"] == plan["total_files"]
    assert plan["pruned_files"] > 0, plan
    ours = read_ours(path, tmp_path, filter=expr)
    assert_same_content(ours, want.select(ours.column_names))


def test_checkpoints_and_time_travel(cli, tmp_path):
    path = tmp_path / "cp"
    for i in range(12):
        write_deltalake(path, pa.table({"x": [i, i + 100], "s": [f"r{i}", None]}), mode="append")
        if i == 5:
            DeltaTable(str(path)).create_checkpoint()
    write_deltalake(path, pa.table({"x": [999], "s": ["over"]}), mode="overwrite")
    write_deltalake(path, pa.table({"x": [1000], "s": ["after"]}), mode="append")
    DeltaTable(str(path)).create_checkpoint()
    write_deltalake(path, pa.table({"x": [1001], "s": ["tail"]}), mode="append")
    assert _all_versions_match(path, tmp_path) == 14
    snap = json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)
    assert snap["checkpoint_version"] == 13
    assert snap["num_rows"] == 3


def test_schema_merge_and_overwrite(cli, tmp_path):
    path = tmp_path / "schema"
    write_deltalake(path, pa.table({"a": [1, 2], "b": ["x", "y"]}))
    write_deltalake(path, pa.table({"a": [3], "b": ["z"], "c": [1.5]}), mode="append", schema_mode="merge")
    write_deltalake(path, pa.table({"q": [True, False]}), mode="overwrite", schema_mode="overwrite")
    assert _all_versions_match(path, tmp_path) == 2
    v1 = read_ours(path, tmp_path, version=1)
    assert v1.column_names == ["a", "b", "c"]
    assert sorted(v1.column("c").to_pylist(), key=lambda x: (x is not None, x)) == [None, None, 1.5]


def test_change_data_feed_table_contents(cli, tmp_path):
    path = tmp_path / "cdf"
    write_deltalake(path, pa.table({"id": list(range(10)), "g": ["a", "b"] * 5}), partition_by=["g"],
                    configuration={"delta.enableChangeDataFeed": "true"})
    dtab = DeltaTable(str(path))
    dtab.update(updates={"id": "id + 100"}, predicate="id < 3")
    DeltaTable(str(path)).delete("id = 5")
    assert _all_versions_match(path, tmp_path) == 2


def test_bad_path_and_bad_version_are_one_line_errors(cli, tmp_path):
    proc = run_cli("delta", "snapshot", tmp_path / "nope", check=False)
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1 and "not a Delta table" in proc.stderr
    path = tmp_path / "t"
    write_deltalake(path, pa.table({"a": [1]}))
    proc = run_cli("delta", "read", path, "--version", "7", "--out", tmp_path / "o.parquet", check=False)
    assert proc.returncode != 0 and "version 7 does not exist" in proc.stderr
    proc = run_cli("delta", "read", path, "--filter", "a ~ 1", "--out", tmp_path / "o.parquet", check=False)
    assert proc.returncode != 0 and "offset" in proc.stderr


def test_timestamp_stats_truncated_to_ms_do_not_over_prune(cli, tmp_path):
    # Writers store timestamp min/max truncated to milliseconds; a filter between the truncated
    # and the true maximum must still find the row.
    path = tmp_path / "tsms"
    utc = dt.timezone.utc
    write_deltalake(path, pa.table({"ts": pa.array([dt.datetime(2021, 1, 1, 0, 0, 0, 123456, tzinfo=utc)],
                                                   pa.timestamp("us", "UTC"))}))
    ours = read_ours(path, tmp_path, filter="ts > '2021-01-01T00:00:00.123400Z'")
    assert ours.num_rows == 1
    ours = read_ours(path, tmp_path, filter="ts > '2021-01-01T00:00:00.124000Z'")
    assert ours.num_rows == 0


def _decimal_table(path):
    """Three delta-rs files of decimal(10,2) amounts (stats as JSON numbers), partitioned by a
    decimal(5,1) column."""
    D = decimal.Decimal
    chunks = [
        ["1.25", "-3.50", None, "10.00"],
        ["100.01", "200.00", "150.5", "99.99"],
        ["-1000.75", "0.01", "0", "-0.01"],
    ]
    for k, amounts in enumerate(chunks):
        write_deltalake(path, pa.table({
            "id": pa.array(range(4 * k, 4 * k + 4), pa.int64()),
            "amount": pa.array([D(a) if a else None for a in amounts], pa.decimal128(10, 2)),
            "rate": pa.array([D(f"{k}.5")] * 4, pa.decimal128(5, 1)),
        }), mode="append", partition_by=["rate"])


@pytest.mark.parametrize("expr,pyfilter", [
    ("amount = 1.25", lambda t: pc.equal(t["amount"], pa.scalar(decimal.Decimal("1.25"), pa.decimal128(10, 2)))),
    ("amount > 50", lambda t: pc.greater(t["amount"], pa.scalar(decimal.Decimal("50.00"), pa.decimal128(10, 2)))),
    ("amount < -1", lambda t: pc.less(t["amount"], pa.scalar(decimal.Decimal("-1.00"), pa.decimal128(10, 2)))),
    ("amount >= 100.010", lambda t: pc.greater_equal(t["amount"], pa.scalar(decimal.Decimal("100.01"), pa.decimal128(10, 2)))),
    ("amount IN (0, 10)", lambda t: pc.is_in(t["amount"], pa.array([decimal.Decimal(x) for x in ("0.00", "10.00")], pa.decimal128(10, 2)))),
    ("amount IS NULL", lambda t: pc.is_null(t["amount"])),
    ("rate = 1.5 AND amount <= 150.5", lambda t: pc.and_(pc.equal(t["rate"], pa.scalar(decimal.Decimal("1.5"), pa.decimal128(5, 1))), pc.less_equal(t["amount"], pa.scalar(decimal.Decimal("150.50"), pa.decimal128(10, 2))))),
])
def test_decimal_filters_prune_and_match(cli, tmp_path, expr, pyfilter):
    path = tmp_path / "dec"
    _decimal_table(path)
    full = delta_rs_read(path)
    want = full.filter(pyfilter(full))
    out = tmp_path / "f.parquet"
    plan = json.loads(run_cli("delta", "read", path, "--filter", expr, "--out", out, "--plan").stdout)
    assert plan["candidate_files"] + plan["pruned_files"] == plan["total_files"] == 3
    if expr != "amount IS NULL":
        assert plan["pruned_files"] > 0, plan  # decimal stats and partition values are used
    ours = read_ours(path, tmp_path, filter=expr)
    assert_same_content(ours, want.select(ours.column_names))
    assert ours.num_rows == want.num_rows


def test_decimal_literal_with_too_many_places_is_a_clear_error(cli, tmp_path):
    path = tmp_path / "dec"
    _decimal_table(path)
    proc = run_cli("delta", "read", path, "--filter", "amount = 1.255", "--out", tmp_path / "o.parquet", check=False)
    assert proc.returncode != 0
    assert "1.255" in proc.stderr and "decimal places" in proc.stderr, proc.stderr


@pytest.mark.parametrize("hint", ["stale", "removed_checkpoint", "garbage"])
def test_last_checkpoint_hint_is_only_a_hint(cli, tmp_path, hint):
    """delta-rs checkpoints at 5 and 10, commits after both; the hint is then made stale (names
    checkpoint 5, with the commits before 8 cleaned up), names a removed checkpoint, or is
    garbage: we load the same latest version and rows as delta-rs. (delta-rs itself refuses a
    hint naming a removed checkpoint, so there it reads a copy without the hint.)"""
    import shutil
    path = tmp_path / "hint"
    for i in range(13):
        write_deltalake(path, pa.table({"x": [i]}), mode="append")
        if i in (5, 10):
            DeltaTable(str(path)).create_checkpoint()
    log = path / "_delta_log"
    if hint == "stale":
        (log / "_last_checkpoint").write_text(json.dumps({"version": 5, "size": 8}))
        for v in range(8):  # as an interrupted cleanup below checkpoint 10 leaves the log
            (log / f"{v:020d}.json").unlink()
    elif hint == "removed_checkpoint":
        (log / f"{10:020d}.checkpoint.parquet").unlink()
    else:
        (log / "_last_checkpoint").write_text("{not json")
    oracle = path
    if hint == "removed_checkpoint":
        oracle = tmp_path / "oracle"
        shutil.copytree(path, oracle)
        (oracle / "_delta_log" / "_last_checkpoint").unlink()
    theirs = delta_rs_read(oracle)
    snap = json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)
    assert snap["version"] == DeltaTable(str(oracle)).version() == 12
    ours = read_ours(path, tmp_path)
    assert_same_content(ours, theirs)
