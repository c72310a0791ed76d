"""Latency of `advisor recommend` on the shipped store and a large one, against bare imports.

    python benchmarks/recommend.py [--runs 10000] [--repeats 7]

Builds a synthetic store with --runs COMPLETE runs (9 families x 8 datasets x seeds, 6 metrics each),
then times whole processes, interleaved (one of each per round, so load on the machine hits all
alike), and prints the medians and their ratio to the floor:
`python -c "import sqlalchemy, pydantic, click"`, `advisor recommend --need exact-likelihood` on
the shipped results.db, and `advisor recommend --need exact-likelihood --need fast-sampling --json`
on the large store.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from advisor.cards import FamilyCard
from advisor.store import RunStatus, open_store
from advisor.store.models import DatasetRow, FamilyRow, MetricRow, Run

FAMILIES = {
    "gmm": "exact",
    "kde": "exact",
    "flow": "exact",
    "flow-ar": "exact",
    "autoregressive": "exact",
    "vae": "bound",
    "diffusion": "bound",
    "gan": "none",
    "ebm": "estimate",
}
DATASETS = ("ring8", "grid25", "checkerboard", "moons", "swissroll", "digits", "wine", "breast-cancer")
METRICS = {
    "test_nll": ("nats/dim", False),
    "sample_throughput": ("samples/s", True),
    "sample_latency_ms": ("ms", False),
    "c2st": ("", False),
    "recall": ("", True),
    "train_seconds": ("s", False),
}


def build(path: Path, runs: int) -> None:
    """Write a synthetic store with `runs` runs."""
    rng = random.Random(0)
    with open_store(path, create=True) as store, store.session() as session:
        for name in DATASETS:
            session.add(DatasetRow(name=name, plugin="synthetic", card={"name": name, "kind": "2d"}))
        for name, likelihood in FAMILIES.items():
            card = FamilyCard(
                name=name, title=name, likelihood=likelihood, latent="explicit", training="mle", sampling="one-shot"
            )
            session.add(
                FamilyRow(name=name, title=name, plugin="synthetic", version=None, card=card.model_dump(mode="json"))
            )
        session.flush()
        for index in range(runs):
            family = list(FAMILIES)[index % len(FAMILIES)]
            run = Run(
                family=family,
                sampler="default",
                dataset=DATASETS[(index // len(FAMILIES)) % len(DATASETS)],
                seed=index // (len(FAMILIES) * len(DATASETS)),
                budget="quick",
                status=RunStatus.COMPLETE,
                device="cpu",
            )
            run.metrics = [
                MetricRow(name=m, value=rng.uniform(0.1, 10), unit=u, higher_is_better=h, flag="ok")
                for m, (u, h) in METRICS.items()
            ]
            session.add(run)


def timed(commands: dict[str, list[str]], repeats: int) -> dict[str, float]:
    """Median wall-clock seconds of each command over `repeats` interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    """Build the store, time both commands, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    shipped = Path(__file__).resolve().parents[1] / "results.db"
    advisor = [sys.executable, "-m", "advisor", "recommend", "--need", "exact-likelihood"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "large.db"
        build(db, args.runs)
        commands = {
            "import sqlalchemy, pydantic, click": [sys.executable, "-c", "import sqlalchemy, pydantic, click"],
            "recommend, shipped store": [*advisor, "--db", str(shipped)],
            f"recommend, {args.runs} runs": [*advisor, "--need", "fast-sampling", "--json", "--db", str(db)],
        }
        medians = timed(commands, args.repeats)
    floor = medians["import sqlalchemy, pydantic, click"]
    print(f"median of {args.repeats} interleaved rounds")
    for name, seconds in medians.items():
        print(f"{name:36s} {seconds:6.3f} s  {seconds / floor:5.2f}x")


if __name__ == "__main__":
    main()
