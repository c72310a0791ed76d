"""Schema upgrades: one function per version step, applied in order by `advisor db upgrade`.

All steps run in one transaction: a store is upgraded completely or not at all. SQLite cannot add a
constraint to an existing table, so a step that needs one rebuilds the table the way SQLite's
documentation prescribes ("Making Other Kinds Of Table Schema Changes"): foreign keys off for the
connection, create the new table, copy, drop the old, rename, recreate indexes and views, check the
foreign keys, commit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import Connection, MetaData, Table, select, text, update
from sqlalchemy.schema import CreateTable

from advisor.errors import SchemaVersionError, StoreError
from advisor.store import schema
from advisor.store.engine import Store, create_views
from advisor.store.read import BENCH_LOG_KEY
from advisor.store.schema import SCHEMA_VERSION
from advisor.store.secrets import masked_entry
from advisor.store.status import RunStatus

__all__ = ["MIGRATIONS", "Upgraded", "upgrade"]


def _run_status_enum(conn: Connection) -> None:
    """1 -> 2: `runs.status` becomes an enum column (CHECK constraint); index for latest-run lookups.

    Version 1 declared a PENDING status that was never written; any status outside the enum becomes
    INTERRUPTED (a run that never finished says nothing about the family), with the old name kept
    in its error.
    """
    legal = ", ".join(f"'{status.value}'" for status in RunStatus)
    conn.execute(
        text(
            f"UPDATE runs SET error = COALESCE(error, '') || ' (status was ' || status || ')', "
            f"status = '{RunStatus.INTERRUPTED.value}' WHERE status NOT IN ({legal})"
        )
    )
    if conn.dialect.name == "sqlite":
        _rebuild_sqlite_table(conn, schema.runs)
    else:
        conn.execute(text(f"ALTER TABLE runs ADD CONSTRAINT run_status CHECK (status IN ({legal}))"))
        for index in schema.runs.indexes:
            index.create(conn, checkfirst=True)


def _rebuild_sqlite_table(conn: Connection, table: Table) -> None:
    """Re-create `table` with its current definition, keeping every row (foreign keys must be off)."""
    name = table.name
    copy = MetaData()  # the tables it references, for its foreign keys
    for other in table.metadata.sorted_tables:
        if other is not table:
            other.to_metadata(copy)
    rebuilt = table.to_metadata(copy, name=f"{name}_rebuilt")
    columns = ", ".join(column.name for column in table.columns)
    conn.execute(text("DROP VIEW IF EXISTS latest_metrics"))  # views naming the table block its rename
    conn.execute(CreateTable(rebuilt))
    conn.execute(text(f"INSERT INTO {rebuilt.name} ({columns}) SELECT {columns} FROM {name}"))
    conn.execute(text(f"DROP TABLE {name}"))
    conn.execute(text(f"ALTER TABLE {rebuilt.name} RENAME TO {name}"))
    for index in table.indexes:
        index.create(conn)


def _mask_stored_passwords(conn: Connection) -> int:
    """Mask every password the bench log holds, in any form an older advisor wrote it; how many entries changed.

    Run by every `advisor db upgrade`, whatever the versions (it is the 2 -> 3 step too): versions up
    to 4 missed a password holding a quote (`shlex.join` had quoted the word), so a store of the
    current version may hold one.
    """
    value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == BENCH_LOG_KEY)).scalar()
    if value is None:
        return 0
    log = json.loads(value)
    masked = [masked_entry(entry) for entry in log]
    changed = sum(old != new for old, new in zip(log, masked, strict=True))
    if changed:
        conn.execute(update(schema.meta).where(schema.meta.c.key == BENCH_LOG_KEY).values(value=json.dumps(masked)))
    return changed


def _no_password_in_log(conn: Connection) -> None:
    """2 -> 3: no password in the bench log; `upgrade` masks it after every step (`_mask_stored_passwords`)."""


def _calibration_table(conn: Connection) -> None:
    """3 -> 4: add the (empty) calibration table; `advisor metrics calibrate --db` fills it."""
    schema.calibration.create(conn, checkfirst=True)


# from-version -> function that migrates a connection's schema from that version to the next one.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _run_status_enum,
    2: _no_password_in_log,
    3: _calibration_table,
}


class Upgraded(NamedTuple):
    """What `upgrade` did: the schema versions before and after, and the bench-log entries it masked."""

    start: int
    end: int
    masked: int


def upgrade(store: Store) -> Upgraded:
    """Upgrade `store` to SCHEMA_VERSION and mask the passwords its bench log holds, in one transaction."""
    start = store.schema_version()
    if start is None:
        raise SchemaVersionError(f"{store.location!r} has no schema version; it is not an advisor store")
    if start > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{store.location!r} has schema version {start}, newer than this advisor's {SCHEMA_VERSION}; "
            "upgrade advisor instead"
        )
    missing = [v for v in range(start, SCHEMA_VERSION) if v not in MIGRATIONS]
    if missing:
        raise SchemaVersionError(
            f"no upgrade path from schema version {start} to {SCHEMA_VERSION} (no step from version "
            f"{missing[0]}); re-create the store with `advisor bench`"
        )
    if start == SCHEMA_VERSION:
        with store.engine.begin() as conn:
            return Upgraded(start, start, _mask_stored_passwords(conn))
    with store.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or SQLite ignores it
        try:
            with conn.begin():
                for version in range(start, SCHEMA_VERSION):
                    MIGRATIONS[version](conn)
                create_views(conn)
                if sqlite and (broken := conn.execute(text("PRAGMA foreign_key_check")).first()):
                    raise StoreError(f"the upgrade would break a foreign key ({tuple(broken)}); nothing was changed")
                conn.execute(
                    update(schema.meta).where(schema.meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
                )
                masked = _mask_stored_passwords(conn)
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")
    return Upgraded(start, SCHEMA_VERSION, masked)
