"""`anatomy delta optimize`: small files compacted per partition, content unchanged, checked
with delta-rs reading the table before and after, its history and its change data feed."""

import json
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours


def small_appends(path, batches=6, rows=50):
    """A table with `batches` small appends into two partitions, written by delta-rs."""
    for b in range(batches):
        ids = list(range(b * rows, (b + 1) * rows))
        t = pa.table({
            "part": ["a" if i % 3 else "b" for i in ids],
            "file_id": [f"file:{(i * 7919) % 13:02d}" for i in ids],
            "id": ids,
            "text": [f"row {i}" for i in ids],
        })
        write_deltalake(str(path), t, mode="append", partition_by=["part"])


def files_by_partition(path):
    out = {}
    for f in DeltaTable(str(path)).file_uris():
        part = pathlib.Path(f).parent.name
        out[part] = out.get(part, 0) + 1
    return out


def last_commit_actions(path):
    log = sorted(pathlib.Path(path, "_delta_log").glob("*.json"))[-1]
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_optimize_compacts_each_partition_and_keeps_the_content(cli, tmp_path):
    path = tmp_path / "t"
    small_appends(path)
    assert files_by_partition(path) == {"part=a": 6, "part=b": 6}
    before = delta_rs_read(path)
    version_before = DeltaTable(str(path)).version()

    out = cli("delta", "optimize", path, "--order-by", "file_id,id").stdout
    assert out.startswith("optimized"), out

    # One file per partition now, read identically by delta-rs and by us.
    assert files_by_partition(path) == {"part=a": 1, "part=b": 1}
    after = delta_rs_read(path)
    assert_same_content(after, before)
    assert_same_content(read_ours(path, tmp_path), before)
    # The rewritten rows are ordered by the columns asked for.
    for f in DeltaTable(str(path)).file_uris():
        rows = pq.read_table(f).select(["file_id", "id"]).to_pylist()
        assert rows == sorted(rows, key=lambda r: (r["file_id"], r["id"]))

    # One commit: OPTIMIZE, every add and remove with dataChange false.
    dt = DeltaTable(str(path))
    assert dt.version() == version_before + 1
    assert dt.history(1)[0]["operation"] == "OPTIMIZE"
    actions = last_commit_actions(path)
    adds = [a["add"] for a in actions if "add" in a]
    removes = [a["remove"] for a in actions if "remove" in a]
    assert len(adds) == 2 and len(removes) == 12
    assert all(a["dataChange"] is False for a in adds + removes)

    # A second run finds nothing to do and commits nothing.
    out = cli("delta", "optimize", path).stdout
    assert out.startswith("nothing to optimize"), out
    assert DeltaTable(str(path)).version() == version_before + 1


def test_optimize_is_invisible_to_the_change_data_feed(cli, tmp_path):
    path = tmp_path / "cdf"
    t = pa.table({"part": ["a"] * 4, "id": [1, 2, 3, 4]})
    write_deltalake(str(path), t, partition_by=["part"],
                    configuration={"delta.enableChangeDataFeed": "true"})
    for i in range(3):
        write_deltalake(str(path), pa.table({"part": ["a"], "id": [10 + i]}), mode="append")
    before = DeltaTable(str(path)).version()
    cli("delta", "optimize", path)
    after = DeltaTable(str(path)).version()
    assert after == before + 1
    # delta-rs sees no change in the optimize commit.
    changes = pa.table(DeltaTable(str(path)).load_cdf(starting_version=after).read_all())
    assert changes.num_rows == 0
    # Appends after the optimize still land and are read.
    write_deltalake(str(path), pa.table({"part": ["a"], "id": [99]}), mode="append")
    assert sorted(delta_rs_read(path).column("id").to_pylist()) == [1, 2, 3, 4, 10, 11, 12, 99]


def test_optimize_only_the_partitions_asked_for(cli, tmp_path):
    path = tmp_path / "some"
    small_appends(path, batches=4)
    before = delta_rs_read(path)
    cli("delta", "optimize", path, "--where", "part = 'b'")
    assert files_by_partition(path) == {"part=a": 4, "part=b": 1}
    assert_same_content(delta_rs_read(path), before)


def test_optimize_leaves_large_files_and_lone_small_files(cli, tmp_path):
    path = tmp_path / "big"
    small_appends(path, batches=3)
    # Every file is above a one-byte threshold: nothing is small, nothing is done.
    out = cli("delta", "optimize", path, "--min-file-size", "1").stdout
    assert out.startswith("nothing to optimize"), out
    # A partition needs at least --min-files small files.
    out = cli("delta", "optimize", path, "--min-files", "4").stdout
    assert out.startswith("nothing to optimize"), out
    assert files_by_partition(path) == {"part=a": 3, "part=b": 3}
