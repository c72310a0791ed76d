import sqlite3
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from advisor.errors import InputError, SchemaVersionError, StoreError
from advisor.store import SCHEMA_VERSION, open_store
from advisor.store.models import Meta
from advisor.store.pack import pack
from advisor.store.sql import run_sql


def test_new_store_has_schema_view_and_wal(db):
    with open_store(db, create=True) as store:
        assert store.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"meta", "families", "datasets", "runs", "metrics", "samples", "latest_metrics"} <= names


def test_missing_store_is_not_created_by_readers(db):
    with pytest.raises(StoreError, match="no results store"):
        open_store(db, readonly=True)
    assert not db.exists()


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some text")
    with pytest.raises(StoreError, match="not an SQLite database"):
        open_store(path, create=True)
    assert path.read_text() == "just some text"


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match="not an advisor results store.*customers"):
        open_store(path, create=True)


@pytest.mark.parametrize(
    "version, hint",
    [(0, "No upgrade path exists from that version"), (SCHEMA_VERSION + 1, "newer advisor"), ("x1", "not a number")],
)
def test_other_schema_version_is_refused_with_the_fix(db, version, hint):
    open_store(db, create=True).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    with pytest.raises(StoreError, match=hint):
        open_store(db, readonly=True)


def test_an_upgradable_store_names_the_command(db, monkeypatch):
    from advisor.store import migrations

    monkeypatch.setitem(migrations.MIGRATIONS, SCHEMA_VERSION - 1, lambda conn: None)
    open_store(db, create=True).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION - 1),))
    with pytest.raises(SchemaVersionError, match="advisor db upgrade"):
        open_store(db, readonly=True)


def test_a_store_without_version_or_with_a_table_missing_is_refused(db):
    open_store(db, create=True).close()
    with sqlite3.connect(db) as conn:
        conn.execute("DROP VIEW latest_metrics")
        conn.execute("DROP TABLE metrics")
    with pytest.raises(StoreError, match="lacks the tables metrics; it is damaged"):
        open_store(db, readonly=True)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'schema_version'")
    with pytest.raises(SchemaVersionError, match="records no schema version"):
        open_store(db, readonly=True)


def test_a_database_url_never_shows_its_password():
    with pytest.raises(StoreError) as error:
        open_store("postgresql+psycopg://user:s3cret@127.0.0.1:1/none", readonly=True)
    assert "s3cret" not in str(error.value) and "***" in str(error.value)
    assert "\n" not in str(error.value)


def test_pack_leaves_one_self_contained_file_with_the_data(db, cli):
    open_store(db, create=True).close()
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('note', 'kept')")
    assert db.read_bytes()[18:20] == b"\x02\x02"  # file format versions 2: WAL
    assert "packed" in cli("db", "pack", "--db", db).stdout
    assert db.read_bytes()[18:20] == b"\x01\x01"  # 1: rollback journal, readable without creating -shm
    assert not (db.parent / (db.name + "-wal")).exists()
    with open_store(db, readonly=True) as store:
        assert run_sql(store, "SELECT value FROM meta WHERE key = 'note'")[1] == [("kept",)]
    result = cli("db", "pack", "--db", "sqlite:///elsewhere.db", expect=2)
    assert "only an SQLite store file can be packed" in result.stderr


def test_pack_can_drop_the_samples_of_superseded_runs_only(db, cli):
    from advisor.store.models import Run, SampleRow
    from tests.stores import build_store, complete_run

    build_store(db)  # flow, autoregressive and gan, 3 seeds on ring8 and grid25
    with open_store(db) as store, store.session() as session:
        rerun = complete_run("gan", "default", "ring8", 0, {"c2st": 0.7})  # supersedes gan's first ring8 run
        session.add(rerun)
        session.flush()
        for run_id in (1, rerun.id - 1, rerun.id):  # flow ring8 seed 0 (latest), gan grid25 seed 2 (latest), the re-run
            session.add(SampleRow(run_id=run_id, rows=1, cols=2, dtype="float32", data=bytes(8)))
        superseded = min(r.id for r in session.query(Run).filter_by(family="gan", dataset="ring8", seed=0))
        session.add(SampleRow(run_id=superseded, rows=1, cols=2, dtype="float32", data=bytes(8)))
    assert "superseded" not in cli("db", "pack", "--db", db).stdout
    assert "samples of 1 superseded runs dropped" in cli("db", "pack", "--drop-superseded-samples", "--db", db).stdout
    with closing(sqlite3.connect(db)) as conn:
        kept = {row[0] for row in conn.execute("SELECT run_id FROM samples")}
        assert kept == {1, rerun.id - 1, rerun.id}
        assert conn.execute("SELECT COUNT(*) FROM runs WHERE id = ?", (superseded,)).fetchone() == (1,)  # history kept


