"""V2 checkpoints we write (tables with the v2Checkpoint feature): UUID-named Parquet files with
one checkpointMetadata action, read by delta-rs with the commits before them deleted, so the
checkpoint alone carries the state."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli


def write(path, table, tmp_path, *args):
    src = tmp_path / f"in-{abs(hash((str(path), table.num_rows, args)))}.parquet"
    pq.write_table(table, src)
    return json.loads(run_cli("delta", "write", path, "--input", src, *args).stdout)


def rows(first, n):
    return pa.table({"p": ["x" if i % 2 else "y" for i in range(n)],
                     "v": pa.array(range(first, first + n), pa.int64())})


def test_v2_checkpoint_is_read_by_delta_rs_without_earlier_commits(cli, tmp_path):
    path = tmp_path / "v2"
    parts = [rows(0, 4), rows(10, 3), rows(20, 2)]
    write(path, parts[0], tmp_path, "--feature", "v2Checkpoint", "--partition-by", "p")
    for t in parts[1:]:
        write(path, t, tmp_path)
    run_cli("delta", "checkpoint", path)
    parts.append(rows(30, 1))
    write(path, parts[-1], tmp_path)

    log = path / "_delta_log"
    cps = sorted(p.name for p in log.iterdir() if ".checkpoint." in p.name)
    assert len(cps) == 1 and cps[0].startswith("00000000000000000002.checkpoint.")
    assert cps[0].endswith(".parquet") and len(cps[0]) == 20 + 12 + 36 + 8
    last = json.loads((log / "_last_checkpoint").read_text())
    assert last["version"] == 2 and last["v2Checkpoint"]["path"] == cps[0]

    # Hand-checked against PROTOCOL.md "Checkpoint Schema" / "V2 Spec": one checkpointMetadata
    # row with the version, the usual action columns, no sidecars.
    cp = pq.read_table(log / cps[0])
    schema = cp.schema
    meta_type = schema.field("checkpointMetadata").type
    assert [f.name for f in meta_type] == ["version", "tags"]
    assert meta_type.field("version").type == pa.int64()
    assert {"add", "remove", "metaData", "protocol", "txn"} <= set(schema.names)
    assert "sidecar" not in schema.names
    metas = [m for m in cp.column("checkpointMetadata").to_pylist() if m is not None]
    assert metas == [{"version": 2, "tags": None}]
    assert sum(a is not None for a in cp.column("add").to_pylist()) == 6

    for v in range(3):  # the checkpoint must carry everything up to version 2
        (log / f"{v:020d}.json").unlink()
    expected = pa.concat_tables(parts)
    ours = read_ours(path, tmp_path)
    assert_same_content(ours, expected)
    dt = DeltaTable(str(path))
    assert dt.version() == 3
    assert "v2Checkpoint" in (dt.protocol().reader_features or [])
    assert_same_content(ours, delta_rs_read(path).select(ours.column_names))

    # delta-rs appends after our V2 checkpoint; we read its commit on top of the checkpoint.
    more = rows(40, 2)
    write_deltalake(str(path), more, mode="append")
    assert_same_content(read_ours(path, tmp_path), pa.concat_tables([expected, more]))


def test_automatic_v2_checkpoints_with_column_mapping(cli, tmp_path):
    path = tmp_path / "v2cm"
    parts = [rows(0, 2)]
    write(path, parts[0], tmp_path, "--feature", "v2Checkpoint", "--partition-by", "p",
          "--property", "delta.columnMapping.mode=name", "--property", "delta.checkpointInterval=2")
    for i in range(1, 4):
        parts.append(rows(i * 10, 2))
        write(path, parts[-1], tmp_path)
    log = path / "_delta_log"
    assert any(p.name.startswith("00000000000000000002.checkpoint.") for p in log.iterdir())
    for v in range(3):
        (log / f"{v:020d}.json").unlink()
    ours = read_ours(path, tmp_path)
    assert_same_content(ours, pa.concat_tables(parts))
    assert_same_content(ours, delta_rs_read(path).select(ours.column_names))
