import sqlite3
from concurrent.futures import ProcessPoolExecutor

import pytest

from advisor.errors import InputError, SchemaVersionError, StoreError
from advisor.store import SCHEMA_VERSION, open_store
from advisor.store.queries import run_sql


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


@pytest.mark.parametrize("version, hint", [(0, "advisor db upgrade"), (SCHEMA_VERSION + 1, "newer advisor")])
def test_other_schema_version_is_refused_with_the_fix(db, version, hint):
    open_store(db, create=True).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    with pytest.raises(SchemaVersionError, match=hint):
        open_store(db, readonly=True)


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
