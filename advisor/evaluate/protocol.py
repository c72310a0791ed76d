"""The standardized evaluation: one protocol, the same for every family.

For one cell (family, dataset, seed, budget) the harness builds the split, seeds every generator,
times `fit`, then for each sampler the card declares draws the evaluation samples (and the
class-conditional ones); only after every sampler's draws does it time throughput and single-sample
latency (a timed call repeats as often as the machine's speed allows, which must not move a family's
random stream), then computes every applicable metric. A family that raises is FAILED, one
that returns malformed or non-finite arrays is INVALID; neither stops the caller.
"""

from __future__ import annotations

import functools
import importlib
import os
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor._lazy import lazy_import
from advisor.arrays import InvalidOutput, checked_log_prob, checked_samples, to_numpy
from advisor.evaluate.columns import for_split
from advisor.evaluate.memory import PeakMemory
from advisor.evaluate.provenance import environment, numerics
from advisor.family import FitReport
from advisor.metrics.base import EvaluationContext, Metric
from advisor.store.status import MetricFlag, RunStatus

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget
    from advisor.data.base import Dataset, Split
    from advisor.plugins import Registry
else:
    np = lazy_import("numpy")

__all__ = ["MetricValue", "RunOutcome", "cell_threads", "evaluate_cell", "seed_everything"]


@dataclass(frozen=True)
class MetricValue:
    """One metric of one run: value (None unless flag is 'ok'), unit, direction, kind and flag."""

    name: str
    value: float | None
    unit: str
    higher_is_better: bool
    kind: str | None = None
    flag: MetricFlag = MetricFlag.OK
    note: str | None = None


@dataclass
class RunOutcome:
    """The result of evaluating one sampler of one fitted family."""

    sampler: str
    status: RunStatus
    error: str | None = None
    metrics: list[MetricValue] = field(default_factory=list)
    samples: np.ndarray | None = None
    fit: dict[str, Any] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


