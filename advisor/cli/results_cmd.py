"""`advisor results`: list, show, export, query and reproduce the measurements in the store.

Every command reads the store only; `reproduce` writes its re-measured runs to a scratch store.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import click

from advisor.cli.common import db_option, json_option, print_json, print_runs, print_table, stdout
from advisor.errors import InputError
from advisor.store import RunStatus, open_store
from advisor.store.read import check_filters, get_run, list_runs
from advisor.store.sql import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, query

__all__ = ["results"]

#: most rows `results sql` lays out as a table (a table is built in memory; CSV and JSON stream)
TABLE_ROWS = 10_000

_EXPORT_COLUMNS = (
    "run_id",
    "family",
    "sampler",
    "dataset",
    "seed",
    "budget",
    "status",
    "device",
    "metric",
    "value",
    "unit",
    "higher_is_better",
    "kind",
    "flag",
    "error",
)


@click.group()
def results() -> None:
    """Read the measurements in the results store (never writes)."""


def _filters(fn: Any) -> Any:
    fn = click.option(
        "-f", "--family", "families", multiple=True, metavar="NAME", help="Only this family (repeatable)."
    )(fn)
    fn = click.option(
        "-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="Only this dataset (repeatable)."
    )(fn)
    fn = click.option("--budget", metavar="NAME", help="Only runs of this budget.")(fn)
    fn = click.option(
        "--status",
        type=click.Choice([s.value for s in RunStatus], case_sensitive=False),
        help="Only runs with this status.",
    )(fn)
    return fn


def _runs(db: str | None, **filters: Any) -> list[dict[str, Any]]:
    with open_store(db, readonly=True) as store, store.connect() as conn:
        check_filters(
            conn,
            store.location,
            budget=filters.get("budget"),
            datasets=filters["datasets"],
            families=filters["families"],
        )
        return list_runs(conn, **filters)


@results.command("list")
@_filters
@click.option("--limit", type=click.IntRange(1), help="At most this many runs, newest first.")
@db_option
@json_option
def list_results(db: str | None, as_json: bool, **filters: Any) -> None:
    """List runs with their headline metrics, newest first."""
    runs = _runs(db, **filters)
    if as_json:
        print_json(runs)
        return
    if not runs:
        stdout().print("no runs match.")
        return
    print_runs(None, runs)


@results.command()
@click.argument("run_id", type=int)
@db_option
@json_option
def show(run_id: int, db: str | None, as_json: bool) -> None:
    """Show one run: every metric, the fit report and the provenance."""
    with open_store(db, readonly=True) as store, store.connect() as conn:
        run = get_run(conn, run_id)
    if as_json:
        print_json(run)
        return
    console = stdout()
    console.print(
        f"[bold]run {run['id']}[/]: {run['family']} ({run['sampler']}) on {run['dataset']}, seed {run['seed']}, "
        f"budget {run['budget']}, {run['device']} -> [bold]{run['status']}[/]"
    )
    if run["error"]:
        console.print(f"error: {run['error']}")
    print_table(
        "Metrics",
        ["metric", "value", "unit", "better", "kind", "flag", "note"],
        [
            [
                name,
                m["value"],
                m["unit"],
                "higher" if m["higher_is_better"] else "lower",
                m["kind"],
                m["flag"],
                m.get("note"),
            ]
            for name, m in run["metrics"].items()
        ],
    )
    console.print("fit: " + json.dumps(run["fit"], default=str))
    console.print("provenance: " + json.dumps(run["provenance"], default=str))


@results.command()
@_filters
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="csv: one row per run and metric; json: one object per run.",
)
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout."
)
@db_option
def export(fmt: str, out: str | None, db: str | None, **filters: Any) -> None:
    """Export runs and metrics as CSV (long format) or JSON."""
    runs = _runs(db, **filters)
    try:
        handle = open(out, "w", newline="") if out else sys.stdout
    except OSError as exc:
        raise InputError(f"cannot write {out!r}: {exc.strerror}") from None
    try:
        if fmt == "json":
            json.dump(runs, handle, indent=2, default=str)
            handle.write("\n")
        else:
            writer = csv.writer(handle)
            writer.writerow(_EXPORT_COLUMNS)
            for r in sorted(runs, key=lambda r: r["id"]):
                run = [
                    r["id"],
                    r["family"],
                    r["sampler"],
                    r["dataset"],
                    r["seed"],
                    r["budget"],
                    r["status"],
                    r["device"],
                ]
                # a run without metrics (failed, still running) is one row with the metric columns empty
                metrics = [
                    [name, m["value"], m["unit"], m["higher_is_better"], m["kind"], m["flag"]]
                    for name, m in r["metrics"].items()
                ] or [[""] * 6]
                for metric in metrics:
                    writer.writerow([*run, *metric, r.get("error") or ""])
    finally:
        if out:
            handle.close()
    if out:
        click.echo(f"wrote {len(runs)} runs to {out}", err=True)


@results.command()
@click.argument("statement")
@db_option
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.option(
    "--limit",
    "max_rows",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="Print at most this many rows (a note says when more were left out).",
)
@click.option(
    "--all",
    "all_rows",
    is_flag=True,
    help=f"Print every row (streamed with --csv or --json; a table shows {TABLE_ROWS:,}).",
)
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop the statement after this long.",
)
@click.option(
    "--memory",
    "memory_mb",
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    type=click.FloatRange(min=16),
    metavar="MB",
    help="Stop the statement when it needs more memory than this (SQLite stores).",
)
def sql(
    statement: str,
    db: str | None,
    as_json: bool,
    as_csv: bool,
    max_rows: int,
    all_rows: bool,
    timeout: float,
    memory_mb: float,
) -> None:
    """Run one read-only SQL query, e.g. "SELECT * FROM latest_metrics".

    The store is opened read-only: a statement that writes is refused and changes nothing; ATTACH
    and DETACH are refused before they run. The statement is passed as typed (no bind parameters).
    Rows stream out (CSV and JSON) as the database returns them; a table holds at most
    10,000 rows. The statement stops at --timeout, at --memory or on Ctrl-C, even inside one
    expression.
    Tables: runs, metrics, samples, families, datasets, meta; view: latest_metrics.
    """
    if as_json and as_csv:
        raise click.UsageError("--json and --csv both choose the output format; give one")
    if not statement.strip():
        raise click.UsageError('the SQL statement is empty; e.g. "SELECT * FROM latest_metrics LIMIT 5"')
    limit = None if all_rows else max_rows
    if not (as_json or as_csv):  # a table is laid out in memory before it is printed: capped
        limit = min(limit or TABLE_ROWS, TABLE_ROWS)
    with (
        open_store(db, readonly=True) as store,
        query(store, statement, timeout_s=timeout, memory_mb=memory_mb) as result,
    ):
        head = result.rows if limit is None else itertools.islice(result.rows, limit)
        if as_json:
            shown = _stream_json(result.columns, head)
        elif as_csv:
            shown = _stream_csv(result.columns, head)
        else:
            table = list(head)
            print_table(None, result.columns, table)
            shown = len(table)
        more = limit is not None and shown == limit and next(result.rows, None) is not None
    if more and not (as_json or as_csv) and (all_rows or max_rows > TABLE_ROWS):
        click.echo(
            f"showing the first {shown:,} rows: a table holds at most {TABLE_ROWS:,}; --csv or --json stream every row",
            err=True,
        )
    elif more:
        click.echo(f"showing the first {shown} rows; --limit N or --all for more", err=True)


def _stream_csv(columns: list[str], rows: Iterable[tuple]) -> int:
    """Write CSV row by row as the database returns them; returns how many rows were written."""
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    shown = 0
    for row in rows:
        writer.writerow(row)
        shown += 1
    return shown


def _stream_json(columns: list[str], rows: Iterable[tuple]) -> int:
    """Write a JSON array of objects row by row; returns how many rows were written."""
    shown = 0
    sys.stdout.write("[")
    for shown, row in enumerate(rows, 1):
        record = json.dumps(dict(zip(columns, row, strict=True)), default=str)
        sys.stdout.write(("," if shown > 1 else "") + "\n  " + record)
    sys.stdout.write("\n]\n")
    return shown


def _filters_for_sample(fn: Any) -> Any:
    fn = click.option(
        "-f", "--family", "families", multiple=True, metavar="NAME", help="With --sample: only this family."
    )(fn)
    return click.option(
        "-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="With --sample: only this dataset."
    )(fn)


@results.command()
@click.argument("run_ids", nargs=-1, type=int, metavar="[RUN_ID]...")
@click.option("--sample", type=click.IntRange(1), metavar="N", help="Re-measure N COMPLETE runs drawn at random.")
@_filters_for_sample
@click.option("--seed", "draw_seed", default=0, show_default=True, help="Seed of the --sample draw.")
@click.option(
    "--scratch",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Store the re-measured runs here (kept). Default: a temporary store, deleted afterwards.",
)
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1), help="Cells run in parallel.")
@db_option
@json_option
@click.pass_context
def reproduce(
    ctx: click.Context,
    run_ids: tuple[int, ...],
    sample: int | None,
    families: tuple[str, ...],
    datasets: tuple[str, ...],
    draw_seed: int,
    scratch: str | None,
    jobs: int,
    db: str | None,
    as_json: bool,
) -> None:
    """Re-run stored cells and check each headline metric against the stored seed spread.

    Each chosen run's cell (family, dataset, seed, budget) is trained and evaluated again into a
    scratch store, never into --db. Per quality and likelihood metric it prints the stored value,
    the stored seed mean ± standard deviation of that family, sampler, dataset and budget, the
    re-measured value and a verdict: identical, within spread (within two seed standard deviations
    of the seed mean) or OUTSIDE. Where the machine differs (CPU model, torch's CPU capability,
    threads, deterministic algorithms) both are shown. Exits 1 when any metric falls outside.

    --sample draws among the runs the store answers with that this machine can re-run: runs of a
    family not installed here (a plugin of another environment) or of a user's file are left out,
    and counted on stderr.

    \b
    Examples:
      advisor results reproduce 64
      advisor results reproduce --sample 10 --family gan --dataset ring8
    """
    import tempfile
    from pathlib import Path

    from advisor.cli.common import registry_from, stderr
    from advisor.cli.progress import bench_progress
    from advisor.runner.reproduce import choose_runs
    from advisor.runner.reproduce import reproduce as remeasure

    if bool(run_ids) == bool(sample):
        raise click.UsageError("give RUN_IDs or --sample N (one of them)")
    if run_ids and (families or datasets):
        raise click.UsageError("--family and --dataset choose what --sample draws from; with RUN_IDs drop them")
    registry = registry_from(ctx)
    with tempfile.TemporaryDirectory(prefix="advisor-reproduce-") as tmp:
        scratch_path = scratch or str(Path(tmp) / "reproduce.db")
        with open_store(db, readonly=True) as store, open_store(scratch_path, create=True) as target:
            if sample:
                with store.connect() as conn:
                    check_filters(conn, store.location, datasets=datasets, families=families)
                    draw = choose_runs(
                        conn,
                        sample=sample,
                        families=families,
                        datasets=datasets,
                        seed=draw_seed,
                        installed=registry.families,
                        bundled=registry.datasets,
                    )
                run_ids = tuple(draw.run_ids)
            console = stderr()
            if sample:
                for reason, count in draw.left_out.items():
                    console.print(f"left out of the draw: {count} run(s): {reason}")
            console.print(f"re-measuring runs {', '.join(map(str, run_ids))} of {store.location} into {scratch_path}")
            with bench_progress(console, len(set(run_ids))) as progress:
                found = remeasure(
                    store, target, registry, run_ids, jobs=jobs, on_start=progress.started, on_done=progress.done
                )
                progress.close(progress.finished)
    if as_json:
        print_json([{**asdict(r), "reproduces": r.reproduces} for r in found])
    else:
        _print_reproductions(found)
    if not all(r.reproduces for r in found):
        ctx.exit(1)


def _print_reproductions(found: list[Any]) -> None:
    from rich.markup import escape

    from advisor.cli.common import format_value

    console = stdout()
    for r in found:
        verdict = "[green]reproduces[/]" if r.reproduces else "[red]DOES NOT REPRODUCE[/]"
        console.print(
            f"[bold]run {r.run_id}[/] {escape(r.family)} ({escape(r.sampler)}) on {r.dataset}, seed {r.seed}, "
            f"budget {r.budget} -> run {r.remeasured_run_id} {r.status}: {verdict}"
        )
        rows = [
            [
                c.metric,
                format_value(c.stored),
                f"{format_value(c.seed_mean)} ± {format_value(c.seed_std)} (n={c.seeds})",
                format_value(c.remeasured),
                c.verdict if not c.outside else c.verdict.upper(),
            ]
            for c in r.checks
        ]
        print_table(None, ["metric", "stored", "stored seeds", "re-measured", "verdict"], rows)
        for key, pair in r.machine.items():
            stored = "not recorded" if pair["stored"] is None else pair["stored"]
            console.print(escape(f"  machine differs: {key}: stored {stored}, re-measured {pair['remeasured']}"))
