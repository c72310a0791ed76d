"""Metrics: the built-in metric plugins and `get_metric` for use from Python."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.hookspecs import hookimpl
from advisor.metrics.base import EvaluationContext, LikelihoodMetric, MeasuredMetric, Metric, SampleMetric
from advisor.metrics.classifier import C2ST
from advisor.metrics.conditional import CondAccuracy
from advisor.metrics.cost import NFE, Params, PeakMemory, SampleLatency, SampleThroughput, TrainSeconds
from advisor.metrics.distances import MMD, Frechet, SlicedWasserstein
from advisor.metrics.likelihood import KLToTruth, TestNLL
from advisor.metrics.manifold import Coverage, Density, Precision, Recall
from advisor.metrics.memorization import Memorization
from advisor.metrics.modes import HighQualityRate, ModesCovered
from advisor.metrics.tabular import ColumnPairs, ColumnShapes
from advisor.metrics.validity import RepairedCells, Validity

__all__ = [
    "EvaluationContext",
    "Metric",
    "SampleMetric",
    "LikelihoodMetric",
    "MeasuredMetric",
    "get_metric",
]

BUILTIN_METRICS = (
    TestNLL,
    KLToTruth,
    ModesCovered,
    HighQualityRate,
    Precision,
    Recall,
    Density,
    Coverage,
    C2ST,
    MMD,
    SlicedWasserstein,
    Frechet,
    ColumnShapes,
    ColumnPairs,
    Validity,
    RepairedCells,
    Memorization,
    CondAccuracy,
    TrainSeconds,
    SampleThroughput,
    SampleLatency,
    NFE,
    Params,
    PeakMemory,
)


def get_metric(name: str) -> Metric:
    """An instance of the registered metric `name`; sample metrics are callable as m(real, fake)."""
    from advisor.plugins import load_registry

    return load_registry().metric(name)()


@hookimpl
def advisor_metrics(register: Callable[[Any], None]) -> None:
    """Register the built-in metrics."""
    for metric in BUILTIN_METRICS:
        register(metric)
