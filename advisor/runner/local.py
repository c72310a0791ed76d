"""Run bench cells several at a time, locally (threads) or on a dask.distributed cluster.

Each cell runs isolated in its own child process (`run_isolated`); a pool runs up to `jobs` of them
at once. The process that runs the bench is the only writer: it claims each cell atomically (so
concurrent benches never run a cell twice), beats a heartbeat for the runs in flight, and writes each
cell's outcomes in one transaction. With dask, workers return outcomes to this process rather than
writing to the store themselves: the store's location and credentials stay on one machine, any
store (SQLite included) works, and a cell's result is atomic however the worker ends.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.evaluate.protocol import RunOutcome
from advisor.runner.isolation import allow_starts, run_in_subprocess, run_isolated, start_fork_server, stop_all
from advisor.store.cells import Cell, claim_cell, finish_runs, heartbeat
from advisor.store.status import RunStatus

if TYPE_CHECKING:
    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.plugins import Registry
    from advisor.store.engine import Store

__all__ = [
    "CellResult",
    "LocalExecutor",
    "DaskExecutor",
    "HEARTBEAT_S",
    "STALE_AFTER_S",
    "STOPPED_AT_DEADLINE",
    "cluster_threads",
]

STOPPED_AT_DEADLINE = "stopped at the time limit before it finished"

HEARTBEAT_S = 10.0
#: A RUNNING run whose heartbeat is older than this belongs to a bench that died.
STALE_AFTER_S = 6 * HEARTBEAT_S
_DASK_POLL_S = 0.1
#: seconds to wait for a dask scheduler to answer before saying it does not
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class CellResult:
    """What running one cell produced: its run ids and outcomes, and how long it took."""

    cell: Cell
    run_ids: list[int]
    outcomes: list[RunOutcome]
    seconds: float


class _Executor:
    """The bench loop shared by every pool: claim, submit, collect, write, beat."""

    def __init__(self, registry: Registry, plugins_dir: str | None, jobs: int) -> None:
        self.registry, self.plugins_dir, self.jobs = registry, plugins_dir, max(1, jobs)

    def _submit(self, *args: Any) -> Any:
        raise NotImplementedError

    def _wait_any(self, futures: list[Any], timeout: float) -> list[Any]:
        raise NotImplementedError

    def _close(self) -> None:
        """Release the pool."""

    def _stop_running(self) -> None:
        """Stop the cells in flight (the bench is being interrupted)."""

    def _allow_starts(self) -> None:
        """Let cells start again after an earlier run of this process stopped them (a deadline)."""

    def run(
        self,
        store: Store,
        cells: Sequence[Cell],
        datasets: Mapping[str, Dataset],
        budget: Budget,
        device: str,
        *,
        rerun: bool = False,
        deadline: float | None = None,
        admit: Callable[[Cell], bool] = lambda cell: True,
        on_start: Callable[[Cell], None] = lambda cell: None,
        on_done: Callable[[CellResult], None] = lambda result: None,
    ) -> list[CellResult]:
        """Run `cells` and return their results.

        Cells another bench is running are skipped, and so are COMPLETE cells unless `rerun`.
        `deadline` (a time.monotonic() value) is hard: no cell starts after it, and cells still
        running at it are stopped and recorded INTERRUPTED ("stopped at the time limit"). A cell
        `admit` refuses when its turn comes (e.g. its estimated cost no longer fits) is not started.
        """
        queue, active, results = deque(cells), {}, []
        last_beat = time.monotonic()
        self._allow_starts()
        try:
            while queue or active:
                if deadline is not None and time.monotonic() >= deadline:
                    queue.clear()
                    if active:
                        self._stop_running()
                        for future, (cell, run_ids, samplers, started) in active.items():
                            future.cancel()
                            outcomes = [RunOutcome(s, RunStatus.INTERRUPTED, STOPPED_AT_DEADLINE) for s in samplers]
                            finish_runs(store, run_ids, outcomes)
                            result = CellResult(cell, run_ids, outcomes, time.monotonic() - started)
                            results.append(result)
                            on_done(result)
                        active.clear()
                    break
                while queue and len(active) < self.jobs:
                    cell = queue.popleft()
                    if not admit(cell):
                        continue
                    samplers = self.registry.family(cell.family).card.samplers
                    run_ids = claim_cell(store, cell, samplers, device, STALE_AFTER_S, rerun=rerun)
                    if run_ids is None:
                        continue
                    future = self._submit(self.plugins_dir, cell, datasets[cell.dataset], budget, device, samplers)
                    active[future] = (cell, run_ids, samplers, time.monotonic())
                    on_start(cell)
                wait_s = HEARTBEAT_S if deadline is None else max(0.0, min(HEARTBEAT_S, deadline - time.monotonic()))
                for future in self._wait_any(list(active), wait_s):
                    cell, run_ids, samplers, started = active.pop(future)
                    outcomes = _outcomes(future, samplers)
                    finish_runs(store, run_ids, outcomes)
                    result = CellResult(cell, run_ids, outcomes, time.monotonic() - started)
                    results.append(result)
                    on_done(result)
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    heartbeat(store, [i for _, run_ids, _, _ in active.values() for i in run_ids])
                    last_beat = time.monotonic()
        except BaseException:
            self._stop_running()
            for future, (_cell, run_ids, samplers, _started) in active.items():
                future.cancel()
                finish_runs(
                    store,
                    run_ids,
                    [RunOutcome(s, RunStatus.INTERRUPTED, "the bench was interrupted") for s in samplers],
                )
            raise
        finally:
            self._close()
        return results


def _outcomes(future: Any, samplers: tuple[str, ...]) -> list[RunOutcome]:
    """The cell's outcomes, or CRASHED ones when the pool itself failed (e.g. a dask worker died)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - the pool's failure becomes the cell's status
        return [RunOutcome(s, RunStatus.CRASHED, f"the worker failed: {type(exc).__name__}: {exc}") for s in samplers]


