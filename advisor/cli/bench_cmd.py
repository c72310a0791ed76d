"""`advisor bench`: train and evaluate families on datasets into the results store."""

from __future__ import annotations

import shlex
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from advisor.budgets import BUDGETS, get_budget
from advisor.cli.common import db_option, json_option, print_json, print_runs, registry_from, stderr
from advisor.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rich.console import Console

    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.runner import CellResult, DaskExecutor, LocalExecutor
    from advisor.store import Store
    from advisor.store.cells import Cell

__all__ = ["bench"]

# Metrics shown in summary tables, in this order; every metric is in --json and `results show`.


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
@click.option("--label-column", metavar="NAME|INDEX", help="Column of --data files holding class labels.")
@click.option("--all", "run_all", is_flag=True, help="Every registered family on every registered dataset.")
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
@click.option(
    "-j",
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Cells run in parallel, each in its own process.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: child processes on this machine; dask: a dask.distributed cluster (--scheduler).",
)
@click.option("--scheduler", metavar="ADDRESS", help="dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("--rerun", is_flag=True, help="Run cells again even when the store already has them COMPLETE.")
@db_option
@json_option
@click.pass_context
def bench(
    ctx: click.Context,
    families: tuple[str, ...],
    datasets: tuple[str, ...],
    data_files: tuple[str, ...],
    label_column: str | None,
    run_all: bool,
    seeds: int,
    budget: str,
    device: str,
    cell_timeout: float | None,
    jobs: int,
    executor: str,
    scheduler: str | None,
    rerun: bool,
    db: str | None,
    as_json: bool,
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
    from advisor.evaluate.provenance import git_revision, resolve_device
    from advisor.runner import DaskExecutor, LocalExecutor, pending_cells, plan_cells, resolve_datasets
    from advisor.runner.local import STALE_AFTER_S
    from advisor.store import open_store
    from advisor.store.cells import record_bench, recover_interrupted, sync_catalog
    from advisor.store.queries import list_runs, run_to_dict

    registry = registry_from(ctx)
    if run_all:
        families, datasets = tuple(sorted(registry.families)), tuple(sorted(registry.datasets))
    if not families or not (datasets or data_files):
        raise InputError(
            "name at least one --family and one --dataset (or --data FILE), or use --all (see `advisor plugins list`)"
        )
    for name in families:
        registry.family(name)
    resolved = resolve_datasets(registry, datasets, data_files, label_column)
    cells, skipped = plan_cells(registry, families, resolved, range(seeds), budget)
    console = stderr()
    for note in skipped:
        console.print(f"[yellow]skipped[/] {note}")
    if not cells:
        raise InputError("no family in this bench supports any of its datasets' kinds")
    device = resolve_device(device)
    if executor == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (the dask scheduler, e.g. tcp://host:8786)")
    jobs_given = ctx.get_parameter_source("jobs") is not click.core.ParameterSource.DEFAULT

    # `kill` (SIGTERM) stops a bench as cleanly as Ctrl-C: cells in flight are stopped and marked INTERRUPTED
    signal.signal(signal.SIGTERM, _interrupt)
    with open_store(db, create=True) as store:
        sync_catalog(store, registry, families, resolved)
        record_bench(
            store,
            {
                "command": shlex.join(["advisor", *sys.argv[1:]]),
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "host": socket.gethostname(),
                "git_revision": git_revision(),
                "cells": len(cells),
            },
        )
        todo = cells if rerun else pending_cells(store, registry, cells)
        if len(todo) < len(cells):
            console.print(
                f"{len(cells) - len(todo)} of {len(cells)} cells already COMPLETE in {store.location}; skipped"
            )
        if recovered := recover_interrupted(store, STALE_AFTER_S):
            console.print(f"{recovered} runs of a bench that died were marked INTERRUPTED; their cells run again")
        plugins_dir = ctx.find_root().params.get("plugins_dir")
        if executor == "dask":
            pool = DaskExecutor(registry, plugins_dir, scheduler, jobs if jobs_given else None)
        else:
            pool = LocalExecutor(registry, plugins_dir, jobs)
        limits = get_budget(budget)
        if cell_timeout:
            limits = limits.model_copy(update={"time_limit_s": cell_timeout})
        results = _run_with_progress(pool, store, todo, resolved, limits, device, rerun, console)
        with store.session() as session:
            runs = [run_to_dict(r) for r in list_runs(session, ids=[i for r in results for i in r.run_ids])]
    runs.sort(key=lambda r: r["id"])
    if as_json:
        print_json(runs)
    elif runs:
        print_runs(f"bench: {len(runs)} runs, budget {budget}, device {device}", runs, with_budget=False)
    failed = [r for r in runs if r["status"] != "COMPLETE"]
    for run in failed:
        where = f"{run['family']}/{run['dataset']}/seed {run['seed']}"
        console.print(f"[red]{run['status']}[/] run {run['id']} {where}: {run['error']}")
    if failed:
        ctx.exit(1)


def _interrupt(signum: int, frame: object) -> None:
    """Turn a termination signal into the KeyboardInterrupt the runner cleans up after."""
    raise KeyboardInterrupt(f"received signal {signal.Signals(signum).name}")


def _run_with_progress(
    executor: LocalExecutor | DaskExecutor,
    store: Store,
    cells: list[Cell],
    datasets: Mapping[str, Dataset],
    budget: Budget,
    device: str,
    rerun: bool,
    console: Console,
) -> list[CellResult]:
    """Run `cells` under a rich progress bar (cells done, failed, running, ETA)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]bench"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
    )
    running: dict[str, float] = {}  # cell -> start time
    failed = done = 0
    began = time.monotonic()
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=len(cells), failed=0)

        def on_start(cell: Cell) -> None:
            running[_name(cell)] = time.monotonic()
            progress.update(task, description="running " + ", ".join(running))

        def on_done(result: CellResult) -> None:
            nonlocal failed, done
            name = _name(result.cell)
            seconds = time.monotonic() - running.pop(name, began)
            failed += any(o.status != "COMPLETE" for o in result.outcomes)
            done += 1
            progress.update(task, advance=1, failed=failed, description="running " + ", ".join(running))
            if not console.is_terminal:  # a log file gets one line per cell instead of a live bar
                statuses = ", ".join(sorted({o.status for o in result.outcomes}))
                left = (time.monotonic() - began) / done * (len(cells) - done)
                console.print(
                    f"[{done}/{len(cells)}] {name}: {statuses} in {seconds:.0f} s; "
                    f"{failed} failed; about {left / 60:.0f} min left",
                    highlight=False,
                )

        results = executor.run(store, cells, datasets, budget, device, rerun=rerun, on_start=on_start, on_done=on_done)
        # cells claimed by another bench, or completed meanwhile, were skipped: close the bar honestly
        progress.update(task, total=len(results), description="")
    return results


def _name(cell: Cell) -> str:
    return f"{cell.family}/{cell.dataset}/seed {cell.seed}"
