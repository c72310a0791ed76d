"""A bench killed with SIGKILL leaves no process behind: fork server, resource tracker and a hanging
cell all go with it (Linux: parent-death signals; the cell also keeps its own time limit)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_PLUGINS

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the bench's processes")


def _descendants(root: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_kill_9_of_a_bench_leaves_no_process(tmp_path):
    bench = subprocess.Popen(
        [sys.executable, "-m", "advisor", "--plugins-dir", str(FIXTURE_PLUGINS), "bench", "-f", "hanging"]
        + ["-d", "ring8", "--seeds", "1", "--budget", "smoke", "--db", str(tmp_path / "x.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        children: set[int] = set()
        while time.monotonic() < deadline:  # the fork server, the resource tracker and the hanging cell
            children = _descendants(bench.pid)
            if len(children) >= 3:
                break
            time.sleep(0.5)
        assert len(children) >= 3, f"the cell never started: {children}"
        os.kill(bench.pid, signal.SIGKILL)
        bench.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if bench.poll() is None:
            bench.kill()