def test_pack_can_keep_only_each_candidates_first_seed_samples(db, cli):
    from advisor.store.models import Run, SampleRow
    from tests.stores import build_store, complete_run

    build_store(db)
    with open_store(db) as store, store.session() as session:
        rerun = complete_run("gan", "default", "ring8", 0, {"c2st": 0.7})  # supersedes gan's first ring8 run
        session.add(rerun)
        session.flush()
        for run in session.query(Run).filter(Run.dataset == "ring8"):
            session.add(SampleRow(run_id=run.id, rows=1, cols=2, dtype="float32", data=bytes(8)))
        first = {r.id for r in session.query(Run).filter_by(dataset="ring8", seed=0) if r.family != "gan"} | {rerun.id}
    out = cli("db", "pack", "--first-seed-samples", "--db", db).stdout
    with closing(sqlite3.connect(db)) as conn:
        kept = {row[0] for row in conn.execute("SELECT run_id FROM samples")}
        runs = conn.execute("SELECT COUNT(*) FROM runs WHERE dataset = 'ring8'").fetchone()[0]
    assert kept == first  # seed 0 of each candidate, gan's from its re-run
    assert f"samples of {runs - len(first)} superseded or later-seed runs dropped" in " ".join(out.split())


def test_pack_can_keep_the_first_rows_of_each_sample(db, cli):
    import numpy as np

    from advisor.store.models import SampleRow
    from advisor.store.read import load_samples
    from tests.stores import build_store

    build_store(db)
    array = np.arange(40, dtype="float32").reshape(20, 2)
    with open_store(db) as store, store.session() as session:
        session.add(SampleRow(run_id=1, rows=20, cols=2, dtype="float32", data=array.tobytes()))
        session.add(SampleRow(run_id=2, rows=3, cols=2, dtype="float32", data=array[:3].tobytes()))
    cli("db", "pack", "--sample-rows", "5", "--db", db)
    with open_store(db, readonly=True) as store, store.connect() as conn:
        assert np.array_equal(load_samples(conn, 1), array[:5]) and np.array_equal(load_samples(conn, 2), array[:3])


def test_the_shipped_store_is_packed():
    from advisor.store.reference import reference_store

    shipped = reference_store()
    if shipped is None:
        pytest.skip("no results.db in this source tree or installation")
    if Path(f"{shipped}-wal").exists():
        pytest.skip("a bench is writing the shipped store here (it has a -wal); `make results` packs it at the end")
    assert Path(shipped).read_bytes()[18:20] == b"\x01\x01", "run `advisor db pack --db results.db` before committing"


def test_readonly_store_refuses_writes_and_keeps_data(db):
    open_store(db, create=True).close()
    with open_store(db, readonly=True) as store:
        with pytest.raises(InputError, match="read-only"):
            run_sql(store, "DELETE FROM meta")
        with pytest.raises(InputError, match="read-only"):
            run_sql(store, "CREATE TABLE evil (x INTEGER)")
        assert run_sql(store, "SELECT COUNT(*) FROM meta")[1] == [(1,)]


def test_sql_error_is_reported(db):
    open_store(db, create=True).close()
    with open_store(db, readonly=True) as store, pytest.raises(InputError, match="no such table"):
        run_sql(store, "SELECT * FROM nope")


def _create(path: str) -> int:
    with open_store(path, create=True) as store:
        return store.schema_version()


