"""Cell processes die with the bench that started them, and keep their own time limit.

A bench runs each cell in a process forked from multiprocessing's fork server. If the bench is
killed (kill -9, an OOM kill), nothing would stop the fork server or a cell that hangs: they would
run forever, competing with the next bench and skewing its timings. Two guards prevent that:

- parent-death signals (Linux `prctl(PR_SET_PDEATHSIG, SIGKILL)`, delivered when the creating
  *thread* exits, so the bench starts the fork server from its main thread): the fork server dies with the
  bench (this module is preloaded there and arms itself when its parent is the bench that started
  it), and each cell dies with the fork server;
- an alarm in every cell at its time limit plus a grace period: a cell never outlives its budget.

The resource tracker, whose pipe those processes held, then sees end-of-file and exits too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

__all__ = ["arm_fork_server", "die_with_parent", "limit_lifetime", "PARENT_ENV"]

#: the bench's pid, inherited by the fork server it starts
PARENT_ENV = "ADVISOR_BENCH_PID"
_PR_SET_PDEATHSIG = 1
#: seconds a cell may run past its budget's time limit (the bench itself stops it at the limit)
GRACE_S = 30


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent exits (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    parent = os.getppid()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def limit_lifetime(seconds: float) -> None:
    """End this process with SIGALRM after `seconds` plus a grace period, whoever is watching."""
    if hasattr(signal, "alarm"):
        signal.alarm(int(seconds) + GRACE_S)


def arm_fork_server() -> None:
    """Name this process as the bench, so the fork server it starts dies with it."""
    os.environ[PARENT_ENV] = str(os.getpid())


# Preloaded in the fork server: arm it when its parent is the bench that named itself.
if os.environ.get(PARENT_ENV) == str(os.getppid()):
    die_with_parent()
