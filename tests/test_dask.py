"""The dask executor completes a small suite on a LocalCluster; results come back to the client."""

import sqlite3

import pytest


@pytest.fixture
def cluster():
    """A local dask cluster of two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def _smoke_on(cluster, db):
    """The options that run a command's cells at the smoke budget on `cluster`, into `db`."""
    return ("--budget", "smoke", "--executor", "dask", "--scheduler", cluster.scheduler_address, "--db", db)


@pytest.mark.slow
def test_dask_executor_runs_a_suite_on_a_local_cluster(cli, db, cluster):
    cli("bench", "-f", "gmm", "-f", "kde", "-d", "ring8", "--seeds", "2", *_smoke_on(cluster, db))
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT family, seed, status, host FROM runs ORDER BY family, seed").fetchall()
    assert [(f, s, status) for f, s, status, _ in rows] == [(f, s, "COMPLETE") for f in ("gmm", "kde") for s in (0, 1)]


def test_dask_executor_needs_a_scheduler(cli, db):
    result = cli("bench", "-f", "gmm", "-d", "ring8", "--executor", "dask", "--db", db, expect=2)
    assert "--scheduler" in result.stderr


@pytest.mark.slow
def test_recommend_races_a_users_table_on_a_dask_cluster(cli, db, csv_file, cluster):
    answer = cli.json("recommend", "--need", "exact-likelihood", "--data", csv_file, *_smoke_on(cluster, db))
    race = answer["measuring"]["race"]
    assert answer["measuring"]["cells_run"] == sum(race["seeds"].values()) > 0
    with sqlite3.connect(db) as conn:
        statuses = {status for (status,) in conn.execute("SELECT status FROM runs")}
    assert statuses == {"COMPLETE"}


def test_recommend_with_dask_needs_a_scheduler_and_data(cli, db, csv_file):
    no_address = cli("recommend", "--need", "exact-likelihood", "--data", csv_file, "--executor", "dask", expect=2)
    assert "--scheduler" in no_address.stderr
    no_data = cli("recommend", "--need", "exact-likelihood", "--executor", "dask", "--db", db, expect=2)
    assert "--executor only applies when measuring your data: add --data FILE" in no_data.stderr
    prior_only = cli(
        "recommend", "--need", "best-quality", "--data", csv_file, "--prior-only", "--executor", "dask", expect=2
    )
    assert "--executor only matters when measuring, but --prior-only measures nothing" in prior_only.stderr


def test_recommend_on_a_dask_scheduler_that_does_not_answer_exits_2(cli, db, csv_file, monkeypatch):
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import advisor.runner.local

    monkeypatch.setattr(advisor.runner.local, "CONNECT_TIMEOUT_S", 1)
    args = ("recommend", "--need", "exact-likelihood", "--data", csv_file, "--executor", "dask")
    result = cli(*args, "--scheduler", "tcp://127.0.0.1:1", "--db", db, expect=2)
    assert "no dask scheduler answers at tcp://127.0.0.1:1" in result.stderr and not db.exists()
