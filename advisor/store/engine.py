"""Opening a results store: path or URL resolution, SQLite settings, schema creation and checks.

SQLite is the default: WAL journal (readers never block the writer), a busy timeout, and
``BEGIN IMMEDIATE`` for every writing transaction. Python's sqlite3 driver otherwise begins
transactions lazily, so two writers can both read and then collide upgrading to a write lock, a
"database is locked" that no busy timeout cures; following SQLAlchemy's pysqlite documentation
("Serializable isolation / Savepoints / Transactional DDL") the driver's own transaction handling is
switched off and the engine emits BEGIN itself. Read-only stores open the file with ``mode=ro`` and
``PRAGMA query_only`` (and ``immutable=1`` where the directory cannot be written, e.g. an installed
store: a WAL-mode reader would otherwise need to create its ``-shm`` file there); other databases get
a read-only session characteristic. Messages name a URL with its password masked (`secrets`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import DatabaseError, OperationalError

from advisor.errors import SchemaVersionError, StoreError
from advisor.store import schema
from advisor.store.schema import SCHEMA_VERSION
from advisor.store.secrets import is_url, parse_url, scrubbed, shown_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Store", "open_store", "default_db", "create_views", "same_store", "BUSY_TIMEOUT_S"]

BUSY_TIMEOUT_S = 60.0
_SQLITE_MAGIC = b"SQLite format 3\x00"


#: tries at opening a new SQLite store that other processes are creating at the same moment
CREATE_ATTEMPTS = 10


def default_db() -> str:
    """The store used when --db is not given: $ADVISOR_DB, else ./results.db."""
    return os.environ.get("ADVISOR_DB") or "results.db"


def same_store(a: str | Path, b: str | Path) -> bool:
    """Whether two locations name one store, however written: an SQLite file as a path (relative or not) or as
    an sqlite:/// URL, a server by backend, host, port and database (driver and credentials aside)."""
    return _identity(str(a)) == _identity(str(b))


def _identity(location: str) -> tuple[str, ...]:
    if not is_url(location):
        return ("sqlite", str(Path(location).resolve()))
    url = parse_url(location)
    if url.get_backend_name() == "sqlite":
        return ("sqlite", str(Path(url.database or "").resolve()))
    return (url.get_backend_name(), url.host or "", str(url.port or ""), url.database or "")


class Store:
    """An opened results store: an engine, checked against the schema.

    Reads go through `connect()` and SQL Core (`advisor.store.read`); writes through `session()`,
    which is the only place the ORM is imported.
    """

    def __init__(self, engine: Engine, location: str, readonly: bool) -> None:
        self.engine = engine
        #: Where the store is, safe to print: a URL's password is masked.
        self.location = shown_url(location)
        self.readonly = readonly

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reading (one transaction, rolled back at the end)."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session whose work is committed as one transaction on success, rolled back on error."""
        from sqlalchemy.orm import Session

        import advisor.store.models  # noqa: F401 - maps the ORM classes onto the tables

        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            message = _first_line(exc.orig or exc)
            if "readonly" in message or "read-only" in message:
                raise StoreError(
                    f"cannot write to store {self.location!r}: {message}; a bench needs a store it may write: check "
                    "the file's and its directory's permissions, or give another --db"
                ) from None
            raise

    def schema_version(self) -> int | None:
        """The schema version recorded in the store, or None when the store has no meta table."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("meta"):
                return None
            value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise StoreError(
                f"{self.location!r} records schema version {value!r}, which is not a number; "
                "it was not written by advisor"
            ) from None

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_sqlite_file(path: Path, create: bool) -> None:
    if path.is_dir():
        raise StoreError(f"--db {str(path)!r} is a directory; give the path of a results store file")
    if not path.exists():
        if not create:
            raise StoreError(
                f"no results store at {str(path)!r}. Create one by running a bench, e.g. "
                f"`advisor bench --family gmm --dataset ring8 --db {path}`, or point --db / ADVISOR_DB "
                "at an existing store."
            )
        if not path.parent.exists():
            raise StoreError(f"cannot create {str(path)!r}: directory {str(path.parent)!r} does not exist")
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read {str(path)!r}: {exc.strerror}") from None
    if head and head != _SQLITE_MAGIC:
        raise StoreError(f"{str(path)!r} is not an SQLite database, so it cannot be a results store")


def _install_sqlite_settings(engine: Engine, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
        dbapi_connection.isolation_level = None  # the engine emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if readonly:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _install_readonly_session(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()
        dbapi_connection.commit()


def _make_engine(db: str, readonly: bool) -> Engine:
    url: str | URL
    if is_url(db):
        url = parse_url(db)  # a malformed URL is refused here, never echoed
    elif readonly:
        path = Path(db).resolve()
        wal = path.with_name(path.name + "-wal")
        unwritable = not os.access(path.parent, os.W_OK)
        if unwritable and wal.exists() and wal.stat().st_size:
            raise StoreError(
                f"{str(path)!r} has unmerged writes in {wal.name} and its directory cannot be written, so they "
                f"cannot be read; run `advisor db pack --db {path}` where it can be written"
            )
        immutable = "&immutable=1" if unwritable else ""  # nothing can change it under us: skip locking
        url = f"sqlite:///file:{quote(str(path))}?mode=ro{immutable}&uri=true"
    else:
        url = f"sqlite:///{Path(db).resolve()}"
    try:
        engine = create_engine(url, pool_pre_ping=isinstance(url, URL) and url.get_backend_name() != "sqlite")
    except Exception as exc:  # noqa: BLE001 - bad URL or missing driver: say which
        raise StoreError(f"cannot open store {shown_url(db)!r}: {scrubbed(_first_line(exc), db)}") from exc
    if engine.dialect.name == "sqlite":
        _install_sqlite_settings(engine, readonly)
    elif readonly:
        _install_readonly_session(engine)
    return engine


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _tables_creating(engine: Engine, where: str, create: bool) -> set[str]:
    """The store's tables, after creating the schema in an empty database when `create`. A new SQLite file
    opened by several processes at once can answer "database is locked" while one of them switches it to
    WAL (SQLite does not wait for that): it is tried again, `CREATE_ATTEMPTS` times in all."""
    for attempt in range(1, CREATE_ATTEMPTS):
        try:
            return _read_or_create(engine, where, create)
        except OperationalError as exc:
            if not create or "locked" not in str(exc):
                raise
            engine.dispose()  # a fresh connection, which sets the journal mode again
            time.sleep(0.05 * attempt)
    return _read_or_create(engine, where, create)  # the last try: its error goes to the caller


def _read_or_create(engine: Engine, where: str, create: bool) -> set[str]:
    """The store's tables; in an empty database, the schema created first when `create`, else StoreError."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    if "meta" in tables:
        return tables
    if tables:
        raise StoreError(
            f"{where!r} is a database but not an advisor results store (it has tables "
            f"{', '.join(sorted(tables))}); point --db at a results store or a new file"
        )
    if not create:
        raise StoreError(f"{where!r} holds no results yet; run `advisor bench --db {where}` first")
    _initialise(engine)
    return set(schema.metadata.tables)


