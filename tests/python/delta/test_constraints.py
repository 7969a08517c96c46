"""CHECK constraints across writers: constraints delta-rs adds are enforced by our writes, and
constraints we create with a table are enforced by delta-rs's writes."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli


def write(path, table, tmp_path, *args, check=True):
    src = tmp_path / f"in-{abs(hash((str(path), table.num_rows, args)))}.parquet"
    pq.write_table(table, src)
    return run_cli("delta", "write", path, "--input", src, *args, check=check)


def test_we_enforce_a_constraint_delta_rs_added(cli, tmp_path):
    path = tmp_path / "rs"
    first = pa.table({"g": ["a", "b"], "v": pa.array([1, 2], pa.int64())})
    write_deltalake(str(path), first)
    DeltaTable(str(path)).alter.add_constraint({"v_positive": "v > 0"})
    version = DeltaTable(str(path)).version()

    bad = write(path, pa.table({"g": ["c"], "v": pa.array([-1], pa.int64())}), tmp_path, check=False)
    assert bad.returncode != 0
    assert "delta.constraints.v_positive" in bad.stderr and "1 of 1 rows" in bad.stderr
    assert DeltaTable(str(path)).version() == version

    good = pa.table({"g": ["c"], "v": pa.array([3], pa.int64())})
    r = json.loads(write(path, good, tmp_path).stdout)
    assert r["version"] == version + 1
    expected = pa.concat_tables([first, good])
    ours = read_ours(path, tmp_path)
    assert_same_content(ours, expected)
    assert_same_content(ours, delta_rs_read(path).select(ours.column_names))


def test_delta_rs_enforces_a_constraint_we_created(cli, tmp_path):
    path = tmp_path / "ours"
    first = pa.table({"g": ["a"], "v": pa.array([5], pa.int64())})
    write(path, first, tmp_path, "--property", "delta.constraints.small=v < 10")
    dt = DeltaTable(str(path))
    assert "checkConstraints" in (dt.protocol().writer_features or [])
    assert dt.metadata().configuration["delta.constraints.small"] == "v < 10"
    with pytest.raises(Exception):
        write_deltalake(str(path), pa.table({"g": ["b"], "v": pa.array([50], pa.int64())}), mode="append")
    write_deltalake(str(path), pa.table({"g": ["b"], "v": pa.array([6], pa.int64())}), mode="append")
    assert read_ours(path, tmp_path).num_rows == 2


def test_constraint_outside_our_grammar_refuses_writes(cli, tmp_path):
    path = tmp_path / "or"
    write_deltalake(str(path), pa.table({"v": pa.array([1], pa.int64())}))
    DeltaTable(str(path)).alter.add_constraint({"either": "v > 0 OR v < -10"})
    bad = write(path, pa.table({"v": pa.array([2], pa.int64())}), tmp_path, check=False)
    assert bad.returncode != 0 and "delta.constraints.either" in bad.stderr
    assert bad.stderr.count("\n") == 1
