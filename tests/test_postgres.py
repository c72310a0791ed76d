"""The store and the runner against a real PostgreSQL server (started by .ci/run).

Set ADVISOR_TEST_POSTGRES_URL to an SQLAlchemy URL of a role that may create databases, e.g.
postgresql+psycopg://advisor:advisor@127.0.0.1:5432/postgres. Each test gets a fresh database.
"""

import os
import subprocess
import sys
import uuid

import pytest

from advisor.errors import InputError, SchemaVersionError
from advisor.store import SCHEMA_VERSION, open_store
from advisor.store.sql import run_sql

ADMIN_URL = os.environ.get("ADVISOR_TEST_POSTGRES_URL")


def _admin_engine():
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")
    if not ADMIN_URL:
        pytest.skip("no PostgreSQL server: set ADVISOR_TEST_POSTGRES_URL (.ci/run starts one)")
    engine = sqlalchemy.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        engine.connect().close()
    except Exception as exc:  # noqa: BLE001 - any connection failure means no server to test against
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is not reachable: {exc}")
    return engine


@pytest.fixture
def pg_url():
    from sqlalchemy import make_url, text

    admin = _admin_engine()
    name = f"advisor_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_store_lifecycle_on_postgres(pg_url):
    with open_store(pg_url, create=True) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert "advisor:***@" in store.location  # the password never reaches output
    with open_store(pg_url, readonly=True) as store:
        with pytest.raises(InputError, match="read-only"):
            run_sql(store, "DELETE FROM meta")
        assert run_sql(store, "SELECT COUNT(*) FROM meta")[1] == [(1,)]
        assert run_sql(store, "SELECT ':x', '%x', '%s'")[1] == [(":x", "%x", "%s")]  # passed as typed
        with pytest.raises(InputError, match="stopped after 0.5 s"):
            run_sql(store, "SELECT COUNT(*) FROM generate_series(1, 1000000000)", timeout_s=0.5)
    with open_store(pg_url) as store, store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE meta SET value = '0' WHERE key = 'schema_version'"))
    with pytest.raises(SchemaVersionError, match="No upgrade path exists"):
        open_store(pg_url, readonly=True)


def test_upgrade_from_schema_1_on_postgres(pg_url):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from advisor.store.migrations import upgrade

    with open_store(pg_url, create=True) as store, store.engine.begin() as conn:  # as schema 1 left it
        conn.execute(text("ALTER TABLE runs DROP CONSTRAINT run_status"))
        conn.execute(text("DROP INDEX ix_runs_latest"))
        conn.execute(text("INSERT INTO families VALUES ('f', 'f', 'test', NULL, '{}')"))
        conn.execute(text("INSERT INTO datasets VALUES ('d', 'test', '{}')"))
        conn.execute(
            text(
                "INSERT INTO runs (family, sampler, dataset, seed, budget, status, device, created_at) "
                "VALUES ('f', 'default', 'd', 0, 'smoke', 'PENDING', 'cpu', now())"
            )
        )
        conn.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    with open_store(pg_url, check_schema=False) as store:
        assert upgrade(store)[:2] == (1, SCHEMA_VERSION)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT status FROM runs")).scalar() == "INTERRUPTED"
            with pytest.raises(IntegrityError, match="run_status"):
                conn.execute(text("UPDATE runs SET status = 'DONE'"))
    with open_store(pg_url, readonly=True) as store:
        assert run_sql(store, "SELECT COUNT(*) FROM latest_metrics")[1] == [(0,)]


def test_concurrent_benches_on_postgres_lose_and_duplicate_nothing(pg_url):
    open_store(pg_url, create=True).close()
    bench = [
        sys.executable,
        "-m",
        "advisor",
        "bench",
        "-f",
        "gmm",
        "-f",
        "kde",
        "-d",
        "ring8",
        "--seeds",
        "3",
        "--budget",
        "smoke",
        "--db",
        pg_url,
    ]
    processes = [subprocess.Popen(bench, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
    for process in processes:
        assert process.wait(timeout=600) == 0, process.stderr.read()
    with open_store(pg_url, readonly=True) as store:
        _, rows = run_sql(store, "SELECT family, seed, status FROM runs ORDER BY family, seed")
        _, orphans = run_sql(store, "SELECT COUNT(*) FROM metrics WHERE run_id NOT IN (SELECT id FROM runs)")
    assert rows == [(f, s, "COMPLETE") for f in ("gmm", "kde") for s in range(3)]
    assert orphans == [(0,)]
    answer = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "--need", "exact-likelihood", "--db", pg_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Recommendation:" in answer and "advisor:***@" in answer
    from sqlalchemy import make_url

    password = make_url(pg_url).password
    stored = run_sql(open_store(pg_url, readonly=True), "SELECT value FROM meta WHERE key = 'bench_log'")[1][0][0]
    assert "advisor:***@" in stored and f":{password}@" not in stored  # the bench's --db never reaches the store
    info = subprocess.run(
        [sys.executable, "-m", "advisor", "db", "info", "--db", pg_url], capture_output=True, text=True, check=True
    ).stdout
    assert f":{password}@" not in info


@pytest.mark.parametrize("password", ["qu'ote@x", "p@ss:w0rd!"])
def test_a_password_with_quotes_and_at_signs_never_reaches_the_log_or_the_terminal(pg_url, password):
    from urllib.parse import quote

    from sqlalchemy import make_url, text

    open_store(pg_url, create=True).close()  # the tables belong to the admin role, so the test role can be dropped
    role = f"advisor_secret_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        escaped = password.replace("'", "''")
        conn.execute(text(f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{escaped}'"))
    url = make_url(pg_url).render_as_string(hide_password=False)
    url = url.replace(f"{make_url(pg_url).username}:{quote(make_url(pg_url).password, safe='')}@", "")
    url = url.replace("://", f"://{role}:{quote(password, safe='')}@", 1)  # percent-encoded, as a URL must be
    raw = url.replace(quote(password, safe=""), password)  # typed raw: refused, never echoed
    try:

        def advisor(*args, check=True):
            return subprocess.run(
                [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, check=check, timeout=600
            )

        bench = advisor("bench", "-f", "gmm", "-d", "ring8", "--seeds", "1", "--budget", "smoke", "--db", url)
        refused = advisor("db", "info", "--db", raw, check=False)
        info, info_json = advisor("db", "info", "--db", url), advisor("db", "info", "--json", "--db", url)
        stored = run_sql(open_store(url, readonly=True), "SELECT value FROM meta WHERE key = 'bench_log'")[1][0][0]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
    assert refused.returncode == 2 and "not a valid database URL" in refused.stderr
    secrets = {password, quote(password, safe=""), password[:4], password[-4:]}
    for output in (bench.stdout, bench.stderr, refused.stdout, refused.stderr, info.stdout, info_json.stdout, stored):
        assert not any(secret in output for secret in secrets), output
    assert f"{role}:***@" in stored and f"{role}:***@" in info.stdout and f"{role}:***@" in info_json.stdout
