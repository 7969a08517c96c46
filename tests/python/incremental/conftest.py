import os
import shutil
import subprocess
from pathlib import Path

import pytest
from deltalake import DeltaTable

SOURCE = Path(os.environ.get("ANATOMY_SOURCE_DIR", Path(__file__).resolve().parents[3]))
BUILD = Path(os.environ.get("ANATOMY_BUILD_DIR", SOURCE / "build"))
FIXTURES = [SOURCE / "tests" / "cpg" / "fixture_repo", SOURCE / "tests" / "extract" / "fixtures" / "repo"]

DATASETS = ("files scopes bindings occurrences definitions parameters call_sites call_resolutions imports "
            "references type_params annotations diagnostics errors").split()
TABLES = ["cpg_nodes", "cpg_edges", "cpg_props", "cpg_props_map", "cpg_edges_by_src", "cpg_edges_by_dst"] + [
    f"extract/{d}" for d in DATASETS] + ["state/qualified_names"]


def anatomy(*args, check=True, **kwargs):
    proc = subprocess.run([str(BUILD / "anatomy"), *map(str, args)], capture_output=True, text=True,
                          timeout=600, **kwargs)
    if check:
        assert proc.returncode == 0, f"anatomy {args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def build(repo, out, *extra):
    return anatomy("build", repo, "--out", out, "--jobs", 2, *extra).stdout


def sorted_rows(path):
    # delta-rs's DataFusion reader, because incremental builds mark replaced output rows in
    # deletion vectors, which its pyarrow path refuses: delta-rs applies our DVs independently.
    import pyarrow as pa
    from deltalake import QueryBuilder

    table = pa.table(QueryBuilder().register("t", DeltaTable(str(path))).execute("select * from t").read_all())
    table = table.select(sorted(table.column_names))
    return sorted(repr(r) for r in table.to_pylist())


def assert_same_tables(incremental_out, full_out):
    """Every output and extraction table holds the same rows, compared as sorted content."""
    for name in TABLES:
        ours, full = sorted_rows(incremental_out / name), sorted_rows(full_out / name)
        if ours != full:
            only_ours, only_full = set(ours) - set(full), set(full) - set(ours)
            pytest.fail(f"{name}: {len(ours)} rows incrementally, {len(full)} in a full build\n"
                        f"only incremental: {sorted(only_ours)[:3]}\nonly full: {sorted(only_full)[:3]}")


def runs(out):
    """incremental_runs_v1 rows, oldest first."""
    rows = DeltaTable(str(out / "artifacts" / "incremental_runs_v1")).to_pyarrow_table().to_pylist()
    return sorted(rows, key=lambda r: (r["event_time_unix_ms"], r["status"] == "ok"))


@pytest.fixture
def repo(tmp_path):
    """Both fixture repositories in one tree: packages, re-exports, classes, syntax errors."""
    root = tmp_path / "repo"
    for fixture in FIXTURES:
        shutil.copytree(fixture, root, dirs_exist_ok=True)
    return root
