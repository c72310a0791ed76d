"""The bench runner: isolation of misbehaving plugins, resume after a kill, concurrent benches."""

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import FIXTURE_PLUGINS


def _bench(db, *families, extra=(), plugins=True):
    args = [sys.executable, "-m", "advisor"]
    if plugins:
        args += ["--plugins-dir", str(FIXTURE_PLUGINS)]
    args += ["bench", "-d", "ring8", "--budget", "smoke", "--db", str(db), *extra]
    for family in families:
        args += ["-f", family]
    return args


def _statuses(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT family, seed, status, error FROM runs ORDER BY id").fetchall()


@pytest.mark.slow
def test_hanging_crashing_and_raising_plugins_do_not_stop_the_suite(cli, db):
    result = cli(
        "--plugins-dir",
        FIXTURE_PLUGINS,
        "bench",
        "-f",
        "hanging",
        "-f",
        "exiting",
        "-f",
        "raising",
        "-f",
        "zeros",
        "-d",
        "ring8",
        "--seeds",
        "1",
        "--budget",
        "smoke",
        "--cell-timeout",
        "30",
        "--jobs",
        "2",
        "--db",
        db,
        expect=1,
    )
    runs = {family: (status, error) for family, _, status, error in _statuses(db)}
    assert runs["hanging"][0] == "TIMEOUT" and "no result within 30 s" in runs["hanging"][1]
    assert runs["exiting"][0] == "CRASHED" and "exited with code 3" in runs["exiting"][1]
    assert runs["raising"][0] == "FAILED" and "boom in fit" in runs["raising"][1]
    assert runs["zeros"][0] == "COMPLETE"
    assert "TIMEOUT" in result.stderr and "CRASHED" in result.stderr


@pytest.mark.slow
def test_killed_bench_resumes_and_runs_every_cell_exactly_once(db):
    bench = _bench(db, "kde", "gmm", extra=["--seeds", "3"], plugins=False)
    process = subprocess.Popen(bench, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill it once at least one cell finished and one is running
        time.sleep(0.2)
        try:
            statuses = [s for _, _, s, _ in _statuses(db)]
        except sqlite3.OperationalError:  # the store is still being created
            continue
        if "COMPLETE" in statuses and "RUNNING" in statuses:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    statuses = [s for _, _, s, _ in _statuses(db)]
    assert "RUNNING" in statuses and len(statuses) < 6, statuses
    subprocess.run(bench, check=True, capture_output=True)
    rows = _statuses(db)
    complete = [(family, seed) for family, seed, status, _ in rows if status == "COMPLETE"]
    assert sorted(complete) == sorted((f, s) for f in ("gmm", "kde") for s in range(3))  # each exactly once
    assert {s for _, _, s, _ in rows} <= {"COMPLETE", "INTERRUPTED"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
def test_concurrent_benches_lose_and_duplicate_nothing(db):
    benches = [
        subprocess.Popen(
            _bench(db, "gmm", "kde", extra=["--seeds", "3"], plugins=False),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    for process in benches:
        assert process.wait(timeout=300) == 0, process.stderr.read()
    rows = _statuses(db)
    assert sorted((f, s) for f, s, status, _ in rows) == sorted((f, s) for f in ("gmm", "kde") for s in range(3))
    assert {status for _, _, status, _ in rows} == {"COMPLETE"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM metrics WHERE run_id NOT IN (SELECT id FROM runs)").fetchone() == (0,)


def test_subprocess_isolation_reports_crashes():
    from advisor.budgets import get_budget
    from advisor.data.toys import Ring8
    from advisor.runner.isolation import run_in_subprocess
    from advisor.store.cells import Cell

    [outcome] = run_in_subprocess(
        str(FIXTURE_PLUGINS), Cell("exiting", "ring8", 0, "smoke"), Ring8(), get_budget("smoke"), "cpu", ("default",)
    )
    assert outcome.status == "CRASHED" and "exited with code 3" in outcome.error


@pytest.mark.slow
def test_interrupted_bench_stops_at_once_and_marks_runs(db):
    bench = _bench(db, "hanging", extra=["--seeds", "2", "--jobs", "2"])
    process = subprocess.Popen(bench, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180  # a loaded machine starts the fork server slowly
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if [s for _, _, s, _ in _statuses(db)].count("RUNNING") == 2:
                break
        except sqlite3.OperationalError:
            continue
    else:
        pytest.fail("the two hanging cells never both started")
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)  # not the hanging cells' 120 s limit
    assert [s for _, _, s, _ in _statuses(db)] == ["INTERRUPTED", "INTERRUPTED"]
