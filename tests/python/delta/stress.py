"""Concurrency and crash-safety stress for our Delta writer, driven through the CLI.

Short runs are part of the test suite (test_stress.py); full runs:
    python tests/python/delta/stress.py concurrency --procs 8 --commits 50
    python tests/python/delta/stress.py crash --trials 200
(`cmake --build build --target delta_stress` runs both.)
"""

import argparse
import json
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import anatomy_bin, canonical_rows  # noqa: E402


def _ours(table, tmp):
    out = pathlib.Path(tmp) / f"read-{time.monotonic_ns()}.parquet"
    subprocess.run([anatomy_bin(), "delta", "read", str(table), "--out", str(out)], check=True,
                   capture_output=True)
    return pq.read_table(out)


def _version(table):
    proc = subprocess.run([anatomy_bin(), "delta", "snapshot", str(table), "--format", "json"], check=True,
                          capture_output=True, text=True)
    return json.loads(proc.stdout)["version"]


def concurrent_appends(workdir, procs, commits):
    """`procs` processes each append `commits` one-row commits; returns a summary or raises."""
    work = pathlib.Path(workdir)
    table = work / "table"
    seed = work / "seed.parquet"
    pq.write_table(pa.table({"w": pa.array([-1], pa.int32()), "i": pa.array([-1], pa.int32())}), seed)
    subprocess.run([anatomy_bin(), "delta", "write", str(table), "--input", str(seed)], check=True,
                   capture_output=True)
    start = _version(table)
    scripts = []
    for w in range(procs):
        lines = []
        for i in range(commits):
            f = work / f"in-{w}-{i}.parquet"
            pq.write_table(pa.table({"w": pa.array([w], pa.int32()), "i": pa.array([i], pa.int32())}), f)
            lines.append(f"'{anatomy_bin()}' delta write '{table}' --input '{f}' --max-retries 1000 >/dev/null || exit 1")
        scripts.append("set -e\n" + "\n".join(lines))
    workers = [subprocess.Popen(["bash", "-c", s], stderr=subprocess.PIPE, text=True) for s in scripts]
    errors = [p.communicate()[1] for p in workers]
    failed = [e for p, e in zip(workers, errors) if p.returncode != 0]
    if failed:
        raise AssertionError(f"writers failed: {failed[:2]}")
    end = _version(table)
    assert end - start == procs * commits, (start, end)
    ours = _ours(table, work)
    got = sorted(zip(ours.column("w").to_pylist(), ours.column("i").to_pylist()))
    want = sorted([(-1, -1)] + [(w, i) for w in range(procs) for i in range(commits)])
    assert got == want, "rows lost or duplicated"
    theirs = DeltaTable(str(table)).to_pyarrow_table()
    assert canonical_rows(theirs.select(ours.column_names)) == canonical_rows(ours)
    return {"versions": end - start, "rows": len(got)}


def crash_trials(workdir, trials, rows=20000, seed=0):
    """Kills a writer with SIGKILL at random points; the table must stay readable at its last
    committed version by us and by delta-rs, with whole commits only."""
    rng = random.Random(seed)
    work = pathlib.Path(workdir)
    table = work / "table"
    data = pa.table({"k": pa.array(range(rows), pa.int64()), "s": [f"row-{i}" for i in range(rows)]})
    src = work / "in.parquet"
    pq.write_table(data, src)
    cmd = [anatomy_bin(), "delta", "write", str(table), "--input", str(src), "--target-file-size", "60000",
           "--row-group-rows", "2000", "--property", "delta.checkpointInterval=3"]
    subprocess.run(cmd, check=True, capture_output=True)
    t0 = time.monotonic()
    subprocess.run(cmd[:6], check=True, capture_output=True)
    duration = time.monotonic() - t0
    killed = 0
    for _ in range(trials):
        p = subprocess.Popen(cmd[:6], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.2))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.wait()
        version = _version(table)
        ours = _ours(table, work)
        assert ours.num_rows == rows * (version + 1), (version, ours.num_rows)
        dt = DeltaTable(str(table))
        assert dt.version() == version
        assert dt.to_pyarrow_table().num_rows == ours.num_rows
    return {"trials": trials, "killed": killed, "final_version": _version(table)}


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("concurrency")
    c.add_argument("--procs", type=int, default=8)
    c.add_argument("--commits", type=int, default=50)
    k = sub.add_parser("crash")
    k.add_argument("--trials", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        if args.what == "concurrency":
            print(concurrent_appends(d, args.procs, args.commits))
        else:
            print(crash_trials(d, args.trials))


if __name__ == "__main__":
    main()
