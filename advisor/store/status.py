"""The status of a run (and which statuses count against a family), and the flag of a stored metric.

A run is RUNNING from the moment a bench claims its cell until it is finished with a final status.
COMPLETE runs carry the measurements. FAILED (the family raised), INVALID (it returned malformed or
non-finite arrays), TIMEOUT (it ran past the cell's time limit) and CRASHED (its process died) are
the family's failures: they count in its failure rate and are named in every answer that ranks it.
INTERRUPTED says the bench itself stopped (Ctrl-C, a killed bench): nothing about the family.

This module imports nothing heavy, so the cell workers and the rule engine can both use it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MetricFlag", "RunStatus"]


class RunStatus(StrEnum):
    """Where a run stands. Stored by name; a member compares equal to its name."""

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    INVALID = "INVALID"
    TIMEOUT = "TIMEOUT"
    CRASHED = "CRASHED"
    INTERRUPTED = "INTERRUPTED"

    @property
    def is_failure(self) -> bool:
        """The family did not complete: counts against it (failure rate, caveats)."""
        return self in _FAILURES

    @property
    def is_final(self) -> bool:
        """The run is over and says something about the family: COMPLETE or a failure."""
        return self is RunStatus.COMPLETE or self.is_failure

    @classmethod
    def failures(cls) -> tuple[RunStatus, ...]:
        """Every status that counts against a family, in declaration order."""
        return tuple(status for status in cls if status.is_failure)


_FAILURES = frozenset({RunStatus.FAILED, RunStatus.INVALID, RunStatus.TIMEOUT, RunStatus.CRASHED})


class MetricFlag(StrEnum):
    """Whether a stored metric value can be used. Stored by name; only OK values enter any answer."""

    OK = "ok"
    NAN = "nan"  # the metric returned NaN
    INF = "inf"  # it returned an infinity
    OUT_OF_BOUNDS = "out-of-bounds"  # outside the range its spec declares (stored, flagged)
    NOT_APPLICABLE = "not-applicable"  # the metric does not apply to this family or dataset
    ERROR = "error"  # the metric raised
