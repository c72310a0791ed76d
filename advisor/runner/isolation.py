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
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.evaluate.protocol import RunOutcome, evaluate_cell
from advisor.store.status import RunStatus

if TYPE_CHECKING:
    from advisor.budgets import Budget
    from advisor.data.base import Dataset
    from advisor.store.cells import Cell

__all__ = ["run_isolated", "run_in_subprocess", "stop_all", "allow_starts"]

# numpy first, for real: a cell's arguments (datasets) are unpickled before any advisor code runs,
# and unpickling arrays into a process whose numpy is still a lazy stub breaks numpy's import.
# torch and scikit-learn are imported once in the fork server (not initialised on any GPU), so a
# cell does not pay seconds of imports: every cell measures the same, warm, process image.
_PRELOAD = [
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


def allow_starts() -> None:
    """Let cell processes start again (a new bench in a process whose earlier bench was stopped)."""
    with _LOCK:
        _STOPPING.clear()


def _child(
    connection: Connection, plugins_dir: str | None, cell: Cell, dataset: Dataset, budget: Budget, device: str
) -> None:
    """Child process: evaluate one cell and send the outcomes to the parent."""
    from advisor.plugins import load_registry

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    connection.send(evaluate_cell(load_registry(plugins_dir), cell.family, dataset, budget, cell.seed, device))
    connection.close()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code} without a result"


def run_isolated(
    plugins_dir: str | None, cell: Cell, dataset: Dataset, budget: Budget, device: str, samplers: tuple[str, ...]
) -> list[RunOutcome]:
    """Evaluate `cell` in a child process within `budget.time_limit_s`; one outcome per sampler."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(sender, plugins_dir, cell, dataset, budget, device),
        name=f"advisor-cell-{cell.family}-{cell.dataset}-{cell.seed}",
        daemon=True,
    )
    with _LOCK:
        if _STOPPING.is_set():
            return [RunOutcome(sampler, RunStatus.INTERRUPTED, "the bench was interrupted") for sampler in samplers]
        process.start()
        _LIVE.add(process)
    sender.close()
    try:
        # a result on the pipe, or the process ending without one (a crash), wakes us up
        ready = wait([receiver, process.sentinel], timeout=budget.time_limit_s)
        if receiver in ready or receiver.poll():
            try:
                return receiver.recv()
            except (EOFError, OSError):
                pass
        if not ready:
            status, reason = RunStatus.TIMEOUT, f"no result within {budget.time_limit_s:.0f} s"
        else:
            process.join(5)
            status, reason = RunStatus.CRASHED, f"the cell's process {_describe_exit(process.exitcode)}"
        return [RunOutcome(sampler, status, reason) for sampler in samplers]
    finally:
        with _LOCK:
            _LIVE.discard(process)
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()


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
    from advisor.plugins import load_registry

    plugins_dir, cell, dataset, budget, device = pickle.loads(Path(arguments).read_bytes())
    outcomes = evaluate_cell(load_registry(plugins_dir), cell.family, dataset, budget, cell.seed, device)
    Path(result).write_bytes(pickle.dumps(outcomes))


if __name__ == "__main__":
    _subprocess_main(*sys.argv[1:3])
