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

    Kinds: continuous, integer (dequantized), discrete (whole numbers kept to the few values seen),
    categorical and boolean (one-hot, dequantized), ordinal (rank, dequantized), datetime (days),
    and, left out, identifier, constant, duplicate and dropped. Each numeric and date column shows
    its range (generated values are kept in it). Override with --categorical, --ordinal, --drop and
    --dayfirst; choose the missing-value policy with --missing.

    \b
    Example:
      advisor data describe penguins.csv --label-column species
    """
    from advisor.data.user import read_codec

    codec, report = read_codec(path, table_options_from(table))
    schema = codec.schema
    if as_json:
        print_json(
            {**schema.to_dict(), "read_as": report.describe(), "encoding": codec.describe(), "encoded": codec.names}
        )
        return
    console = stdout()
    console.print(f"[bold]{path}[/]: {schema.rows} rows, read as {report.describe()}")
    rows = [[c.name, c.kind, c.sdtype, c.missing, _holds(c), c.reason] for c in schema.columns]
    print_table("Columns", ["column", "kind", "type", "missing", "range / levels", "why"], rows)
    if schema.label:
        console.print(f"labels: {schema.label!r}")
    for note in schema.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"encoding: {codec.describe()}")


def _holds(column: Any) -> str:
    """What a described column holds: its range (numbers, dates), values or levels."""
    if column.values:
        return ", ".join(f"{v:g}" for v in column.values)
    if column.low is not None:
        fmt = "{:g}" if isinstance(column.low, float) else "{}"
        places = f" ({column.decimals} decimal{'s' if column.decimals > 1 else ''})" if column.decimals else ""
        return f"{fmt.format(column.low)} .. {fmt.format(column.high)}{places}"
    return ", ".join(column.levels[:6]) + (" ..." if len(column.levels) > 6 else "")
