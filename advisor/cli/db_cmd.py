"""`advisor db`: inspect, upgrade and pack a results store."""

from __future__ import annotations

import click

from advisor.cli.common import db_option, json_option, print_json, print_table, stdout
from advisor.store import SCHEMA_VERSION, open_store, read

__all__ = ["db"]


@click.group()
def db() -> None:
    """Inspect, upgrade or pack the results store."""


@db.command()
@db_option
@json_option
def info(db: str | None, as_json: bool) -> None:
    """Show the store's location, schema version, run counts by status and the benches that wrote it."""
    with open_store(db, readonly=True) as store, store.connect() as conn:
        counts = read.status_counts(conn)
        version = store.schema_version()
        benches = read.bench_log(conn)
    data = {"location": store.location, "schema_version": version, "runs_by_status": counts, "benches": benches}
    if as_json:
        print_json(data)
        return
    stdout().print(f"store {store.location}: schema version {version}", markup=False)
    print_table("Runs by status", ["status", "runs"], sorted(counts.items()))
    if benches:
        print_table(
            "Benches that wrote here",
            ["started", "command", "host", "revision"],
            [[b.get("started_at"), b.get("command"), b.get("host"), b.get("git_revision")] for b in benches],
        )


@db.command()
@db_option
def upgrade(db: str | None) -> None:
    """Upgrade the store's schema to this advisor's version and mask any password its bench log holds
    (one transaction)."""
    from advisor.store.migrations import upgrade as upgrade_store

    with open_store(db, check_schema=False) as store:
        done = upgrade_store(store)
    if done.start == done.end:
        message = f"{store.location} is already at schema version {SCHEMA_VERSION}."
    else:
        message = f"{store.location} upgraded from schema version {done.start} to {done.end}."
    if done.masked:
        message += f" Masked the passwords in {done.masked} bench log entries."
    stdout().print(message, markup=False)


@db.command()
@click.option(
    "--drop-superseded-samples",
    is_flag=True,
    help="First delete the stored samples of runs a re-run superseded (runs and metrics are kept).",
)
@click.option(
    "--first-seed-samples",
    is_flag=True,
    help="Keep only the samples of each candidate's first seed on each dataset (the ones the report draws; "
    "runs and metrics are kept), and drop those of superseded runs: for shipping a store.",
)
@click.option(
    "--sample-rows",
    type=click.IntRange(1),
    metavar="N",
    help="Keep at most N rows of each stored sample (the first: they are independent draws), for shipping.",
)
@db_option
def pack(drop_superseded_samples: bool, first_seed_samples: bool, sample_rows: int | None, db: str | None) -> None:
    """Make an SQLite store one compact, self-contained file, for committing or shipping.

    Folds the write-ahead log into the file, switches it to a rollback journal (so it can be read
    where its directory cannot be written, e.g. from an installed package) and VACUUMs it. Stop any
    bench writing to it first.
    """
    from advisor.store.engine import default_db
    from advisor.store.pack import pack as pack_store

    path = db or default_db()
    sizes = pack_store(
        path,
        drop_superseded_samples=drop_superseded_samples,
        first_seed_samples=first_seed_samples,
        sample_rows=sample_rows,
    )
    which = "superseded or later-seed" if first_seed_samples else "superseded"
    dropped = f", samples of {sizes.dropped_samples} {which} runs dropped" if sizes.dropped_samples else ""
    stdout().print(
        f"{path} packed: {sizes.before / 1e6:.1f} MB -> {sizes.after / 1e6:.1f} MB, rollback journal{dropped}."
    )
