"""Valid rows: how often a family's generated rows hold what the table holds, before decoding repairs them.

Decoding a table's samples yields valid rows by default (numbers and dates clipped into the file's
range, whole numbers into their set, gaps at each column's rate: see `advisor.data.codec`), as SDV's
synthesizers do. That hides a model that leans on the repairs, so two metrics say how much it did:

- `validity`: the share of generated rows whose every number and date lies in the file's range and
  every whole number in its set, before the repairs (1 = nothing to repair);
- `repaired_cells`: the share of generated cells the repairs changed (clipped values, gaps moved to
  the column's own rate).
"""

from __future__ import annotations

from advisor.cards import MetricSpec
from advisor.metrics.base import EvaluationContext, Metric

__all__ = ["Validity", "RepairedCells"]


class _CodecMetric(Metric):
    """A metric of a table's generated rows as its codec decodes them; applies to tables with a codec."""

    def not_applicable(self, ctx: EvaluationContext) -> str | None:
        if ctx.split.encoder is None:
            return f"dataset {ctx.dataset.card.name!r} has no table codec (no columns to hold ranges or sets)"
        return None


class Validity(_CodecMetric):
    """Share of generated rows in the table's seen ranges and value sets, before repairs."""

    spec = MetricSpec(
        name="validity",
        title="Valid rows",
        unit="",
        higher_is_better=True,
        bounds=(0.0, 1.0),
        category="quality",
        description="Share of generated rows whose every number and date lies in the table's seen range and "
        "every whole number in its seen set, before decoding clips them (SDV clips silently).",
    )

    def compute(self, ctx: EvaluationContext) -> float:
        return ctx.split.encoder.validity(ctx.samples)


class RepairedCells(_CodecMetric):
    """Share of generated cells that decoding repaired (clipped, or gaps moved to the column's rate)."""

    spec = MetricSpec(
        name="repaired_cells",
        title="Repaired cells",
        unit="",
        higher_is_better=False,
        bounds=(0.0, 1.0),
        category="quality",
        description="Share of the generated cells in the table's modelled columns that decoding changed to make "
        "rows valid: values clipped into the seen range, gaps moved to the column's own rate.",
    )

    def compute(self, ctx: EvaluationContext) -> float:
        codec = ctx.split.encoder
        _, repairs = codec.decode_with_repairs(ctx.samples)
        return repairs.cells / max(1, len(ctx.samples) * len(codec.column_names))
