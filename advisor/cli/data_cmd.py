"""`advisor data`: see how a table will be read and typed before anything is measured on it."""

from __future__ import annotations

from typing import Any

import click

from advisor.cli.common import json_option, print_json, print_table, stdout, table_options, table_options_from

__all__ = ["data"]


@click.group()
def data() -> None:
    """Inspect your own data files."""


@data.command()
@click.argument("path", type=click.Path())
@table_options
@json_option
def describe(path: str, as_json: bool, **table: Any) -> None:
    """Show how PATH (.csv or .npy) is read and each column's inferred kind, and what is done about
    missing values and unusable columns: what every family will see, before anything runs.

    Kinds: continuous, integer (dequantized), categorical (one-hot, dequantized), datetime (days),
    identifier, constant and duplicate (the last three are left out). Override with --categorical
    and --drop; choose the missing-value policy with --missing.

    \b
    Example:
      advisor data describe penguins.csv --label-column species
    """
    from advisor.data.encoding import TableEncoder
    from advisor.data.user import describe_table

    schema, report = describe_table(path, table_options_from(table))
    encoder = TableEncoder(schema)
    if as_json:
        print_json(
            {**schema.to_dict(), "read_as": report.describe(), "encoding": encoder.describe(), "encoded": encoder.names}
        )
        return
    console = stdout()
    console.print(f"[bold]{path}[/]: {schema.rows} rows, read as {report.describe()}")
    rows = [
        [c.name, c.kind, c.missing, ", ".join(c.levels[:6]) + (" ..." if len(c.levels) > 6 else ""), c.reason]
        for c in schema.columns
    ]
    print_table("Columns", ["column", "kind", "missing", "levels", "why"], rows)
    if schema.label:
        console.print(f"labels: {schema.label!r}")
    for note in schema.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"encoding: {encoder.describe()}")
