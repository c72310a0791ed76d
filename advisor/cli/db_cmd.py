"""`advisor db`: inspect and upgrade a results store."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from advisor.cli.common import db_option, json_option, print_json, print_table, stdout
from advisor.store import SCHEMA_VERSION, open_store
from advisor.store.migrations import upgrade as upgrade_store
from advisor.store.models import Run

__all__ = ["db"]


@click.group()
def db() -> None:
    """Inspect or upgrade the results store."""


@db.command()
@db_option
@json_option
def info(db: str | None, as_json: bool) -> None:
    """Show the store's location, schema version and run counts by status."""
    with open_store(db, readonly=True) as store, store.session() as session:
        counts = dict(session.execute(select(Run.status, func.count()).group_by(Run.status)).all())
        version = store.schema_version()
    data = {"location": store.location, "schema_version": version, "runs_by_status": counts}
    if as_json:
        print_json(data)
        return
    stdout().print(f"store {store.location}: schema version {version}")
    print_table("Runs by status", ["status", "runs"], sorted(counts.items()))


@db.command()
@db_option
def upgrade(db: str | None) -> None:
    """Upgrade the store's schema to this advisor's version (one transaction)."""
    with open_store(db, check_schema=False) as store:
        start, end = upgrade_store(store)
    if start == end:
        stdout().print(f"{store.location} is already at schema version {SCHEMA_VERSION}.")
    else:
        stdout().print(f"{store.location} upgraded from schema version {start} to {end}.")
