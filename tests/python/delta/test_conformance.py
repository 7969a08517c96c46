"""Every conformance table read at every version: against DAT's expected content and against
delta-rs reading the same version. Tables outside our protocol support must fail with the
protocol-gate error."""

import json
import pathlib

import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from conftest import assert_same_content, delta_rs_read, read_ours, run_cli, schema_order, shared_dir

SHARED = shared_dir()
CONF = SHARED / "conformance" if SHARED else None

# Tables whose upstream folder lacks the data files ("log only" in SOURCE.md).
LOG_ONLY = {"checkpoint_with_partitions", "checkpoints_vacuumed", "with_checkpoint_no_last_checkpoint",
            "table-with-domain-metadata"}
# Tables that must be refused by the protocol gate, and the word the error must name.
UNSUPPORTED = {"simple_table_features": "blahabl"}


def _versions(table: pathlib.Path):
    log = table / "_delta_log"
    commits = sorted(int(p.name[:20]) for p in log.glob("*.json") if p.name[:20].isdigit() and len(p.name) == 25)
    cps = sorted(int(p.name[:20]) for p in log.glob("*.checkpoint*.parquet"))
    lo = min(cps) if cps else (commits[0] if commits else 0)
    hi = max(commits + cps)
    return list(range(lo, hi + 1))


def _delta_rs_tables():
    if not CONF:
        return []
    return sorted(p for p in (CONF / "delta-rs").iterdir() if (p / "_delta_log").is_dir())


def _dat_cases():
    if not CONF:
        return []
    out = []
    for case in sorted((CONF / "dat" / "reader_tests" / "generated").iterdir()):
        for exp in sorted((case / "expected").iterdir()):
            out.append((case, exp))
    return out


def _params(items, ident):
    return [pytest.param(*i, id=ident(*i)) for i in items] if items else [
        pytest.param(*([None] * 2), marks=pytest.mark.skip(reason="shared/conformance absent: set ANATOMY_SHARED_DIR"))
    ]


@pytest.mark.parametrize(
    "case,expected",
    _params(_dat_cases(), lambda c, e: f"{c.name}-{e.name}"),
)
def test_dat_expected_content(cli, tmp_path, case, expected):
    meta = json.loads((expected / "table_version_metadata.json").read_text())
    version = None if expected.name == "latest" else meta["version"]
    ours = read_ours(case / "delta", tmp_path, version=version)
    want = pq.read_table(expected / "table_content.parquet")
    want = want.select(ours.column_names) if set(want.column_names) == set(ours.column_names) else want
    assert_same_content(ours, want)
    snap = json.loads(run_cli("delta", "snapshot", case / "delta", "--version", meta["version"],
                              "--format", "json").stdout)
    assert snap["version"] == meta["version"]
    assert snap["min_reader_version"] == meta["min_reader_version"]
    assert snap["min_writer_version"] == meta["min_writer_version"]


def _table_versions():
    out = []
    for t in _delta_rs_tables():
        if t.name in LOG_ONLY or t.name in UNSUPPORTED:
            continue
        for v in _versions(t):
            out.append((t, v))
    for case, _ in {(c, None) for c, _ in _dat_cases()}:
        for v in _versions(case / "delta"):
            out.append((case / "delta", v))
    return sorted(set(out))


@pytest.mark.parametrize("table,version", _params(_table_versions(), lambda t, v: f"{t.parent.name if t.name == 'delta' else t.name}-v{v}"))
def test_same_as_delta_rs(cli, tmp_path, table, version):
    theirs = delta_rs_read(table, version)
    ours = read_ours(table, tmp_path, version=version)
    assert_same_content(ours, theirs.select(ours.column_names))
    assert ours.column_names == schema_order(table, version)


@pytest.mark.parametrize("table,_unused", _params([(t, None) for t in _delta_rs_tables()], lambda t, _: t.name))
def test_snapshot_matches_delta_rs(cli, table, _unused):
    name = table.name
    if name in UNSUPPORTED:
        proc = run_cli("delta", "snapshot", table, check=False)
        assert proc.returncode != 0
        assert UNSUPPORTED[name] in proc.stderr
        assert proc.stderr.count("\n") == 1
        return
    snap = json.loads(run_cli("delta", "snapshot", table, "--format", "json").stdout)
    dt = DeltaTable(str(table))
    assert snap["version"] == dt.version()
    assert snap["partition_columns"] == dt.metadata().partition_columns
    assert snap["properties"] == dt.metadata().configuration
    assert snap["num_files"] == len(dt.file_uris())
    proto = dt.protocol()
    assert snap["min_reader_version"] == proto.min_reader_version
    assert snap["min_writer_version"] == proto.min_writer_version
