"""Column-mapped tables (name and id modes) across writers: what we write delta-rs reads with
identical contents, we append to tables delta-rs (or Databricks, in the conformance data)
created with column mapping, and delta-rs appends to ours."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli, shared_dir


def write(path, table, tmp_path, *args):
    src = tmp_path / f"in-{abs(hash((str(path), table.num_rows, args)))}.parquet"
    pq.write_table(table, src)
    return json.loads(run_cli("delta", "write", path, "--input", src, *args).stdout)


def rows(offset, n):
    return pa.table({
        "p": pa.array(["even" if i % 2 == 0 else "odd" for i in range(n)]),
        "n b": pa.array(range(offset, offset + n), pa.int64()),
        "s": pa.array([{"x": i, "y": f"y{i}"} for i in range(n)],
                      pa.struct([("x", pa.int32()), ("y", pa.string())])),
    })


def check(path, tmp_path, expected):
    ours = read_ours(path, tmp_path)
    theirs = delta_rs_read(path).select(ours.column_names)
    assert_same_content(ours, theirs)
    assert_same_content(ours, expected.select(ours.column_names))
    return ours


def schema_fields(path):
    return json.loads(DeltaTable(str(path)).schema().to_json())["fields"]


@pytest.mark.parametrize("mode", ["name", "id"])
def test_our_mapped_table_is_read_by_delta_rs(cli, tmp_path, mode):
    path = tmp_path / f"cm-{mode}"
    first = rows(0, 6)
    write(path, first, tmp_path, "--partition-by", "p", "--property", f"delta.columnMapping.mode={mode}")
    dt = DeltaTable(str(path))
    assert "columnMapping" in (dt.protocol().reader_features or [])
    config = dt.metadata().configuration
    assert config["delta.columnMapping.mode"] == mode
    assert config["delta.columnMapping.maxColumnId"] == "5"  # p, n b, s, s.x, s.y
    fields = schema_fields(path)
    physical = {f["name"]: f["metadata"]["delta.columnMapping.physicalName"] for f in fields}
    assert all(v.startswith("col-") for v in physical.values())
    # The data files hold physical names only; partition values are keyed by physical name.
    log = (path / "_delta_log" / "00000000000000000000.json").read_text().splitlines()
    adds = [json.loads(line)["add"] for line in log if '"add"' in line]
    assert adds
    for add in adds:
        assert set(add["partitionValues"]) == {physical["p"]}
        assert set(json.loads(add["stats"])["minValues"]) <= set(physical.values())
        file_cols = pq.read_schema(path / add["path"]).names
        assert file_cols == [physical["n b"], physical["s"]]
    check(path, tmp_path, first)

    # Append, then a schema merge: the new column gets id 6 and delta-rs reads nulls before it.
    second = rows(100, 3)
    write(path, second, tmp_path)
    third = rows(200, 2).append_column("z", pa.array(["z0", "z1"]))
    write(path, third, tmp_path, "--schema-mode", "merge")
    dt = DeltaTable(str(path))
    assert dt.metadata().configuration["delta.columnMapping.maxColumnId"] == "6"
    z = [f for f in schema_fields(path) if f["name"] == "z"][0]
    assert z["metadata"]["delta.columnMapping.id"] == 6
    expected = pa.concat_tables([
        first.append_column("z", pa.nulls(6, pa.string())),
        second.append_column("z", pa.nulls(3, pa.string())),
        third,
    ])
    check(path, tmp_path, expected)

    # Row-level delete rewrites files in the physical layout; delta-rs agrees on the rest.
    run_cli("delta", "delete", path, "--where", '"n b" IN (1, 201)')
    keep = pa.compute.invert(pa.compute.is_in(expected["n b"], pa.array([1, 201])))
    check(path, tmp_path, expected.filter(keep))


def test_we_append_to_delta_rs_mapped_table_and_back(cli, tmp_path):
    path = tmp_path / "rs-cm"
    theirs = pa.table({"p": ["a", "b"], "n b": pa.array([1, 2], pa.int64())})
    write_deltalake(str(path), theirs, partition_by=["p"],
                    configuration={"delta.columnMapping.mode": "name"})
    ours = pa.table({"p": ["a", "c"], "n b": pa.array([10, 20], pa.int64())})
    r = write(path, ours, tmp_path)
    assert r["committed"] and r["version"] == 1
    expected = pa.concat_tables([theirs, ours])
    check(path, tmp_path, expected)
    # delta-rs appends to the table we wrote to, with the physical names we used.
    more = pa.table({"p": ["d"], "n b": pa.array([30], pa.int64())})
    write_deltalake(str(path), more, mode="append")
    check(path, tmp_path, pa.concat_tables([expected, more]))


def test_delta_rs_appends_to_our_mapped_table(cli, tmp_path):
    path = tmp_path / "ours-cm"
    first = pa.table({"p": ["a", "b"], "v": pa.array([1, 2], pa.int64())})
    write(path, first, tmp_path, "--partition-by", "p", "--property", "delta.columnMapping.mode=name")
    more = pa.table({"p": ["b", "c"], "v": pa.array([3, 4], pa.int64())})
    write_deltalake(str(path), more, mode="append")
    check(path, tmp_path, pa.concat_tables([first, more]))


@pytest.mark.parametrize("name", ["table_with_column_mapping", "table_with_partitioning_mapping"])
def test_we_append_to_conformance_mapped_table(cli, tmp_path, name):
    shared = shared_dir()
    if shared is None or not (shared / "conformance" / "delta-rs" / name).is_dir():
        pytest.skip("conformance data absent (set ANATOMY_SHARED_DIR)")
    path = tmp_path / name
    shutil.copytree(shared / "conformance" / "delta-rs" / name, path)
    before = read_ours(path, tmp_path)
    cols = before.schema
    extra = pa.table({f.name: pa.array([None, None], f.type) for f in cols})
    # Non-null values of the right type for every column.
    for i, f in enumerate(cols):
        sample = [v for v in before[f.name].to_pylist() if v is not None][:1] * 2
        if sample:
            extra = extra.set_column(i, f.name, pa.array(sample, f.type))
    write(path, extra, tmp_path)
    check(path, tmp_path, pa.concat_tables([before, extra]))


@pytest.mark.parametrize("mode", ["name", "id"])
def test_nested_lists_and_maps_of_structs(cli, tmp_path, mode):
    """Struct fields inside lists and maps get their own ids and physical names too."""
    path = tmp_path / f"nested-{mode}"
    data = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "l": pa.array([[{"a": 1}], None, [{"a": 2}, {"a": None}]],
                      pa.list_(pa.struct([("a", pa.int32())]))),
        "m": pa.array([[("k", {"b": "x"})], None, []],
                      pa.map_(pa.string(), pa.struct([("b", pa.string())]))),
    })
    write(path, data, tmp_path, "--property", f"delta.columnMapping.mode={mode}")
    assert DeltaTable(str(path)).metadata().configuration["delta.columnMapping.maxColumnId"] == "5"
    files = [p for p in path.iterdir() if p.suffix == ".parquet"]
    file_schema = pq.read_schema(files[0])
    assert all(name.startswith("col-") for name in file_schema.names)
    inner = file_schema.field(1).type.value_type  # list element struct
    assert inner[0].name.startswith("col-") and inner[0].metadata[b"PARQUET:field_id"] == b"3"
    check(path, tmp_path, data)
