"""Run bench cells in child processes, several at a time, surviving whatever a plugin does.

Each cell runs in its own child process (multiprocessing's forkserver, so children start from a
clean, torch-free image): a plugin that raises is FAILED (the harness catches it inside the child),
one that hangs past the budget's wall-clock limit is killed and TIMEOUT, one that dies (segfault,
``os._exit``) is CRASHED with its exit code or signal. The parent process is the only writer: it
claims each cell atomically (so concurrent benches never run a cell twice), beats a heartbeat for
the runs in flight, and writes each cell's outcomes in one transaction.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from advisor.evaluate.protocol import RunOutcome, evaluate_cell
from advisor.store.queries import Cell, claim_cell, finish_runs, heartbeat

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.plugins import Registry
    from advisor.store.engine import Store

__all__ = ["CellResult", "LocalExecutor", "HEARTBEAT_S", "STALE_AFTER_S"]

HEARTBEAT_S = 10.0
#: A RUNNING run whose heartbeat is older than this belongs to a bench that died.
STALE_AFTER_S = 6 * HEARTBEAT_S


@dataclass(frozen=True)
class CellResult:
    """What running one cell produced: its run ids and outcomes, and how long it took."""

    cell: Cell
    run_ids: list[int]
    outcomes: list[RunOutcome]
    seconds: float


@dataclass
class _Job:
    cell: Cell
    run_ids: list[int]
    samplers: tuple[str, ...]
    process: BaseProcess
    connection: Connection
    started: float
    deadline: float


def _child(
    connection: Connection, plugins_dir: str | None, cell: Cell, dataset: Dataset, budget: Budget, device: str
) -> None:
    """Child process: evaluate one cell and send the outcomes to the parent."""
    from advisor.plugins import load_registry

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    outcomes = evaluate_cell(load_registry(plugins_dir), cell.family, dataset, budget, cell.seed, device)
    connection.send(outcomes)
    connection.close()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code} without a result"


class LocalExecutor:
    """Runs cells in up to `jobs` child processes at once; the parent writes every result."""

    def __init__(self, registry: Registry, plugins_dir: str | None, jobs: int = 1) -> None:
        self.registry, self.plugins_dir, self.jobs = registry, plugins_dir, max(1, jobs)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["advisor.evaluate.protocol", "advisor.plugins"])

    def run(
        self,
        store: Store,
        cells: Sequence[Cell],
        datasets: Mapping[str, Dataset],
        budget: Budget,
        device: str,
        *,
        rerun: bool = False,
        on_start: Callable[[Cell], None] = lambda cell: None,
        on_done: Callable[[CellResult], None] = lambda result: None,
    ) -> list[CellResult]:
        """Run `cells` and return their results.

        Cells another bench is running are skipped, and so are COMPLETE cells unless `rerun`.
        """
        queue, active, results = deque(cells), {}, []
        last_beat = time.monotonic()
        try:
            while queue or active:
                while queue and len(active) < self.jobs:
                    cell = queue.popleft()
                    job = self._start(store, cell, datasets[cell.dataset], budget, device, rerun)
                    if job is not None:
                        active[job.connection] = job
                        on_start(cell)
                timeout = max(0.0, min((j.deadline for j in active.values()), default=0) - time.monotonic())
                # a result on the pipe, or the process ending without one (a crash), wakes us up
                waitables = {w: c for c, j in active.items() for w in (c, j.process.sentinel)}
                ready = wait(list(waitables), timeout=min(timeout, HEARTBEAT_S)) if active else []
                for connection in {waitables[w] for w in ready}:
                    result = self._collect(store, active.pop(connection))
                    results.append(result)
                    on_done(result)
                for connection, job in list(active.items()):
                    if time.monotonic() > job.deadline:
                        del active[connection]
                        result = self._stop(store, job, "TIMEOUT", f"no result within {budget.time_limit_s:.0f} s")
                        results.append(result)
                        on_done(result)
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    heartbeat(store, [i for job in active.values() for i in job.run_ids])
                    last_beat = time.monotonic()
        except BaseException:
            for job in active.values():
                self._stop(store, job, "INTERRUPTED", "the bench was interrupted")
            raise
        return results

    def _start(
        self, store: Store, cell: Cell, dataset: Dataset, budget: Budget, device: str, rerun: bool
    ) -> _Job | None:
        samplers = self.registry.family(cell.family).card.samplers
        run_ids = claim_cell(store, cell, samplers, device, STALE_AFTER_S, rerun=rerun)
        if run_ids is None:
            return None
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child,
            args=(sender, self.plugins_dir, cell, dataset, budget, device),
            name=f"advisor-cell-{cell.family}-{cell.dataset}-{cell.seed}",
            daemon=True,
        )
        process.start()
        sender.close()  # the child holds the only write end: EOF means it died
        now = time.monotonic()
        return _Job(cell, run_ids, samplers, process, receiver, now, now + budget.time_limit_s)

    def _collect(self, store: Store, job: _Job) -> CellResult:
        try:
            if not job.connection.poll():
                raise EOFError  # the process ended without sending a result
            outcomes = job.connection.recv()
        except (EOFError, OSError):
            job.process.join(5)
            return self._stop(store, job, "CRASHED", f"the cell's process {_describe_exit(job.process.exitcode)}")
        job.process.join(5)
        job.connection.close()
        finish_runs(store, job.run_ids, outcomes)
        return CellResult(job.cell, job.run_ids, outcomes, time.monotonic() - job.started)

    def _stop(self, store: Store, job: _Job, status: str, reason: str) -> CellResult:
        if job.process.is_alive():
            job.process.kill()
        job.process.join(5)
        job.connection.close()
        outcomes = [RunOutcome(sampler, status, reason) for sampler in job.samplers]
        finish_runs(store, job.run_ids, outcomes)
        return CellResult(job.cell, job.run_ids, outcomes, time.monotonic() - job.started)
