"""Objectives the rule engine derives from runs instead of reading a stored metric, declared like metrics.

Each has a `MetricSpec` (so it is compared like any metric, and a need may name it as an objective)
and, where it is computed from a stored metric, the name of that metric.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.cards import MetricSpec

__all__ = ["DerivedObjective", "DERIVED_OBJECTIVES"]


@dataclass(frozen=True)
class DerivedObjective:
    """An objective computed from the runs: its spec and the stored metric it is computed from, if any."""

    spec: MetricSpec
    source: str | None = None


DERIVED_OBJECTIVES = {
    objective.spec.name: objective
    for objective in (
        DerivedObjective(
            MetricSpec(
                name="failure_rate",
                title="Failure rate",
                unit="",
                higher_is_better=False,
                category="stability",
                bounds=(0.0, 1.0),
                description="Share of finished runs that failed (FAILED, INVALID, TIMEOUT or CRASHED); runs "
                "stopped because the bench was interrupted say nothing about the family and are not counted.",
            )
        ),
        DerivedObjective(
            MetricSpec(
                name="unstable_rate",
                title="Unstable outcomes",
                unit="",
                higher_is_better=False,
                category="stability",
                bounds=(0.0, 1.0),
                description="Share of seeds that failed or collapsed (rules/stability.py: fewer than all but "
                "one known mode, or a high-quality rate or recall under half its seeds' median).",
            )
        ),
        DerivedObjective(
            MetricSpec(
                name="seed_spread",
                title="C2ST spread across seeds",
                unit="",
                higher_is_better=False,
                category="stability",
                bounds=(0.0, None),
                description="Standard deviation across seeds of the two-sample classifier's accuracy.",
            ),
            source="c2st",
        ),
    )
}
