"""Reader features on tables made at run time: column mapping (name and id) written by delta-rs,
multi-part checkpoints, and time travel by timestamp (in-commit timestamps)."""

import json
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli


@pytest.mark.parametrize("mode", ["name", "id"])
def test_column_mapping_tables_written_by_delta_rs(cli, tmp_path, mode):
    path = tmp_path / mode
    write_deltalake(path, pa.table({"a b": [1, 2], "c": ["x", None]}), partition_by=["c"],
                    configuration={"delta.columnMapping.mode": mode})
    write_deltalake(path, pa.table({"a b": [3], "c": ["z/w"]}), mode="append")
    snap = json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)
    assert snap["properties"]["delta.columnMapping.mode"] == mode
    for v in range(2):
        ours = read_ours(path, tmp_path, version=v)
        assert ours.column_names == ["a b", "c"]
        assert_same_content(ours, delta_rs_read(path, v).select(ours.column_names))
    ours = read_ours(path, tmp_path, filter="\"a b\" > 1 AND c IS NOT NULL")
    assert ours.column("a b").to_pylist() == [3]


def test_multi_part_checkpoint(cli, tmp_path):
    path = tmp_path / "mp"
    src = tmp_path / "a.parquet"
    for i in range(5):
        pq.write_table(pa.table({"i": [i, i + 10], "p": ["x", "y"]}), src)
        run_cli("delta", "write", path, "--input", src, "--partition-by", "p")
    run_cli("delta", "checkpoint", path)
    log = path / "_delta_log"
    single = log / "00000000000000000004.checkpoint.parquet"
    whole = pq.read_table(single)
    half = whole.num_rows // 2
    pq.write_table(whole.slice(0, half), log / "00000000000000000004.checkpoint.0000000001.0000000002.parquet")
    pq.write_table(whole.slice(half), log / "00000000000000000004.checkpoint.0000000002.0000000002.parquet")
    single.unlink()
    (log / "_last_checkpoint").write_text(json.dumps({"version": 4, "size": whole.num_rows, "parts": 2}))
    for v in range(5):
        (log / f"{v:020d}.json").unlink()
    snap = json.loads(run_cli("delta", "snapshot", path, "--format", "json").stdout)
    assert snap["version"] == 4 and snap["checkpoint_version"] == 4 and snap["num_rows"] == 10
    ours = read_ours(path, tmp_path)
    assert sorted(ours.column("i").to_pylist()) == sorted([i for i in range(5)] + [i + 10 for i in range(5)])
    # An incomplete multi-part checkpoint is ignored: with one part gone the log is too short.
    (log / "00000000000000000004.checkpoint.0000000002.0000000002.parquet").unlink()
    proc = run_cli("delta", "snapshot", path, check=False)
    assert proc.returncode != 0 and "missing" in proc.stderr


def test_time_travel_by_in_commit_timestamp(cli, tmp_path):
    path = tmp_path / "ict"
    src = tmp_path / "a.parquet"
    stamps = []
    for i in range(3):
        pq.write_table(pa.table({"i": [i]}), src)
        run_cli("delta", "write", path, "--input", src, "--property", "delta.enableInCommitTimestamps=true")
        stamps.append(max(json.loads(l)["commitInfo"]["inCommitTimestamp"]
                          for l in (path / "_delta_log" / f"{i:020d}.json").read_text().splitlines()
                          if "commitInfo" in l))
        time.sleep(0.02)
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    assert "inCommitTimestamp" in DeltaTable(str(path)).protocol().writer_features
    for v, ts in enumerate(stamps):
        out = tmp_path / f"t{v}.parquet"
        run_cli("delta", "read", path, "--timestamp", ts, "--out", out)
        assert sorted(pq.read_table(out).column("i").to_pylist()) == list(range(v + 1))
    proc = run_cli("delta", "read", path, "--timestamp", stamps[0] - 1000, "--out", tmp_path / "x.parquet",
                   check=False)
    assert proc.returncode != 0 and "before the earliest" in proc.stderr
    assert DeltaTable(str(path)).to_pyarrow_table().num_rows == 3
