"""A progress bar for benches (cells done, failed, running, ETA), shared by every command that runs cells."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from advisor.store.status import RunStatus

if TYPE_CHECKING:
    from rich.console import Console

    from advisor.runner import CellResult
    from advisor.store.cells import Cell

__all__ = ["BenchProgress", "bench_progress"]


class BenchProgress:
    """A rich progress bar for a bench (cells done, failed, running, ETA); one line per cell in a log file."""

    def __init__(self, console: Console, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console, self.total = console, total
        self.bar = Progress(
            TextColumn("[bold]bench"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=False,
        )
        self.task = self.bar.add_task("", total=total, failed=0)
        self.running: dict[str, float] = {}  # cell -> start time
        self.failed = self.finished = 0
        self.began = time.monotonic()

    def skip(self, cells: int) -> None:
        """`cells` of the total were already done (a resumed bench): count and time only the rest."""
        self.total -= cells
        self.bar.update(self.task, total=self.total)

    def started(self, cell: Cell) -> None:
        """A cell was claimed and started."""
        self.running[_name(cell)] = time.monotonic()
        self.bar.update(self.task, description="running " + ", ".join(self.running))

    def done(self, result: CellResult) -> None:
        """A cell finished, in whatever status."""
        name = _name(result.cell)
        seconds = time.monotonic() - self.running.pop(name, self.began)
        self.failed += any(o.status != RunStatus.COMPLETE for o in result.outcomes)
        self.finished += 1
        self.bar.update(self.task, advance=1, failed=self.failed, description="running " + ", ".join(self.running))
        if not self.console.is_terminal:  # a log file gets one line per cell instead of a live bar
            statuses = ", ".join(sorted({str(o.status) for o in result.outcomes}))
            left = (time.monotonic() - self.began) / self.finished * (self.total - self.finished)
            self.console.print(
                f"[{self.finished}/{self.total}] {name}: {statuses} in {seconds:.0f} s; "
                f"{self.failed} failed; about {left / 60:.0f} min left",
                highlight=False,
            )

    def close(self, ran: int) -> None:
        """Cells claimed by another bench, or already complete, were skipped: close the bar honestly."""
        self.bar.update(self.task, total=ran, description="")


@contextmanager
def bench_progress(console: Console, total: int) -> Iterator[BenchProgress]:
    """A `BenchProgress` shown while the block runs."""
    progress = BenchProgress(console, total)
    with progress.bar:
        yield progress


def _name(cell: Cell) -> str:
    return f"{cell.family}/{cell.dataset}/seed {cell.seed}"
