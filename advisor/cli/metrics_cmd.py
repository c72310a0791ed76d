"""`advisor metrics`: what the quality metrics read on reference sample sets of known quality."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from advisor.cli.common import json_option, print_json, print_table, registry_from, stderr, stdout

if TYPE_CHECKING:
    from advisor.metrics.calibration import Calibration

__all__ = ["metrics"]


@click.group()
def metrics() -> None:
    """Inspect the metrics."""


def _print_calibration(calibration: Calibration) -> None:
    """One table per dataset: metric x reference set (mean over seeds, ± std below), then the sets
    described, the misordered metrics and the blind spots."""
    from advisor.metrics.calibration import BLIND_SPOTS

    sets = (*calibration.levels, *calibration.probes)
    rows = [
        [metric, *(f"{r.mean:.3g}\n±{r.std:.2g}" if (r := readings.get(s.name)) else None for s in sets)]
        for metric, readings in calibration.readings.items()
    ]
    sizes = calibration.sizes
    print_table(
        f"{calibration.dataset} (budget {calibration.budget}, {len(calibration.seeds)} seeds: {sizes['test']} test "
        f"rows, {sizes['held_out']} per reference set, {sizes['train']} training rows)",
        ["metric", *(s.name for s in sets)],
        rows,
    )
    notes = [f"{s.name}: {s.description}" for s in sets]
    notes += [f"{m} misordered: {'; '.join(p)}" for m in calibration.readings if (p := calibration.misordered(m))]
    blind = [f"{m}: {', '.join(sorted(BLIND_SPOTS[m]))}" for m in calibration.readings if m in BLIND_SPOTS]
    if blind:
        notes.append(f"not checked (blind by design): {'; '.join(blind)}")
    notes += [f"{metric}: not computed ({reason})" for metric, reason in calibration.skipped.items()]
    console = stdout()
    for note in notes:
        console.print(f"  {note}", markup=False)


@metrics.command()
@click.option(
    "-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="Calibrate on this dataset (default: all)."
)
@click.option(
    "-m", "--metric", "metric_names", multiple=True, metavar="NAME", help="Only this metric (default: quality)."
)
@click.option("--budget", type=click.Choice(["smoke", "quick"]), default="smoke", show_default=True, help="Data sizes.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True, help="Seeds per reference set.")
@click.option(
    "--db",
    "db",
    default=None,
    metavar="PATH|URL",
    help="Also store the readings in this results store, replacing its earlier ones for the dataset and "
    "budget: `advisor table` grades quality by them. Without it nothing is stored.",
)
@json_option
@click.pass_context
def calibrate(
    ctx: click.Context,
    datasets: tuple[str, ...],
    metric_names: tuple[str, ...],
    budget: str,
    seeds: int,
    db: str | None,
    as_json: bool,
) -> None:
    """Each quality metric on reference sample sets of known quality: held-out real rows, Gaussian
    noise from mild to strong, a mode or class left out, a moment-matched Gaussian and copies of
    training rows. "order" names where a metric fails to worsen along the degradations it can see."""
    from advisor.metrics.calibration import calibrate as run_calibration
    from advisor.store import open_store
    from advisor.store.calibrations import save_calibration

    registry = registry_from(ctx)
    names = datasets or tuple(registry.datasets)
    for name in names:
        registry.dataset(name)  # an unknown name fails before any work
    store = open_store(db, create=True) if db else None  # a bad store fails before any work too
    results = []
    try:
        for name in names:
            stderr().print(f"[dim]calibrating on {name} ({budget}, {seeds} seeds)...[/]")
            results.append(run_calibration(name, budget, metric_names or None, range(seeds), registry))
            if store is not None:  # each dataset as soon as it is measured: an interruption loses one
                written = save_calibration(store, results[-1])
                stderr().print(f"[dim]stored {written} readings in {store.location}[/]")
    finally:
        if store is not None:
            store.close()
    if as_json:
        print_json({"budget": budget, "datasets": [c.to_dict() for c in results]})
        return
    for calibration in results:
        _print_calibration(calibration)
