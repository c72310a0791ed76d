"""`advisor generate`: fit the chosen family on your table and write samples in your own columns."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.budgets import BUDGETS
from advisor.cli.common import registry_from, stderr, table_options, table_options_from
from advisor.errors import AdvisorError, InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["generate", "spreadsheet_safe"]

#: what a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"): = + - @, tab, carriage return
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a plain number written as text ("-3.5", "+1e3"): a spreadsheet reads it as that number, never a formula
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """`frame` with each text cell a spreadsheet would run as a formula prefixed with `'` (OWASP's advice
    against CSV injection), and how many cells that was. Only text cells: numbers (a negative -3.5 in
    a number column), dates and text that is a plain number are left as they are."""

    def risky(value: object) -> bool:
        return isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)

    frame, escaped = frame.copy(), 0
    for name in frame.columns:
        if frame[name].dtype.kind in "biufcmM":  # numbers, booleans and dates hold no text cell
            continue
        flagged = frame[name].map(risky).astype(bool)
        if flagged.any():
            escaped += int(flagged.sum())
            frame[name] = frame[name].astype(object).where(~flagged, "'" + frame[name][flagged].astype(str))
    return frame, escaped


@click.command()
@click.option("-f", "--family", required=True, metavar="NAME", help="The family to fit (see `advisor plugins list`).")
@click.option("--data", "data_file", required=True, type=click.Path(), metavar="FILE", help="Your .csv or .npy table.")
@click.option("-n", "rows", default=1000, show_default=True, type=click.IntRange(1), help="Rows to generate.")
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Where to write the generated rows (.csv).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the split, the fit and the samples.")
@click.option(
    "--budget", default="quick", show_default=True, type=click.Choice(sorted(BUDGETS)), help="Training budget."
)
@click.option(
    "--sampler",
    metavar="NAME",
    help="The family's sampler (e.g. ddim-50; see `advisor plugins list`). Default: the family's first sampler.",
)
@click.option(
    "--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]), help="Where to fit."
)
@click.option(
    "--raw-cells",
    is_flag=True,
    help="Write text cells as generated, even those a spreadsheet would run as a formula (starting with = + - @, "
    "tab or carriage return). Default: such cells are written with a leading ' (OWASP's CSV-injection advice).",
)
@table_options
@click.pass_context
def generate(
    ctx: click.Context,
    family: str,
    data_file: str,
    rows: int,
    out: str,
    seed: int,
    budget: str,
    sampler: str | None,
    device: str,
    raw_cells: bool,
    **table: Any,
) -> None:
    """Fit FAMILY on your table exactly as the bench does (same encoding, split and budget), then write
    N generated rows to FILE in your columns: names, order, categories, whole numbers and dates as
    in the file, missing cells where the model put them, left-out columns restored. Text cells that a
    spreadsheet would run as a formula are written with a leading ' unless --raw-cells is given.

    `advisor recommend --data FILE` ends by printing this command for its winner.

    \b
    Example:
      advisor generate --family flow --data penguins.csv -n 500 --out synthetic.csv
    """
    from threadpoolctl import threadpool_limits

    from advisor.arrays import InvalidOutput, checked_samples
    from advisor.budgets import get_budget
    from advisor.data.user import load_user_data
    from advisor.evaluate.columns import for_split
    from advisor.evaluate.protocol import cell_threads, seed_everything
    from advisor.evaluate.provenance import resolve_device

    registry = registry_from(ctx)
    family_cls = registry.family(family)
    sampler = sampler or family_cls.card.samplers[0]
    if sampler not in family_cls.card.samplers:
        raise InputError(f"{family} has no sampler {sampler!r}; its samplers: {', '.join(family_cls.card.samplers)}")
    if table.get("label_column"):
        raise click.UsageError("generate models every column jointly; drop --label-column")
    if not out.lower().endswith(".csv"):
        raise InputError(f"--out {out!r}: write a .csv file")
    if not Path(out).resolve().parent.is_dir():
        raise InputError(f"--out {out!r}: directory {str(Path(out).resolve().parent)!r} does not exist")
    dataset = load_user_data(data_file, table_options_from(table))
    limits = get_budget(budget)
    split = dataset.split(limits, seed)
    limits = limits.sized_for(len(split.train), dataset.card.kind)  # trained as the bench trains it
    console = stderr()
    for note in dataset.notes(limits):
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"fitting {family} on {len(split.train)} rows of {Path(data_file).name} ({budget} budget)...")
    device = resolve_device(device)
    started = time.monotonic()
    with threadpool_limits(limits=cell_threads()):
        model = for_split(family_cls(), split, seed)
        seed_everything(seed)
        try:
            model.fit(split.train, None, limits, seed, device)
            seed_everything(seed + 1)
            samples = model.sample(rows, None, sampler)
            samples = checked_samples(samples, rows, split.train.shape[1])
        except InvalidOutput as exc:
            raise AdvisorError(f"{family} returned unusable samples: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - a plugin's failure is reported, never a traceback
            raise AdvisorError(f"{family} failed: {type(exc).__name__}: {exc}") from exc
    decoded, repairs = split.encoder.decode_with_repairs(samples)
    generated = split.encoder.as_written(decoded)
    escaped, risky = spreadsheet_safe(generated)
    (generated if raw_cells else escaped).to_csv(out, index=False)
    console.print(
        f"{split.encoder.validity(samples):.1%} of the rows held the file's ranges and value sets before repairs"
    )
    for line in repairs.lines():
        console.print(f"[yellow]repaired:[/] {line}", highlight=False)
    console.print(f"wrote {rows} rows to {out} in {time.monotonic() - started:.0f} s")
    if risky:
        how = (
            "written as generated (--raw-cells): a spreadsheet opening the file runs them as formulas"
            if raw_cells
            else "written with a leading ' so that a spreadsheet shows them instead of running them "
            "(--raw-cells writes them as generated)"
        )
        console.print(
            f"[yellow]note:[/] {risky} text cell(s) start with = + - @, tab or carriage return; {how}",
            highlight=False,
        )
