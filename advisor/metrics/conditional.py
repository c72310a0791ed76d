"""Conditional generation: does a sample asked for class c look like class c?"""

from __future__ import annotations

from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, Metric
from advisor.metrics.reference import reference_classifier

__all__ = ["CondAccuracy"]


class CondAccuracy(Metric):
    """Accuracy of the fixed reference classifier on class-conditional samples (balanced classes)."""

    spec = MetricSpec(
        name="cond_accuracy",
        title="Conditional accuracy",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="The reference classifier's agreement with the requested label (real test data: its accuracy).",
    )

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if ctx.conditional is None:
            if not ctx.family_card.conditioning:
                return f"family {ctx.family_card.name!r} is not conditional"
            if not ctx.dataset.card.condition_on_labels:
                return f"dataset {ctx.dataset.card.name!r} withholds its labels (they reveal the mixture component)"
            return f"dataset {ctx.dataset.card.name!r} has no labels"
        return None

    def compute(self, ctx: EvaluationContext) -> float:
        samples, labels = ctx.conditional
        return float((reference_classifier(ctx.split).predict(samples) == labels).mean())
