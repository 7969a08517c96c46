import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("ANATOMY_SOURCE_DIR", Path(__file__).resolve().parents[3]))
BUILD = Path(os.environ.get("ANATOMY_BUILD_DIR", SOURCE / "build"))
FIXTURE = SOURCE / "tests" / "cpg" / "fixture_repo"


def run_build(repo: Path, out: Path, jobs: int = 2, *extra: str) -> str:
    proc = subprocess.run(
        [str(BUILD / "anatomy"), "build", str(repo), "--out", str(out), "--jobs", str(jobs), *extra],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"anatomy build failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("cpg") / "out"
    stdout = run_build(FIXTURE, out)
    return out, stdout
