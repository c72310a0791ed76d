"""Seed noise: when one set of per-seed readings is worse than another beyond what reseeding explains.

Pure Python (no numpy), so the calibration that measures and the grades `advisor recommend` reads
judge "beyond seed noise" by one definition without the answer path importing numerical libraries.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

__all__ = ["excess_beyond_noise"]


def excess_beyond_noise(worse: Sequence[float], better: Sequence[float]) -> float:
    """How much the mean of `worse` exceeds the mean of `better` beyond twice the standard error of the
    difference of the two means (sample standard deviations; a single value has no spread).

    Positive: `worse` is worse beyond seed noise. Both are badness readings (higher is worse).
    """
    error = math.sqrt(_variance(worse) / len(worse) + _variance(better) / len(better))
    return statistics.fmean(worse) - statistics.fmean(better) - 2 * error


def _variance(values: Sequence[float]) -> float:
    return statistics.variance(values) if len(values) > 1 else 0.0
