"""`advisor table`: the textbook comparison table, graded from measurements, claims beside it."""

from __future__ import annotations

from typing import get_args

import click
from rich.text import Text

from advisor.cards import DataKind
from advisor.cli.common import db_option, json_option, print_json, print_table, registry_from, stdout
from advisor.rules.claims import PROPERTIES
from advisor.wording import VERDICT_MARKS

__all__ = ["table"]


@click.command()
@click.option("-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="Only evidence from this dataset.")
@click.option("--budget", metavar="NAME", help="Only runs of this budget (default: the most measured one).")
@click.option(
    "--data-kind",
    type=click.Choice(get_args(DataKind)),
    help="Grade on this kind of data only (default: every kind; speed is judged on the highest-dimensional one).",
)
@click.option("--markdown", is_flag=True, help="Print a Markdown table.")
@db_option
@json_option
@click.pass_context
def table(
    ctx: click.Context,
    datasets: tuple[str, ...],
    budget: str | None,
    data_kind: str | None,
    markdown: bool,
    db: str | None,
    as_json: bool,
) -> None:
    """Grade each measured family on quality, diversity, stability, likelihood, speed, latent space and
    conditioning, beside the textbook claim: ✓ the measurement agrees, ✗ it disagrees (claim shown).
    "(card)" marks a design fact read from the family's card rather than measured."""
    from advisor.rules.answers import claims_table

    if as_json and markdown:
        raise click.UsageError("--json and --markdown both choose the output format; give one")
    data = claims_table(registry_from(ctx), db, budget=budget, datasets=datasets, data_kind=data_kind)
    note = data.get("note")
    if as_json:
        print_json(data)
        return
    families = data["families"]

    def cell(family: str, prop: str) -> str:
        c = families[family][prop]
        mark = VERDICT_MARKS[c["verdict"]] + (f" claim: {c['claim']}" if c["verdict"] == "disagrees" else "")
        source = " (card)" if c["basis"] == "card" else ""
        return f"{c['grade']}{source} {mark}".strip()

    # families as rows: a new plugin adds a line, never a column, so the width stays the same
    columns = ["family", *PROPERTIES]
    rows = [[family, *(cell(family, prop) for prop in PROPERTIES)] for family in families]
    if markdown:
        click.echo("| " + " | ".join(columns) + " |")
        click.echo("|---" * len(columns) + "|")
        for row in rows:
            click.echo("| " + " | ".join(row) + " |")
    else:
        if note:
            stdout().print(Text(note, style="dim"))
        print_table(f"Measured grades (budget {data['budget']}, {len(data['datasets'])} datasets)", columns, rows)
        if scale := data.get("quality_scale"):
            meaning = "; ".join(f"{grade} = {text}" for grade, text in scale.items())
            stdout().print(Text(f"sample quality, calibrated per dataset (C2ST): {meaning}", style="dim"))
        else:
            stdout().print(
                Text(
                    "sample quality by fixed C2ST thresholds: no calibration stored for these datasets and budget "
                    f"(`advisor metrics calibrate --budget {data['budget']} --db ...` stores it)",
                    style="dim",
                )
            )
        if data.get("speed_judged_on"):
            stdout().print(
                Text(
                    f"sampling speed is judged on {data['speed_judged_on']} data, the highest-dimensional "
                    "kind measured (the claim is about it); the numbers behind each grade: --json",
                    style="dim",
                )
            )