class _FamilyError(Exception):
    """A family call failed; carries the status (FAILED or INVALID) and a one-line reason."""

    def __init__(self, status: RunStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def seed_everything(seed: int) -> None:
    """Seed Python's and numpy's global generators, and torch's when a family has imported it."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def _call(what: str, fn: Callable[[], Any]) -> Any:
    """Run a family method; turn any exception into a FAILED reason naming the method."""
    try:
        return fn()
    except InvalidOutput as exc:
        raise _FamilyError(RunStatus.INVALID, f"{what}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a plugin's failure becomes the run's status
        last = traceback.extract_tb(exc.__traceback__)[-1]
        raise _FamilyError(
            RunStatus.FAILED, f"{what} raised {type(exc).__name__}: {exc} (at {last.filename}:{last.lineno})"
        ) from exc


def _best_seconds(fn: Callable[[], Any], min_total: float = 0.25, max_calls: int = 5) -> float:
    """Fastest of up to `max_calls` timed calls, stopping once `min_total` seconds were spent."""
    best, spent, calls = float("inf"), 0.0, 0
    while calls < max_calls and (calls == 0 or spent < min_total):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best, spent, calls = min(best, elapsed), spent + elapsed, calls + 1
    return max(best, 1e-9)


def _metric_value(metric: Metric, ctx: EvaluationContext) -> MetricValue:
    spec = metric.spec
    base = {"name": spec.name, "unit": spec.unit, "higher_is_better": spec.higher_is_better}
    reason = metric.not_applicable(ctx)
    if reason is not None:
        return MetricValue(value=None, flag=MetricFlag.NOT_APPLICABLE, note=reason, **base)
    try:
        value = float(metric.compute(ctx))
    except Exception as exc:  # noqa: BLE001 - a broken metric is recorded, the run still completes
        return MetricValue(value=None, flag=MetricFlag.ERROR, note=f"{type(exc).__name__}: {exc}", **base)
    if np.isnan(value):
        return MetricValue(value=None, flag=MetricFlag.NAN, kind=metric.kind(ctx), **base)
    if np.isinf(value):
        return MetricValue(value=None, flag=MetricFlag.INF, kind=metric.kind(ctx), note=str(value), **base)
    if not spec.contains(value):  # a metric's bug, not a measurement: kept for inspection, never ranked
        note = f"{value!r} lies outside the metric's declared bounds {spec.bounds}"
        return MetricValue(value=value, flag=MetricFlag.OUT_OF_BOUNDS, kind=metric.kind(ctx), note=note, **base)
    return MetricValue(value=value, kind=metric.kind(ctx), **base)


def cell_threads() -> int:
    """CPU threads one cell may use (BLAS, OpenMP, torch): $ADVISOR_THREADS, default 1.

    One thread per cell keeps parallel cells from oversubscribing the cores (BLAS thread pools on a
    busy 2-core machine slowed a GMM fit 2x) and times every family the same way.
    """
    return max(1, int(os.environ.get("ADVISOR_THREADS", "1")))


def evaluate_cell(
    registry: Registry, family_name: str, dataset: Dataset, budget: Budget, seed: int, device: str
) -> list[RunOutcome]:
    """Fit `family_name` on `dataset` once and evaluate each of its samplers, with `cell_threads()` threads."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=cell_threads()):
        return _evaluate_cell(registry, family_name, dataset, budget, seed, device)


def _evaluate_cell(
    registry: Registry, family_name: str, dataset: Dataset, budget: Budget, seed: int, device: str
) -> list[RunOutcome]:
    family_cls = registry.family(family_name)
    card = family_cls.card
    split = dataset.split(budget, seed)
    budget = budget.sized_for(len(split.train), dataset.card.kind)  # training sized to the rows, every family alike
    provenance = {
        **environment(device),
        "seed": seed,
        "budget": budget.model_dump(),
        "data_hash": split.data_hash,
        "family_plugin": registry.family_plugin(family_name).source,
        "family_options": getattr(family_cls, "variant_options", {}),
        "dataset_card": dataset.card.model_dump(mode="json"),
        **({"dataset_source": source} if (source := dataset.provenance()) else {}),
    }

    def outcomes_for_all(status: RunStatus, error: str, fit: dict | None = None) -> list[RunOutcome]:
        return [RunOutcome(s, status, error, fit=fit, provenance=provenance) for s in card.samplers]

    try:
        for module in family_cls.heavy_imports:
            importlib.import_module(module)
        family = for_split(_call("the family constructor", family_cls), split, seed)
    except (ImportError, _FamilyError) as exc:
        return outcomes_for_all(RunStatus.FAILED, str(exc))
    provenance.update(numerics())  # once the family's libraries are loaded: what they compute with
    # labels that give the answer away (a toy's mixture component) are withheld: those datasets
    # measure unconditional modelling for every family alike
    labels = split.train_labels if dataset.card.condition_on_labels else None
    seed_everything(seed)
    start = time.perf_counter()
    try:
        with PeakMemory(device) as fit_memory:
            report = _call("fit", lambda: family.fit(split.train, labels, budget, seed, device))
        if not isinstance(report, FitReport):
            raise _FamilyError(RunStatus.INVALID, f"fit returned {type(report).__name__}, expected FitReport")
    except _FamilyError as exc:
        return outcomes_for_all(exc.status, str(exc))
    cell_measurements = {"train_seconds": time.perf_counter() - start}
    fit = report.model_dump()
    try:
        if (params := _call("num_parameters", family.num_parameters)) is not None:
            cell_measurements["params"] = float(params)
        test_log_prob = None
        if card.likelihood != "none":
            raw = _call("log_prob", lambda: family.log_prob(split.test))  # the marginal log p(x)
            test_log_prob = None if raw is None else _call("log_prob", lambda: checked_log_prob(raw, len(split.test)))
    except _FamilyError as exc:
        return outcomes_for_all(exc.status, str(exc), fit)

    metrics = [cls() for _, cls in sorted((n, r.obj) for n, r in registry.metrics.items())]
    n_samples, n_conditional = evaluation_sizes(budget, split)
    drawn: dict[str, _Drawn | RunOutcome] = {}
    # every sampler's measured draws come before any timing call: how often a timed call repeats
    # depends on the machine's speed, and a family's random stream must not
    for sampler in card.samplers:
        seed_everything(seed)
        try:
            with PeakMemory(device) as sample_memory:
                samples = _call(
                    f"sample({sampler!r})",
                    lambda s=sampler: checked_samples(
                        family.sample(n_samples, None, s), n_samples, split.train.shape[1]
                    ),
                )
            conditional = None
            if card.conditioning and labels is not None:
                conditional = _conditional_samples(family, sampler, n_conditional, split, seed)
            drawn[sampler] = _Drawn(samples, conditional, max(fit_memory.megabytes, sample_memory.megabytes))
        except _FamilyError as exc:
            drawn[sampler] = RunOutcome(sampler, exc.status, str(exc), fit=fit, provenance=provenance)
    outcomes = []
    for sampler, draw in drawn.items():
        if isinstance(draw, RunOutcome):
            outcomes.append(draw)
            continue
        try:
            with PeakMemory(device) as speed_memory:
                measurements = _sampling_speed(family, sampler, budget)
            measurements["peak_memory_mb"] = max(draw.peak_memory_mb, speed_memory.megabytes)
            if (nfe := _call("nfe", functools.partial(family.nfe, sampler))) is not None:
                measurements["nfe"] = float(nfe)
        except _FamilyError as exc:
            outcomes.append(RunOutcome(sampler, exc.status, str(exc), fit=fit, provenance=provenance))
            continue
        ctx = EvaluationContext(
            dataset, split, card, draw.samples, test_log_prob, {**cell_measurements, **measurements}, draw.conditional
        )
        outcomes.append(
            RunOutcome(
                sampler,
                RunStatus.COMPLETE,
                metrics=[_metric_value(m, ctx) for m in metrics],
                samples=draw.samples[: budget.n_stored_samples].astype(np.float32) if budget.n_stored_samples else None,
                fit=fit,
                provenance=provenance,
            )
        )
    return outcomes


@dataclass(frozen=True)
class _Drawn:
    """One sampler's measured draws: evaluation samples, class-conditional samples with their labels,
    and the peak memory of fit and drawing."""

    samples: np.ndarray
    conditional: tuple[np.ndarray, np.ndarray] | None
    peak_memory_mb: float


#: evaluation samples per held-out test point, and the fewest drawn: the two-sample metrics compare
#: equal numbers of real and generated points, so samples far beyond the test set only cost time
EVAL_SAMPLES_PER_TEST_POINT = 2
MIN_EVAL_SAMPLES = 2_000
#: class-conditional samples per class (cond_accuracy and the conditional recall)
CONDITIONAL_SAMPLES_PER_CLASS = 200


def evaluation_sizes(budget: Budget, split: Split) -> tuple[int, int]:
    """(samples, class-conditional samples) drawn per sampler: what the metrics can use, within the budget.

    The same for every family on a split, so their metrics stay comparable; on the 2-D toys (5,000
    test points at the quick budget) all of the budget's samples, on a 36-row test set 2,000.
    """
    n = min(budget.n_eval_samples, max(EVAL_SAMPLES_PER_TEST_POINT * len(split.test), MIN_EVAL_SAMPLES))
    classes = len(np.unique(split.train_labels)) if split.train_labels is not None else 0
    return n, min(n, CONDITIONAL_SAMPLES_PER_CLASS * classes)


def _sampling_speed(family: Any, sampler: str, budget: Budget) -> dict[str, float]:
    """Throughput of `budget.throughput_batch` samples and single-sample latency, each the best of a
    few timed calls. The calls include the conversion to numpy, so asynchronous devices are synchronized."""
    batch = budget.throughput_batch
    batch_seconds = _best_seconds(lambda: _call("sample", lambda: to_numpy(family.sample(batch, None, sampler))))
    single_seconds = _best_seconds(lambda: _call("sample", lambda: to_numpy(family.sample(1, None, sampler))))
    return {"sample_throughput": batch / batch_seconds, "sample_latency_ms": 1000 * single_seconds}


def _conditional_samples(family: Any, sampler: str, n: int, split: Split, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` class-conditional samples for balanced, shuffled labels over every class of the split."""
    classes = np.unique(split.train_labels)
    labels = np.random.default_rng(seed).permutation(classes[np.arange(n) % len(classes)])
    samples = _call(
        f"sample({sampler!r}, labels)",
        lambda: checked_samples(family.sample(n, labels, sampler), n, split.train.shape[1]),
    )
    return samples, labels
