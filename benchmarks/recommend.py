"""Latency of `advisor recommend` on a large store, against bare imports of its dependencies.

    python benchmarks/recommend.py [--runs 10000] [--repeats 5]

Builds a synthetic store with --runs COMPLETE runs (9 families x 8 datasets x seeds, 6 metrics each),
then times the whole `advisor recommend --need exact-likelihood --need fast-sampling` process
against `python -c "import sqlalchemy, pydantic, click"` and prints both and their ratio.
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
from advisor.store import open_store
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
                status="COMPLETE",
                device="cpu",
            )
            run.metrics = [
                MetricRow(name=m, value=rng.uniform(0.1, 10), unit=u, higher_is_better=h, flag="ok")
                for m, (u, h) in METRICS.items()
            ]
            session.add(run)


def timed(command: list[str], repeats: int) -> float:
    """Median wall-clock seconds of `command` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Build the store, time both commands, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "large.db"
        build(db, args.runs)
        recommend = [
            sys.executable,
            "-m",
            "advisor",
            "recommend",
            "--need",
            "exact-likelihood",
            "--need",
            "fast-sampling",
            "--json",
            "--db",
            str(db),
        ]
        bare = [sys.executable, "-c", "import sqlalchemy, pydantic, click"]
        ours, baseline = timed(recommend, args.repeats), timed(bare, args.repeats)
    print(f"store: {args.runs} runs; median of {args.repeats}")
    print(f"advisor recommend        {ours:6.3f} s")
    print(f"import sqlalchemy, ...   {baseline:6.3f} s")
    print(f"ratio                    {ours / baseline:6.2f}x   (recommend's own work: {ours - baseline:.3f} s)")


if __name__ == "__main__":
    main()
