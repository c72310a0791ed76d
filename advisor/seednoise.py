"""Seed noise: every comparison the project makes between readings that reseeding would scatter.

This module is the only place that says when a difference is "within seed noise". Each named
comparison below has one constant and states what it assumes; callers import the one they mean:

- `behind_leader` (ranking): how far a candidate falls behind the leader beyond noise. Each is taken
  at its pessimistic bound (seed mean less `NOISE_STANDARD_ERRORS` standard errors of that mean:
  scatter counts against a candidate, never for it), and a gap within the leader's own band of
  `NOISE_STANDARD_ERRORS` standard errors is a tie.
- `mean_gap_beyond_noise` (explanations): whether two seed means differ by more than
  `NOISE_STANDARD_ERRORS` standard errors of their difference. A candidate behind the leader only
  by its scatter (`behind_leader` > 0, means not apart) is "less consistent", not "worse".
- `worse_beyond_noise` (calibration, grades): the same test on two lists of per-seed readings.
- `real_rows_band` (grades): how far a mean over n seeds may sit from held-out real rows' mean and
  still be as good as real data, judged with the real rows' own spread.
- `reproduces_within_spread` (`results reproduce`): a re-measured value within
  `SPREAD_STANDARD_DEVIATIONS` standard deviations of the stored seeds.
- `clearly_behind` (racing on a user's table): a candidate whose optimistic bound (seed mean plus
  `NOISE_STANDARD_ERRORS` standard errors) is below the leader's pessimistic bound cannot catch up
  with more seeds: it gets none. With one seed its standard error comes from a noise prior (the
  family's seed spread on stored datasets), never from nothing.
- `spread_standard_error` (statistics of a few seeds): a standard deviation of n seeds is itself
  uncertain (about s / sqrt(2(n - 1)) for normal readings), so it is never ranked on as if exact.

All assume seeds are independent draws and their readings roughly normal; with n seeds the standard
error of a mean is s / sqrt(n), and one seed gives no estimate of noise: an answer borrows the spread of
the other candidates' seeds on the same dataset for it (`rules.evidence`), and where there is none its
standard error is 0 and its gaps are reported as untested (the single-seed caveats). Pure Python (no numpy) so that
`advisor recommend` imports no numerical library.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

__all__ = [
    "NOISE_STANDARD_ERRORS",
    "SPREAD_STANDARD_DEVIATIONS",
    "Reading",
    "behind_leader",
    "clearly_behind",
    "mean_gap_beyond_noise",
    "pessimistic_bound",
    "real_rows_band",
    "reproduces_within_spread",
    "spread_standard_error",
    "standard_error",
    "worse_beyond_noise",
]

#: a gap smaller than this many standard errors is seed noise (about a 95% band for normal readings)
NOISE_STANDARD_ERRORS = 2.0
#: a single re-measurement within this many seed standard deviations of the stored mean reproduces it
SPREAD_STANDARD_DEVIATIONS = 2.0

#: a seed mean oriented so that higher is better, and its standard error
Reading = tuple[float, float]


def standard_error(std: float, n: int) -> float:
    """The standard error of a mean of `n` seeds with sample standard deviation `std` (0 for one seed)."""
    return std / math.sqrt(n) if n > 1 else 0.0


def spread_standard_error(std: float, n: int) -> float:
    """The standard error of a sample standard deviation of `n` normal readings: s / sqrt(2(n - 1)).

    Three seeds give a spread known to about +-50%: two spreads of 0.033 and 0.036 are the same.
    """
    return std / math.sqrt(2 * (n - 1)) if n > 1 else 0.0


def pessimistic_bound(reading: Reading) -> float:
    """A higher-is-better seed mean less `NOISE_STANDARD_ERRORS` standard errors."""
    value, error = reading
    return value - NOISE_STANDARD_ERRORS * error


def behind_leader(candidate: Reading, leader: Reading) -> float:
    """How far `candidate` falls behind `leader` beyond seed noise (0: tied with it or ahead).

    Both are higher-is-better readings. Compared at their pessimistic bounds, with a gap inside the
    leader's own noise band not counted: two consistent candidates with close means tie, while one whose
    seeds scatter falls behind a consistently good one however good its best seeds are.
    """
    return max(0.0, pessimistic_bound(leader) - pessimistic_bound(candidate) - NOISE_STANDARD_ERRORS * leader[1])


def clearly_behind(candidate: Reading, leader: Reading) -> bool:
    """Whether `candidate`'s band (mean +- `NOISE_STANDARD_ERRORS` standard errors) lies wholly below the
    leader's: more seeds would not make it the leader (both higher-is-better readings)."""
    return candidate[0] + NOISE_STANDARD_ERRORS * candidate[1] < pessimistic_bound(leader)


def mean_gap_beyond_noise(a: Reading, b: Reading) -> bool:
    """Whether the seed means of `a` and `b` differ by more than the noise of their difference."""
    return abs(a[0] - b[0]) > NOISE_STANDARD_ERRORS * math.hypot(a[1], b[1])


def worse_beyond_noise(worse: Sequence[float], better: Sequence[float]) -> float:
    """How much the mean of `worse` exceeds the mean of `better` beyond `NOISE_STANDARD_ERRORS` standard
    errors of the difference of the two means (positive: worse beyond noise). Both are badness readings
    (higher is worse), one per seed; a single reading has no spread."""
    error = math.hypot(standard_error(_std(worse), len(worse)), standard_error(_std(better), len(better)))
    return statistics.fmean(worse) - statistics.fmean(better) - NOISE_STANDARD_ERRORS * error


def real_rows_band(real: Sequence[float], n: int) -> float:
    """How far a mean over `n` seeds may sit from the real rows' mean reading (`real`, one per seed) and
    still be within seed noise of it: `NOISE_STANDARD_ERRORS` standard errors of the difference of two
    means, both with the real rows' spread. Never the family's own spread: a family whose seeds scatter
    must not earn a wider band."""
    return NOISE_STANDARD_ERRORS * _std(real) * math.sqrt(1 / len(real) + 1 / max(n, 1))


def reproduces_within_spread(value: float, mean: float, std: float, seeds: int) -> bool:
    """Whether a re-measured `value` lies within `SPREAD_STANDARD_DEVIATIONS` seed standard deviations of
    the stored `mean` over `seeds` seeds (never with one stored seed: no spread is known)."""
    return seeds > 1 and abs(value - mean) <= SPREAD_STANDARD_DEVIATIONS * std


def _std(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0
