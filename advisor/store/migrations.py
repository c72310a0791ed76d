"""Schema upgrades: one function per version step, applied in order by `advisor db upgrade`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, update

from advisor.errors import SchemaVersionError
from advisor.store.engine import Store
from advisor.store.models import SCHEMA_VERSION, Meta

__all__ = ["MIGRATIONS", "upgrade"]

# from-version -> function that migrates a connection's schema from that version to the next one.
# Version 1 is the first released schema; steps are added here when the schema changes.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}


def upgrade(store: Store) -> tuple[int, int]:
    """Upgrade `store` to SCHEMA_VERSION in one transaction; returns (from_version, to_version)."""
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
    with store.engine.begin() as conn:
        for version in range(start, SCHEMA_VERSION):
            MIGRATIONS[version](conn)
        conn.execute(update(Meta).where(Meta.key == "schema_version").values(value=str(SCHEMA_VERSION)))
    return start, SCHEMA_VERSION
