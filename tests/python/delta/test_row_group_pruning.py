"""Row-group pruning against an independent writer and reader: delta-rs writes one file of many
small row groups (parquet-rs statistics, nulls in several columns); our filtered scans, which skip
row groups by those statistics, must return exactly the rows of filtering delta-rs's full read."""

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable, WriterProperties, write_deltalake

from conftest import assert_same_content, read_ours

N = 1000
UTC = dt.timezone.utc
TS0 = dt.datetime(2021, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def _rows():
    ids = list(range(N))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "i32": pa.array([None if i % 7 == 0 else i for i in ids], pa.int32()),
        "f64": pa.array([i * 1.5 for i in ids], pa.float64()),
        "s": pa.array([f"str-{i:04d}" if i % 5 else None for i in ids], pa.string()),
        "d": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in ids], pa.date32()),
        "ts": pa.array([TS0 + dt.timedelta(seconds=i) for i in ids], pa.timestamp("us", "UTC")),
        "dec": pa.array([decimal.Decimal(i) / 100 for i in ids], pa.decimal128(10, 2)),
    })


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("rg") / "t"
    write_deltalake(path, _rows(), writer_properties=WriterProperties(max_row_group_size=100))
    assert len(DeltaTable(str(path)).file_uris()) == 1
    return path


@pytest.mark.parametrize("expr,pyfilter", [
    ("id >= 250 AND id < 300", lambda t: pc.and_(pc.greater_equal(t["id"], 250), pc.less(t["id"], 300))),
    ("i32 >= 994", lambda t: pc.greater_equal(t["i32"], 994)),
    ("i32 IS NULL AND id > 900", lambda t: pc.and_(pc.is_null(t["i32"]), pc.greater(t["id"], 900))),
    ("i32 IN (5, 7, 905)", lambda t: pc.is_in(t["i32"], pa.array([5, 7, 905], pa.int32()))),
    ("f64 > 1400.5", lambda t: pc.greater(t["f64"], 1400.5)),
    ("s = 'str-0551'", lambda t: pc.equal(t["s"], "str-0551")),
    ("s IS NULL AND id < 120", lambda t: pc.and_(pc.is_null(t["s"]), pc.less(t["id"], 120))),
    ("d <= '2020-02-01'", lambda t: pc.less_equal(t["d"], pa.scalar(dt.date(2020, 2, 1)))),
    ("ts > '2021-05-06T07:24:49.123456Z'",
     lambda t: pc.greater(t["ts"], pa.scalar(TS0 + dt.timedelta(seconds=1000), pa.timestamp("us", "UTC")))),
    ("ts >= '2021-05-06T07:24:48.123456Z'",
     lambda t: pc.greater_equal(t["ts"], pa.scalar(TS0 + dt.timedelta(seconds=999), pa.timestamp("us", "UTC")))),
    ("id <> 3", lambda t: pc.not_equal(t["id"], 3)),
])
def test_pruned_scan_matches_delta_rs(cli, tmp_path, table, expr, pyfilter):
    full = DeltaTable(str(table)).to_pyarrow_table()
    want = full.filter(pyfilter(full))
    ours = read_ours(table, tmp_path, filter=expr)
    assert ours.num_rows == want.num_rows, expr
    assert_same_content(ours, want.select(ours.column_names))


def test_plan_reports_the_row_groups_read(cli, tmp_path, table):
    import json
    out = tmp_path / "p.parquet"
    plan = json.loads(cli("delta", "read", table, "--filter", "id >= 250 AND id < 300", "--out", out,
                          "--plan").stdout.splitlines()[0])
    # One file of ten 100-row groups: only the group holding ids 200..299 is decoded.
    assert (plan["candidate_files"], plan["row_groups_total"], plan["row_groups_read"]) == (1, 10, 1)
    plan = json.loads(cli("delta", "read", table, "--out", out, "--plan").stdout.splitlines()[0])
    assert (plan["row_groups_total"], plan["row_groups_read"]) == (10, 10)
