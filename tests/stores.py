"""Stores with known numbers for the rule engine's tests: cards, per-seed metric values, runs."""

from advisor.cards import FamilyCard
from advisor.store import open_store
from advisor.store.models import DatasetRow, FamilyRow, MetricRow, Run

CARDS = {
    "flow": dict(likelihood="exact", latent="explicit", training="mle", sampling="one-shot", conditioning=False),
    "autoregressive": dict(likelihood="exact", latent="none", training="mle", sampling="sequential", conditioning=True),
    "gan": dict(likelihood="none", latent="explicit", training="adversarial", sampling="one-shot", conditioning=True),
}
METRICS = {  # family -> metric -> per-seed values on each dataset
    "flow": {
        "test_nll": [0.20, 0.21, 0.22],
        "sample_throughput": [2e5, 2e5, 2e5],
        "sample_latency_ms": [0.5] * 3,
        "c2st": [0.60, 0.61, 0.62],
    },
    "autoregressive": {
        "test_nll": [0.15, 0.16, 0.17],
        "sample_throughput": [2e3, 2e3, 2e3],
        "sample_latency_ms": [5.0] * 3,
        "c2st": [0.55, 0.55, 0.56],
    },
    "gan": {"sample_throughput": [4e5, 4e5, 4e5], "sample_latency_ms": [0.3] * 3, "c2st": [0.70, 0.80, 0.60]},
}
UNITS = {
    "test_nll": ("nats/dim", False),
    "sample_throughput": ("samples/s", True),
    "sample_latency_ms": ("ms", False),
    "c2st": ("", False),
}


def add_runs(session, family, sampler, metrics):
    """COMPLETE quick-budget runs of `family` with `sampler` on ring8 and grid25: metric -> per-seed values."""
    for dataset in ("ring8", "grid25"):
        for seed in range(3):
            session.add(complete_run(family, sampler, dataset, seed, {m: v[seed] for m, v in metrics.items()}))


def complete_run(family, sampler, dataset, seed, values):
    """A COMPLETE quick-budget run with `values` (metric -> value) measured."""
    run = Run(
        family=family, sampler=sampler, dataset=dataset, seed=seed, budget="quick", status="COMPLETE", device="cpu"
    )
    run.metrics = [
        MetricRow(name=m, value=v, unit=UNITS[m][0], higher_is_better=UNITS[m][1], flag="ok") for m, v in values.items()
    ]
    return run


def build_store(path, failures=0):
    with open_store(path, create=True) as store, store.session() as session:
        for dataset in ("ring8", "grid25"):
            session.add(DatasetRow(name=dataset, plugin="test", card={"name": dataset, "kind": "2d"}))
        for family, card in CARDS.items():
            full = FamilyCard(name=family, title=family, **card).model_dump(mode="json")
            session.add(FamilyRow(name=family, title=family, plugin="test", version=None, card=full))
        session.flush()
        for family, metrics in METRICS.items():
            add_runs(session, family, "default", metrics)
        for seed in range(failures):
            session.add(
                Run(
                    family="gan",
                    sampler="default",
                    dataset="ring8",
                    seed=10 + seed,
                    budget="quick",
                    status="FAILED",
                    device="cpu",
                    error="diverged",
                )
            )
            # a bench that was killed says nothing about the family: not counted as a failure
            session.add(
                Run(
                    family="flow",
                    sampler="default",
                    dataset="ring8",
                    seed=20 + seed,
                    budget="quick",
                    status="INTERRUPTED",
                    device="cpu",
                )
            )
    return path


def set_metric(path, family, metric, values):
    """Overwrite `metric` of `family` on every dataset with per-seed `values`."""
    with open_store(path) as store, store.session() as session:
        rows = session.query(MetricRow).join(Run).filter(Run.family == family, MetricRow.name == metric)
        for row in rows:
            row.value = values[row.run.seed]


def verdicts(comparison):
    """A comparison's verdict per dataset, from its JSON record."""
    return {item["dataset"]: item["verdict"] for item in comparison["datasets"]}


def add_c2st_ladder(path, ladder, datasets=("ring8", "grid25")):
    """Store C2ST's calibration ladder on `datasets`: reference set -> (ladder step, per-seed values)."""
    from sqlalchemy import insert

    from advisor.store.schema import calibration

    rows = [
        dict(dataset=d, budget="quick", metric="c2st", reference_set=name, ladder_step=step, seed=seed, value=v)
        for d in datasets
        for name, (step, values) in ladder.items()
        for seed, v in enumerate(values)
    ]
    with open_store(path) as store, store.session() as session:
        session.execute(insert(calibration), rows)


def add_dataset(path, name, kind, values, seeds=3):
    """A dataset `name` of `kind` with COMPLETE runs: family -> metric -> value of seed 0 (seed s adds s / 100)."""
    with open_store(path) as store, store.session() as session:
        session.add(DatasetRow(name=name, plugin="test", card={"name": name, "kind": kind}))
        session.flush()
        for family, metrics in values.items():
            for seed in range(seeds):
                session.add(
                    complete_run(family, "default", name, seed, {m: v + seed / 100 for m, v in metrics.items()})
                )
