"""The extraction tables join: every primary id is unique and every *_id column points at a row
of the table it names (what the cpg layer relies on). Runs on the fixtures and a stdlib sample."""
import os
import sys
import sysconfig
import tempfile

import pyarrow.parquet as pq
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import symtable_oracle as oracle  # noqa: E402
from test_symtable_oracle import FIXTURES, SAMPLE, SOURCE  # noqa: E402

PRIMARY = {"files": "file_id", "scopes": "scope_id", "bindings": "binding_id",
           "occurrences": "occurrence_id", "definitions": "def_id", "parameters": "param_id",
           "call_sites": "call_id", "call_resolutions": "call_id", "imports": "import_id",
           "references": "ref_id", "type_params": "type_param_id", "annotations": "annotation_id",
           "diagnostics": "diag_id"}
FOREIGN = [  # (table, column, referenced table)
    ("scopes", "parent_scope_id", "scopes"), ("scopes", "def_id", "definitions"),
    ("bindings", "scope_id", "scopes"), ("bindings", "resolved_binding_id", "bindings"),
    ("occurrences", "binding_id", "bindings"), ("occurrences", "scope_id", "scopes"),
    ("definitions", "scope_id", "scopes"), ("definitions", "body_scope_id", "scopes"),
    ("definitions", "binding_id", "bindings"), ("parameters", "def_id", "definitions"),
    ("parameters", "binding_id", "bindings"), ("call_sites", "scope_id", "scopes"),
    ("call_sites", "enclosing_def_id", "definitions"), ("call_resolutions", "call_id", "call_sites"),
    ("call_resolutions", "target_def_id", "definitions"), ("call_resolutions", "target_file_id", "files"),
    ("imports", "scope_id", "scopes"),
    ("imports", "binding_id", "bindings"), ("imports", "resolved_file_id", "files"),
    ("imports", "resolved_binding_id", "bindings"), ("imports", "resolved_def_id", "definitions"),
    ("references", "scope_id", "scopes"), ("type_params", "scope_id", "scopes"),
    ("type_params", "owner_def_id", "definitions"), ("type_params", "binding_id", "bindings"),
    ("annotations", "scope_id", "scopes"), ("diagnostics", "file_id", "files"),
]


def check(root, include=()):
    with tempfile.TemporaryDirectory() as out:
        oracle.run_dump(root, out, include)
        tables = {n: pq.read_table(os.path.join(out, n + ".parquet")) for n in PRIMARY}
    for name, col in PRIMARY.items():
        ids = tables[name].column(col).to_pylist()
        assert len(ids) == len(set(ids)), f"{name}.{col} not unique"
    for name, col, target in FOREIGN:
        have = set(tables[target].column(PRIMARY[target]).to_pylist())
        refs = [v for v in tables[name].column(col).to_pylist() if v is not None]
        missing = [v for v in refs if v not in have]
        assert not missing, f"{name}.{col}: {len(missing)} ids not in {target}, e.g. {missing[:3]}"
    # Every span lies inside its file.
    sizes = dict(zip(tables["files"].column("path").to_pylist(), tables["files"].column("size").to_pylist()))
    for name, t in tables.items():
        for p, b, e in zip(t.column("path").to_pylist(), t.column("bstart").to_pylist(), t.column("bend").to_pylist()):
            assert 0 <= b <= e <= sizes[p], f"{name}: span {b}..{e} outside {p}"
    return tables


def test_fixture_tables_join():
    check(FIXTURES)
    t = check(os.path.join(SOURCE, "tests", "extract", "fixtures", "repo"))
    assert t["call_resolutions"].num_rows == t["call_sites"].num_rows


def test_stdlib_sample_tables_join():
    stdlib = sysconfig.get_paths()["stdlib"]
    present = [p for p in SAMPLE if os.path.exists(os.path.join(stdlib, p))]
    if len(present) < 50:
        pytest.skip(f"standard library at {stdlib} lacks the sample files")
    check(stdlib, present)