def _initialise(engine: Engine) -> None:
    """Create the schema in an empty database, in one transaction (safe against concurrent creators)."""
    with engine.begin() as conn:
        if inspect(conn).has_table("meta"):
            return  # another process created it while we waited for the write lock
        schema.metadata.create_all(conn)
        create_views(conn)
        conn.execute(schema.meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


def create_views(conn: Connection) -> None:
    """(Re)create the plain SQL views from their Core definitions in schema.py."""
    for name, sql in schema.view_definitions(conn.dialect).items():
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
        conn.execute(text(f"CREATE VIEW {name} AS {sql}"))


def open_store(
    db: str | os.PathLike | None = None, *, create: bool = False, readonly: bool = False, check_schema: bool = True
) -> Store:
    """Open the store at path or URL `db` (default: `default_db()`).

    `create` makes a new store where there is none; `readonly` refuses every write at the database
    level; `check_schema` refuses a store of another schema version with the command that upgrades it.
    """
    db = str(db or default_db())
    if not is_url(db):
        _check_sqlite_file(Path(db), create and not readonly)
    engine = _make_engine(db, readonly)
    store = Store(engine, db, readonly)
    where = store.location
    try:
        tables = _tables_creating(engine, where, create and not readonly)
        version = store.schema_version()
    except (OperationalError, DatabaseError) as exc:
        store.close()
        doing = "read" if readonly else "open"
        raise StoreError(f"cannot {doing} store {where!r}: {scrubbed(_first_line(exc.orig or exc), db)}") from exc
    except BaseException:
        store.close()
        raise
    if check_schema:
        try:
            _check_schema(where, version, tables)
        except StoreError:
            store.close()
            raise
    return store


def _check_schema(where: str, version: int | None, tables: set[str]) -> None:
    """Refuse a store of another schema version, saying how to get a usable one."""
    if version is None:
        raise SchemaVersionError(f"{where!r} records no schema version; it was not written by advisor")
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"store {where!r} has schema version {version}, this advisor uses version {SCHEMA_VERSION}. "
            "It was written by a newer advisor: update your advisor checkout and reinstall it (`pip install -e .`)."
        )
    if version < SCHEMA_VERSION:
        from advisor.store.migrations import MIGRATIONS  # migrations import this module

        upgradable = all(v in MIGRATIONS for v in range(version, SCHEMA_VERSION))
        raise SchemaVersionError(
            f"store {where!r} has schema version {version}, this advisor uses version {SCHEMA_VERSION}. "
            + (
                f"Upgrade it with `advisor db upgrade --db {where}` (back it up first)."
                if upgradable
                else "No upgrade path exists from that version: measure again into a new store with `advisor bench`."
            )
        )
    missing = sorted(set(schema.metadata.tables) - tables)
    if missing:
        raise StoreError(f"store {where!r} lacks the tables {', '.join(missing)}; it is damaged or incomplete")
