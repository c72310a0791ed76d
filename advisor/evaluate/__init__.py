"""The standardized evaluation protocol and the provenance recorded with every run."""

from advisor.evaluate.protocol import MetricValue, RunOutcome, evaluate_cell, seed_everything
from advisor.evaluate.provenance import resolve_device

__all__ = ["MetricValue", "RunOutcome", "evaluate_cell", "seed_everything", "resolve_device"]
