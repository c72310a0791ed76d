"""Likelihood metrics: test NLL per dimension and KL divergence to a known true density."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, LikelihoodMetric

if TYPE_CHECKING:
    import numpy as np

__all__ = ["TestNLL", "KLToTruth"]


class TestNLL(LikelihoodMetric):
    """Mean negative log-likelihood of the test set, in nats per dimension."""

    __test__ = False  # not a pytest test class despite the name
    spec = MetricSpec(
        name="test_nll",
        title="Test NLL",
        unit="nats/dim",
        higher_is_better=False,
        category="likelihood",
        description="-mean log p(x_test) / dims; its kind (exact, bound, estimate) is stored beside it.",
    )

    def compute(self, ctx: EvaluationContext) -> float:
        log_prob: np.ndarray = ctx.test_log_prob
        return float(-log_prob.mean() / ctx.split.test.shape[1])


class KLToTruth(LikelihoodMetric):
    """KL(p_true || p_model) estimated on the test set: mean of log p_true - log p_model, nats."""

    spec = MetricSpec(
        name="kl_to_truth",
        title="KL to truth",
        unit="nats",
        higher_is_better=False,
        category="likelihood",
        description="Monte-Carlo KL(p_data || p_model) over the test set, nats per example (all dims).",
    )

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if not ctx.dataset.card.known_density:
            return f"dataset {ctx.dataset.card.name!r} has no known density"
        return super().not_applicable(ctx)

    def compute(self, ctx: EvaluationContext) -> float:
        true_log_prob = ctx.dataset.log_density(ctx.split.test)
        return float((true_log_prob - ctx.test_log_prob).mean())
