"""Parallel efficiency of `advisor bench --jobs`: one smoke suite with 1 job, then with N jobs.

    python benchmarks/parallel.py [--jobs 2] [--families gmm kde vae gan flow] [--datasets ring8 grid25 moons]

Efficiency = time(1 job) / (N x time(N jobs)); 1.0 is perfect scaling. Run it on a quiet machine:
other processes on the same cores make both numbers meaningless.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_suite(families: list[str], datasets: list[str], jobs: int, seeds: int) -> float:
    """Wall seconds of one smoke bench into a fresh store."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "advisor",
            "bench",
            "--budget",
            "smoke",
            "--seeds",
            str(seeds),
            "--jobs",
            str(jobs),
            "--db",
            str(Path(tmp) / "bench.db"),
        ]
        for family in families:
            command += ["-f", family]
        for dataset in datasets:
            command += ["-d", dataset]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    """Time the suite at 1 and N jobs and print the efficiency."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--families", nargs="+", default=["gmm", "kde", "vae", "gan", "flow"])
    parser.add_argument("--datasets", nargs="+", default=["ring8", "grid25", "moons"])
    args = parser.parse_args()
    serial = run_suite(args.families, args.datasets, 1, args.seeds)
    parallel = run_suite(args.families, args.datasets, args.jobs, args.seeds)
    cells = len(args.families) * len(args.datasets) * args.seeds
    print(f"{cells} smoke cells")
    print(f"--jobs 1          {serial:7.1f} s")
    print(f"--jobs {args.jobs:<10} {parallel:7.1f} s")
    print(f"parallel efficiency {serial / (args.jobs * parallel):.2f}")


if __name__ == "__main__":
    main()
