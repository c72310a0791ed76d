"""`advisor bench`: train and evaluate families on datasets into the results store."""

from __future__ import annotations

import shlex
import signal
import sys
from typing import Any, get_args

import click

from advisor.budgets import BUDGETS, get_budget
from advisor.cards import DataKind
from advisor.cli.common import (
    db_option,
    executor_options,
    json_option,
    print_json,
    print_runs,
    registry_from,
    scheduler_address,
    stderr,
    table_options,
    table_options_from,
)
from advisor.cli.progress import bench_progress
from advisor.errors import InputError
from advisor.store.status import RunStatus

__all__ = ["bench"]


@click.command()
@click.option("-f", "--family", "families", multiple=True, metavar="NAME", help="Family to measure (repeatable).")
@click.option("-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="Dataset to use (repeatable).")
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(),
    metavar="FILE",
    help="Your own data, a .csv or .npy file (repeatable); validated before anything runs.",
)
@table_options
@click.option(
    "--all",
    "run_all",
    is_flag=True,
    help="Every registered family on every registered dataset; with -f or -d, all of what is not named "
    "(e.g. --all -d ring8: every family on ring8).",
)
@click.option(
    "--data-kind",
    type=click.Choice(get_args(DataKind)),
    help="With --all: only the datasets of this kind (e.g. every table, the corpus's included).",
)
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(1), help="Number of seeds: 0..N-1.")
@click.option(
    "--budget",
    default="quick",
    show_default=True,
    type=click.Choice(sorted(BUDGETS)),
    help="Steps, data and evaluation sizes, the same for every family.",
)
@click.option(
    "--device",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "cpu", "cuda"]),
    help="auto = cuda when torch sees a GPU, else cpu.",
)
@click.option(
    "--cell-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Kill a cell (TIMEOUT) after this long. Default: the budget's safety limit.",
)
@executor_options("Cells run in parallel, each in its own process.")
@click.option(
    "--family-option",
    "family_options",
    multiple=True,
    metavar="FAMILY.KEY=VALUE",
    help="Set a family's constructor setting (repeatable), e.g. gan.learning_rate=2e-4: measured as the "
    "candidate gan@learning_rate=0.0002, beside the default.",
)
@click.option("--rerun", is_flag=True, help="Run cells again even when the store already has them COMPLETE.")
@db_option
@json_option
@click.pass_context
def bench(
    ctx: click.Context,
    families: tuple[str, ...],
    datasets: tuple[str, ...],
    data_files: tuple[str, ...],
    run_all: bool,
    data_kind: str | None,
    seeds: int,
    budget: str,
    device: str,
    cell_timeout: float | None,
    jobs: int,
    executor: str,
    scheduler: str | None,
    family_options: tuple[str, ...],
    rerun: bool,
    db: str | None,
    as_json: bool,
    **table: Any,
) -> None:
    """Train, sample and score families on datasets; store every run and its metrics.

    Cells already COMPLETE in the store are skipped (so an interrupted bench resumes where it
    stopped) unless --rerun is given. Each cell runs in its own process with the budget's wall-clock
    limit: a plugin that raises is FAILED, hangs is TIMEOUT, dies is CRASHED; the bench goes on.
    Runs left RUNNING by a bench that was killed are marked INTERRUPTED and run again.
    Exits 1 when any run did not complete.

    \b
    Example:
      advisor bench -f gmm -f kde -d ring8 --seeds 3 --budget smoke --db /tmp/x.db
    """
    from advisor.evaluate.provenance import resolve_device
    from advisor.runner import plan_cells, resolve_datasets
    from advisor.runner.service import BenchReport, BenchSettings, run_bench
    from advisor.store import open_store, read
    from advisor.store.secrets import masked_argv
    from advisor.variants import apply_family_options

    registry = registry_from(ctx)
    if run_all:
        families = families or tuple(sorted(registry.families))
        if not data_files and not datasets:
            datasets = tuple(sorted(n for n, e in registry.datasets.items() if data_kind in (None, e.obj.card.kind)))
    elif data_kind:
        raise click.UsageError("--data-kind chooses the datasets of --all; add --all")
    if not families or not (datasets or data_files):
        raise InputError(
            "name at least one --family and one --dataset (or --data FILE), or use --all (see `advisor plugins list`)"
        )
    families = tuple(apply_family_options(families, family_options))
    for name in families:
        registry.family(name)
    resolved = resolve_datasets(registry, datasets, data_files, table_options_from(table))
    cells, skipped = plan_cells(registry, families, resolved, range(seeds), budget)
    console = stderr()
    for note in skipped:
        console.print(f"[yellow]skipped[/] {note}")
    if not cells:
        raise InputError("no family in this bench supports any of its datasets' kinds")
    device = resolve_device(device)
    address = scheduler_address(executor, scheduler)
    jobs_given = ctx.get_parameter_source("jobs") is not click.core.ParameterSource.DEFAULT
    limits = get_budget(budget)
    if cell_timeout:
        limits = limits.model_copy(update={"time_limit_s": cell_timeout})
    settings = BenchSettings(
        budget=limits,
        device=device,
        jobs=jobs if jobs_given or executor == "local" else None,
        scheduler=address,
        rerun=rerun,
        plugins_dir=ctx.find_root().params.get("plugins_dir"),
    )

    # `kill` (SIGTERM) stops a bench as cleanly as Ctrl-C: cells in flight are stopped and marked INTERRUPTED
    signal.signal(signal.SIGTERM, _interrupt)

    def ready(report: BenchReport) -> None:
        if report.already_complete:
            console.print(
                f"{report.already_complete} of {len(cells)} cells already COMPLETE in {store.location}; skipped"
            )
            progress.skip(report.already_complete)  # the bar counts and times the cells this bench runs
        if report.recovered:
            console.print(
                f"{report.recovered} runs of a bench that died were marked INTERRUPTED; their cells run again"
            )

    with open_store(db, create=True) as store:
        with bench_progress(console, len(cells)) as progress:
            report = run_bench(
                store,
                registry,
                cells,
                resolved,
                settings,
                command=shlex.join(masked_argv(["advisor", *sys.argv[1:]])),
                on_ready=ready,
                on_start=progress.started,
                on_done=progress.done,
            )
            progress.close(len(report.results))
        with store.connect() as conn:
            runs = read.list_runs(conn, ids=report.run_ids)
    runs.sort(key=lambda r: r["id"])
    if as_json:
        print_json(runs)
    elif runs:
        print_runs(f"bench: {len(runs)} runs, budget {budget}, device {device}", runs, with_budget=False)
    failed = [r for r in runs if r["status"] != RunStatus.COMPLETE]
    for run in failed:
        where = f"{run['family']}/{run['dataset']}/seed {run['seed']}"
        console.print(f"[red]{run['status']}[/] run {run['id']} {where}: {run['error']}")
    if failed:
        ctx.exit(1)


def _interrupt(signum: int, frame: object) -> None:
    """Turn a termination signal into the KeyboardInterrupt the runner cleans up after."""
    raise KeyboardInterrupt(f"received signal {signal.Signals(signum).name}")
