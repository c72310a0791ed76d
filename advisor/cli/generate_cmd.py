"""`advisor generate`: fit the chosen family on your table and write samples in your own columns."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from advisor.budgets import BUDGETS
from advisor.cli.common import registry_from, stderr, table_options, table_options_from
from advisor.errors import AdvisorError, InputError

__all__ = ["generate"]


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
@click.option("--sampler", default="default", show_default=True, help="The family's sampler (e.g. ddim-50).")
@click.option(
    "--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]), help="Where to fit."
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
    sampler: str,
    device: str,
    **table: Any,
) -> None:
    """Fit FAMILY on your table exactly as the bench does (same encoding, split and budget), then write
    N generated rows to FILE in your columns: names, order, categories, whole numbers and dates as
    in the file, missing cells where the model put them, left-out columns restored.

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
    split.encoder.decode(samples).to_csv(out, index=False)
    console.print(f"wrote {rows} rows to {out} in {time.monotonic() - started:.0f} s")
