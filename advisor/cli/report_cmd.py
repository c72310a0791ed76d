"""`advisor report`: write the HTML report with figures from the store."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from advisor.cli.common import db_option, registry_from, stderr, stdout
from advisor.store.reference import choose_store

__all__ = ["report"]


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="Directory to write index.html (one file, figures embedded) and the figures as PNGs into.",
)
@click.option("-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="Only this dataset (repeatable).")
@click.option("--budget", metavar="NAME", help="Only runs of this budget (default: the most measured one).")
@db_option
@click.pass_context
def report(ctx: click.Context, out: str, datasets: tuple[str, ...], budget: str | None, db: str | None) -> None:
    """Write a self-contained HTML report: samples, quality vs speed with the Pareto front, NLL with seed
    spread, training cost, and the claims table. index.html is one file with its figures embedded (to
    mail or attach); it needs no re-training and no network to view."""
    from advisor.report import write_report
    from advisor.store import open_store
    from advisor.store.read import check_filters

    registry = registry_from(ctx)
    location, note = choose_store(db)
    if note:
        stderr().print(Text(note, style="dim"))
    with open_store(location, readonly=True) as store:
        with store.connect() as conn:
            check_filters(conn, store.location, budget=budget, datasets=datasets)
        index = write_report(store, registry, Path(out), budget=budget, datasets=datasets)
    stdout().print(Text(f"wrote {index}"))