class LocalExecutor(_Executor):
    """Up to `jobs` cells at once on this machine, each in its own child process."""

    def __init__(self, registry: Registry, plugins_dir: str | None, jobs: int = 1) -> None:
        super().__init__(registry, plugins_dir, jobs)
        start_fork_server()  # from this thread, which outlives the pool's threads (see its docstring)
        self._pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="advisor-cell")

    def _submit(self, *args: Any) -> Any:
        return self._pool.submit(run_isolated, *args)

    def _wait_any(self, futures: list[Any], timeout: float) -> list[Any]:
        if not futures:
            return []
        return list(wait_futures(futures, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def _stop_running(self) -> None:
        stop_all()  # the pool's threads wait on these processes: killing them lets the threads finish

    def _allow_starts(self) -> None:
        allow_starts()

    def _close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def cluster_threads(scheduler: str) -> int:
    """The worker threads of the dask cluster at `scheduler` (at least 1): how many cells it runs at once;
    InputError when no scheduler answers there."""
    from distributed import Client

    try:
        with Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT_S) as client:
            return sum(client.nthreads().values()) or 1
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"no dask scheduler answers at {scheduler} ({type(exc).__name__}); start one (`dask scheduler`) or "
            "fix --scheduler"
        ) from exc


class DaskExecutor(_Executor):
    """Cells sent to a dask.distributed scheduler; `jobs` defaults to the cluster's worker threads."""

    def __init__(self, registry: Registry, plugins_dir: str | None, scheduler: str, jobs: int | None = None) -> None:
        from distributed import Client

        self._client = Client(scheduler, set_as_default=False)
        threads = sum(self._client.nthreads().values()) or 1
        super().__init__(registry, plugins_dir, jobs or threads)

    def _submit(self, *args: Any) -> Any:
        # dask workers are daemonic processes, which may not fork multiprocessing children
        return self._client.submit(run_in_subprocess, *args, pure=False)

    def _wait_any(self, futures: list[Any], timeout: float) -> list[Any]:
        deadline = time.monotonic() + timeout
        while futures and time.monotonic() < deadline:
            done = [f for f in futures if f.done()]
            if done:
                return done
            time.sleep(_DASK_POLL_S)
        return [f for f in futures if f.done()]

    def _close(self) -> None:
        self._client.close()
