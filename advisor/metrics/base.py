"""Metric base classes and the `EvaluationContext` the harness hands to every metric.

Three kinds of metric share one interface (`compute(ctx) -> float`):

- `SampleMetric`: compares real test data with generated samples; also callable directly as
  ``metric(real, fake, **options)`` on numpy arrays or tensors.
- `LikelihoodMetric`: reads the model's log-density of the test set; applies only to families
  whose card declares a likelihood, and reports that kind (exact / bound / estimate).
- `MeasuredMetric`: reports a cost the harness measured (seconds, throughput, memory).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.arrays import to_numpy
from advisor.cards import FamilyCard, MetricSpec

if TYPE_CHECKING:
    import numpy as np

    from advisor.data.base import Dataset, Split

__all__ = ["EvaluationContext", "Metric", "SampleMetric", "LikelihoodMetric", "MeasuredMetric"]


@dataclass
class EvaluationContext:
    """Everything a metric may read about one evaluated run."""

    dataset: Dataset
    split: Split
    family_card: FamilyCard
    samples: np.ndarray
    test_log_prob: np.ndarray | None = None
    measurements: dict[str, float] = field(default_factory=dict)
    #: (samples, requested labels) from class-conditional sampling, for conditional families on labelled data.
    conditional: tuple[np.ndarray, np.ndarray] | None = None


class Metric(ABC):
    """Base class of a metric plugin. Subclasses set `spec` and implement `compute`."""

    spec: ClassVar[MetricSpec]

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        """Why this metric does not apply to `ctx`, or None when it does."""
        return None

    def kind(self, ctx: EvaluationContext) -> str | None:
        """A qualifier stored beside the value (the likelihood kind for likelihood metrics)."""
        return None

    @abstractmethod
    def compute(self, ctx: EvaluationContext) -> float:
        """The metric's value for one evaluated run."""


class SampleMetric(Metric):
    """A metric between real data and generated samples."""

    @abstractmethod
    def score(self, real: np.ndarray, fake: np.ndarray, **options: Any) -> float:
        """The metric between `real` (n, d) and `fake` (m, d) float arrays."""

    def options(self, ctx: EvaluationContext) -> dict[str, Any]:
        """Keyword options for `score` taken from the evaluation context (e.g. known modes)."""
        return {}

    def compute(self, ctx: EvaluationContext) -> float:
        return self.score(ctx.split.test, ctx.samples, **self.options(ctx))

    def __call__(self, real: Any, fake: Any, **options: Any) -> float:
        """Score numpy arrays or tensors directly: ``get_metric("mmd")(real, fake)``."""
        return float(self.score(to_numpy(real), to_numpy(fake), **options))


class LikelihoodMetric(Metric):
    """A metric of the model's log-density on the test set."""

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if ctx.test_log_prob is None:
            if ctx.family_card.likelihood == "none":
                return f"family {ctx.family_card.name!r} has no likelihood"
            return f"family {ctx.family_card.name!r} gives no log-density for {ctx.dataset.card.name!r}"
        return None

    def kind(self, ctx: EvaluationContext) -> str | None:
        return ctx.family_card.likelihood


class MeasuredMetric(Metric):
    """A cost the harness measured, stored under the metric's own name."""

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if self.spec.name not in ctx.measurements:
            return "not measured in this run"
        return None

    def compute(self, ctx: EvaluationContext) -> float:
        return float(ctx.measurements[self.spec.name])
