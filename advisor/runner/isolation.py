"""Run one cell in its own child process and classify how it ended.

A plugin that raises is FAILED (the harness catches it inside the child), one that hangs past the
time limit is killed and TIMEOUT, one that dies (segfault, ``os._exit``) is CRASHED with its exit
code or signal. Children start from multiprocessing's forkserver: an image that imported numpy,
torch, scikit-learn and the advisor once, so starting a cell costs milliseconds, not seconds.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.evaluate.protocol import RunOutcome, evaluate_cell
from advisor.runner.orphans import arm_fork_server, die_with_parent, limit_lifetime
from advisor.store.status import RunStatus

if TYPE_CHECKING:
    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.store.cells import Cell

__all__ = [
    "ChildEnd",
    "start_fork_server",
    "run_in_child",
    "run_isolated",
    "run_in_subprocess",
    "stop_all",
    "allow_starts",
]

# numpy first, for real: a cell's arguments (datasets) are unpickled before any advisor code runs,
# and unpickling arrays into a process whose numpy is still a lazy stub breaks numpy's import.
# torch and scikit-learn are imported once in the fork server (not initialised on any GPU), so a
# cell does not pay seconds of imports: every cell measures the same, warm, process image.
_PRELOAD = [
    "advisor.runner.orphans",  # first: the fork server dies with the bench
    "numpy",
    "torch",
    "sklearn.neural_network",
    "sklearn.model_selection",
    "advisor.evaluate.protocol",
    "advisor.plugins",
]

_LIVE: set[multiprocessing.process.BaseProcess] = set()  # cell processes in flight, for stop_all()
_STOPPING = threading.Event()  # set by stop_all(): no new cell process may start
_LOCK = threading.Lock()


def stop_all() -> None:
    """Kill every cell process in flight and start no new one (the bench is being interrupted)."""
    with _LOCK:
        _STOPPING.set()
        for process in _LIVE:
            if process.is_alive():
                process.kill()


def start_fork_server() -> None:
    """Start the fork server (if it is not running) from the calling thread.

    The fork server dies with the thread that started it, not with the process: Linux delivers the
    parent-death signal when the creating thread exits. Started from a pool thread, it would be
    killed when the pool shuts down, and the next bench in the same process (a test, an API) would
    reach it just as it dies ("EOFError: unexpected EOF"). Call this from the main thread first.
    """
    from multiprocessing import forkserver

    arm_fork_server()
    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)
    forkserver.ensure_running()


def allow_starts() -> None:
    """Let cell processes start again (a new bench in a process whose earlier bench was stopped)."""
    with _LOCK:
        _STOPPING.clear()


def _child(plugins_dir: str | None, cell: Cell, dataset: Dataset, budget: Budget, device: str) -> list[RunOutcome]:
    """Child process: evaluate one cell."""
    from advisor.plugins import load_registry

    return evaluate_cell(load_registry(plugins_dir), cell.family, dataset, budget, cell.seed, device)


def _run_target(connection: Connection, target: Callable[..., Any], args: tuple[Any, ...], time_limit_s: float) -> None:
    """Child process: call `target(*args)` and send its result to the parent.

    It dies with the fork server (which dies with the bench) and never outlives its time limit.
    """
    die_with_parent()
    limit_lifetime(time_limit_s)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    connection.send(target(*args))
    connection.close()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code} without a result"


@dataclass(frozen=True)
class ChildEnd:
    """How a child process ended: its result, or the status and reason why there is none."""

    result: Any = None
    status: RunStatus | None = None  # TIMEOUT, CRASHED or INTERRUPTED when there is no result
    reason: str = ""


def run_in_child(target: Callable[..., Any], args: tuple[Any, ...], time_limit_s: float, name: str) -> ChildEnd:
    """Call `target(*args)` in a forkserver child within `time_limit_s`; kill it if it runs longer.

    `target` must be picklable (a module-level function) and return a picklable result; an exception
    it does not catch ends the child without a result (CRASHED).
    """
    start_fork_server()  # a no-op when it runs already, as it should (`LocalExecutor` starts it)
    context = multiprocessing.get_context("forkserver")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run_target, args=(sender, target, args, time_limit_s), name=name, daemon=True)
    with _LOCK:
        if _STOPPING.is_set():
            return ChildEnd(status=RunStatus.INTERRUPTED, reason="the bench was interrupted")
        process.start()
        _LIVE.add(process)
    sender.close()
    try:
        # a result on the pipe, or the process ending without one (a crash), wakes us up
        ready = wait([receiver, process.sentinel], timeout=time_limit_s)
        if receiver in ready or receiver.poll():
            try:
                return ChildEnd(result=receiver.recv())
            except (EOFError, OSError):
                pass
        if not ready:
            return ChildEnd(status=RunStatus.TIMEOUT, reason=f"no result within {time_limit_s:.0f} s")
        process.join(5)
        return ChildEnd(status=RunStatus.CRASHED, reason=f"its process {_describe_exit(process.exitcode)}")
    finally:
        with _LOCK:
            _LIVE.discard(process)
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()


def run_isolated(
    plugins_dir: str | None, cell: Cell, dataset: Dataset, budget: Budget, device: str, samplers: tuple[str, ...]
) -> list[RunOutcome]:
    """Evaluate `cell` in a child process within `budget.time_limit_s`; one outcome per sampler."""
    end = run_in_child(
        _child,
        (plugins_dir, cell, dataset, budget, device),
        budget.time_limit_s,
        f"advisor-cell-{cell.family}-{cell.dataset}-{cell.seed}",
    )
    if end.status is None:
        return end.result
    return [RunOutcome(sampler, end.status, end.reason) for sampler in samplers]


def run_in_subprocess(
    plugins_dir: str | None, cell: Cell, dataset: Dataset, budget: Budget, device: str, samplers: tuple[str, ...]
) -> list[RunOutcome]:
    """Like `run_isolated`, but in a fresh interpreter: for daemonic hosts such as dask workers.

    Daemonic processes may not fork multiprocessing children, so the cell runs in a subprocess that
    reads its arguments from and writes its outcomes to pickle files (never stdout, which plugins
    may print to). Start-up costs an interpreter and the imports, negligible beside a real cell.
    """
    with tempfile.TemporaryDirectory(prefix="advisor-cell-") as tmp:
        arguments, result = Path(tmp) / "arguments.pkl", Path(tmp) / "outcomes.pkl"
        arguments.write_bytes(pickle.dumps((plugins_dir, cell, dataset, budget, device)))
        command = [sys.executable, "-m", "advisor.runner.isolation", str(arguments), str(result)]
        try:
            process = subprocess.run(command, timeout=budget.time_limit_s, stdout=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            return [RunOutcome(s, RunStatus.TIMEOUT, f"no result within {budget.time_limit_s:.0f} s") for s in samplers]
        if process.returncode == 0 and result.exists():
            return pickle.loads(result.read_bytes())
        reason = f"the cell's process {_describe_exit(process.returncode)}"
        return [RunOutcome(s, RunStatus.CRASHED, reason) for s in samplers]


def _subprocess_main(arguments: str, result: str) -> None:
    """Entry point of `run_in_subprocess`'s interpreter."""
    import numpy  # noqa: F401 - for real before unpickling: a user's table brings arrays (see `_PRELOAD`)

    from advisor.plugins import load_registry

    plugins_dir, cell, dataset, budget, device = pickle.loads(Path(arguments).read_bytes())
    outcomes = evaluate_cell(load_registry(plugins_dir), cell.family, dataset, budget, cell.seed, device)
    Path(result).write_bytes(pickle.dumps(outcomes))


if __name__ == "__main__":
    _subprocess_main(*sys.argv[1:3])
