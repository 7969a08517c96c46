"""Shared helpers for the delta layer's Python tests (delta-rs and DuckDB as oracles)."""

import datetime as dt
import decimal
import os
import pathlib
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def build_dir() -> pathlib.Path:
    d = os.environ.get("ANATOMY_BUILD_DIR")
    if d:
        return pathlib.Path(d)
    return pathlib.Path(__file__).resolve().parents[3] / "build"


def anatomy_bin() -> str:
    return str(build_dir() / "anatomy")


def shared_dir():
    """The conformance data: ANATOMY_SHARED_DIR, else $ANATOMY_SOURCE_DIR/../shared."""
    env = os.environ.get("ANATOMY_SHARED_DIR")
    if env and pathlib.Path(env).is_dir():
        return pathlib.Path(env)
    src = os.environ.get("ANATOMY_SOURCE_DIR") or str(pathlib.Path(__file__).resolve().parents[3])
    cand = pathlib.Path(src).parent / "shared"
    return cand if cand.is_dir() else None


def run_cli(*args, check=True):
    proc = subprocess.run([anatomy_bin(), *map(str, args)], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"anatomy {' '.join(map(str, args))} failed: {proc.stderr}")
    return proc


def read_ours(table, tmp_path, version=None, columns=None, filter=None) -> pa.Table:
    out = tmp_path / f"ours-{version}-{abs(hash((str(table), columns, filter)))}.parquet"
    args = ["delta", "read", table, "--out", out]
    if version is not None:
        args += ["--version", version]
    if columns:
        args += ["--columns", ",".join(columns)]
    if filter:
        args += ["--filter", filter]
    run_cli(*args)
    return pq.read_table(out)


def delta_rs_read(table, version=None) -> pa.Table:
    """delta-rs's reading of a table version. Its DataFusion provider is used because the
    pyarrow-dataset path (to_pyarrow_table) refuses deletion vectors and v2 checkpoints and
    returns nulls for column-mapped columns in 1.6.6."""
    from deltalake import DeltaTable, QueryBuilder

    dt = DeltaTable(str(table), version=version)
    t = pa.table(QueryBuilder().register("t", dt).execute("select * from t").read_all())
    return t.cast(pa.schema([pa.field(f.name, _plain_type(f.type), f.nullable) for f in t.schema]))


def _plain_type(t):
    """View types (DataFusion's choice) as their plain counterparts so pyarrow compute works."""
    if t == pa.string_view():
        return pa.string()
    if t == pa.binary_view():
        return pa.binary()
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(pa.field(t.value_field.name, _plain_type(t.value_type), t.value_field.nullable))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _plain_type(f.type), f.nullable) for f in t])
    if pa.types.is_map(t):
        return pa.map_(_plain_type(t.key_type), pa.field("value", _plain_type(t.item_type), t.item_field.nullable))
    return t


def schema_order(table, version=None):
    import json

    from deltalake import DeltaTable

    schema = json.loads(DeltaTable(str(table), version=version).schema().to_json())
    return [f["name"] for f in schema["fields"]]


def _norm(v):
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return ("ts", v.isoformat())
    if isinstance(v, (dt.date, decimal.Decimal)):
        return (type(v).__name__, str(v))
    if isinstance(v, float):
        return ("f", repr(v))
    if isinstance(v, bytes):
        return ("b", v.hex())
    if isinstance(v, dict):
        return ("d", tuple(sorted((k, _norm(x)) for k, x in v.items())))
    if isinstance(v, list):
        # map columns come back as lists of (key, value) tuples
        return ("l", tuple(_norm(x) for x in v))
    if isinstance(v, tuple):
        return ("t", tuple(_norm(x) for x in v))
    return v


def canonical_rows(table: pa.Table):
    """Rows as sorted, type-normalised tuples (column order kept)."""
    rows = table.to_pylist()
    return sorted((tuple(_norm(r[c]) for c in table.column_names) for r in rows), key=repr)


def assert_same_content(ours: pa.Table, theirs: pa.Table):
    assert ours.column_names == theirs.column_names, (ours.column_names, theirs.column_names)
    assert ours.num_rows == theirs.num_rows
    assert canonical_rows(ours) == canonical_rows(theirs)


@pytest.fixture
def cli():
    if not os.path.exists(anatomy_bin()):
        pytest.skip(f"{anatomy_bin()} not built")
    return run_cli