def test_concurrent_creation_is_safe(db):
    with ProcessPoolExecutor(4) as pool:
        assert list(pool.map(_create, [str(db)] * 8)) == [SCHEMA_VERSION] * 8
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 1


def test_a_store_in_a_directory_that_cannot_be_written(db, monkeypatch):
    from advisor.store import engine

    writer = open_store(db, create=True)  # keeps the write-ahead log open and unmerged
    with writer.session() as session:
        session.add(Meta(key="note", value="in the log"))
    monkeypatch.setattr(engine.os, "access", lambda path, mode: False)  # as a non-root user would see it
    with pytest.raises(StoreError, match="unmerged writes in results.db-wal.*advisor db pack"):
        open_store(db, readonly=True)
    writer.close()
    monkeypatch.undo()
    pack(db)
    monkeypatch.setattr(engine.os, "access", lambda path, mode: False)
    with open_store(db, readonly=True) as store:  # packed: read immutably, nothing to create beside it
        assert run_sql(store, "SELECT value FROM meta WHERE key = 'note'")[1] == [("in the log",)]


def test_upgrade_masks_passwords_a_bench_log_holds(db):
    import json

    from advisor.store.migrations import upgrade

    open_store(db, create=True).close()
    log = [{"command": "advisor bench --db postgresql+psycopg://advisor:hunter2@db.example/x -f gmm", "cells": 3}]
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO meta VALUES ('bench_log', ?)", (json.dumps(log),))
        conn.execute("DROP TABLE calibration")  # schema 4's
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with open_store(db, check_schema=False) as store:
        assert upgrade(store)[:2] == (2, SCHEMA_VERSION)
    stored = sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'bench_log'").fetchone()[0]
    assert "hunter2" not in stored and "advisor:***@db.example" in stored
    tables = {name for (name,) in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "calibration" in tables  # 3 -> 4


@pytest.mark.slow
def test_user_sql_is_bounded_streamed_and_interruptible(cli, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    db = tmp_path / "many.db"
    open_store(db, create=True).close()
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO meta VALUES (?, 'x')", [(f"k{i}",) for i in range(3000)])
    result = cli("results", "sql", "SELECT key FROM meta", "--csv", "--db", db)
    assert len(result.stdout.splitlines()) == 1001 and "showing the first 1000 rows" in result.stderr
    assert len(cli("results", "sql", "SELECT key FROM meta", "--csv", "--all", "--db", db).stdout.splitlines()) == 3002
    cross = "SELECT COUNT(*) FROM meta a, meta b, meta c"
    assert "stopped after 0.5 s" in cli("results", "sql", cross, "--timeout", "0.5", "--db", db, expect=2).stderr
    attach = cli("results", "sql", f"ATTACH DATABASE '{tmp_path / 'other.db'}' AS e", "--db", db, expect=2)
    assert "ATTACH is not allowed" in attach.stderr and not (tmp_path / "other.db").exists()
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "results", "sql", cross, "--timeout", "600", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # well into the cross join
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 5 and process.returncode == 2 and "interrupted" in stderr


@pytest.mark.slow
def test_a_bench_into_a_store_it_cannot_write_exits_2_saying_write(cli, tmp_path):
    db = tmp_path / "ro.db"
    cli("bench", "-f", "gmm", "-d", "ring8", "--seeds", "1", "--budget", "smoke", "--db", db)
    readonly = f"sqlite:///file:{db}?mode=ro&uri=true"  # the database refuses every write, even root's
    result = cli("bench", "-f", "kde", "-d", "ring8", "--seeds", "1", "--budget", "smoke", "--db", readonly, expect=2)
    assert "cannot write to store" in result.stderr and "readonly database" in result.stderr
    assert "internal error" not in result.stderr


def test_one_store_is_known_however_its_location_is_written(tmp_path, monkeypatch):
    from advisor.store.engine import same_store

    monkeypatch.chdir(tmp_path)
    assert same_store("results.db", tmp_path / "results.db") and same_store("sqlite:///results.db", "results.db")
    assert same_store("postgresql+psycopg://u:pw@host:5432/db", "postgresql://other:x@host:5432/db")
    assert not same_store("postgresql://host/db", "postgresql://host/other") and not same_store("a.db", "b.db")
