"""Short in-suite runs of the stress checks (full runs: tests/python/delta/stress.py)."""

from stress import concurrent_appends, crash_trials


def test_concurrent_appends_all_land(cli, tmp_path):
    r = concurrent_appends(tmp_path, procs=4, commits=10)
    assert r == {"versions": 40, "rows": 41}


def test_sigkilled_writer_leaves_a_readable_table(cli, tmp_path):
    r = crash_trials(tmp_path, trials=8)
    assert r["trials"] == 8
