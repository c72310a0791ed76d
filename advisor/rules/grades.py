"""Quality grades on the calibrated scale: where a family's number falls among reference sets of known quality.

`advisor metrics calibrate --db` stores what each quality metric reads on held-out real rows and on
those rows with Gaussian noise of growing width (the ladder; `advisor.metrics.calibration`). A
family's mean distance from a perfect value on a dataset (its "badness": |C2ST - 0.5| seed by seed,
a lower-is-better value itself, a higher-is-better one negated) is graded by the first rung it does
not exceed:

- excellent: within seed noise of the real rows (at most their mean badness plus twice the
  standard error of a difference of two means, from the real rows' spread over seeds);
- high: no worse than the mildest noise level;
- medium: no worse than the second level;
- low: worse than the second level.

On the mixtures the levels are noise of 0.5, 1 and 2 times the mode width, on other data 0.25, 0.5
and 1 times each feature's standard deviation. A dataset where the strongest level does not read
worse than the real rows beyond seed noise grades no one (quick budget: C2ST on wine's 36 test rows
reads 0.486 on real rows and 0.485 with 1 sd of noise); the basis names it. Over several datasets a
family gets the median of its grades, the worse of the two middle ones when they differ.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.cards import MetricSpec
from advisor.seednoise import real_rows_band, worse_beyond_noise
from advisor.store.read import ReferenceReading

if TYPE_CHECKING:
    from advisor.rules.evidence import Candidate, Evidence

__all__ = ["GRADES", "Ladder", "ladder_from", "place", "overall", "legend", "calibrated_quality"]

GRADES = ("excellent", "high", "medium", "low")


@dataclass(frozen=True)
class Ladder:
    """One metric's badness on one dataset's real rows (per seed) and on each noise level (mean), mildest first."""

    real: tuple[float, ...]
    rungs: tuple[tuple[str, float], ...]
    #: the strongest noise reads worse than the real rows beyond seed noise: without that (C2ST on a few
    #: dozen test rows) every family would be "within seed noise of real data", so none is graded there
    sees_noise: bool = True


def ladder_from(readings: Sequence[ReferenceReading], spec: MetricSpec) -> Ladder | None:
    """The ladder from a metric's stored readings on one dataset; None without the real rows and at
    least two noise levels."""
    steps = sorted((r.ladder_step, r.reference_set, r.values) for r in readings if r.ladder_step is not None)
    if len(steps) < 3 or steps[0][0] != 0:
        return None
    real = tuple(spec.badness(v) for v in steps[0][2])
    rungs = tuple((name, statistics.fmean(spec.badness(v) for v in values)) for _, name, values in steps[1:])
    strongest = tuple(spec.badness(v) for v in steps[-1][2])
    return Ladder(real, rungs, _worse_beyond_noise(strongest, real))


def _worse_beyond_noise(worse: Sequence[float], better: Sequence[float]) -> bool:
    """Whether `worse`'s mean badness exceeds `better`'s beyond seed noise (as the calibration judges it)."""
    if len(worse) < 2 or len(better) < 2:
        return True  # one seed: no spread to judge by, take the ladder as it reads
    return worse_beyond_noise(worse, better) > 0


def place(ladder: Ladder, badness: float, n: int) -> tuple[str, str]:
    """(grade, where it falls) for a family's mean `badness` over `n` seeds.

    "Within seed noise of real data" is judged with the real rows' own spread over seeds (what a
    family as good as real data would scatter by, at its number of seeds), never the family's: a
    family whose seeds scatter (one collapsed) must not earn a wider band.
    """
    if badness <= statistics.fmean(ladder.real) + real_rows_band(ladder.real, n):
        return "excellent", "within seed noise of real data"
    (mildest, first), (second_name, second) = ladder.rungs[0], ladder.rungs[1]
    if badness <= first:
        return "high", f"between real data and {mildest}"
    if badness <= second:
        return "medium", f"between {mildest} and {second_name}"
    return "low", f"beyond {second_name}"


def overall(grades: Sequence[str]) -> str:
    """The median grade, the worse of the two middle ones when they differ."""
    return GRADES[statistics.median_high(GRADES.index(g) for g in grades)]


def calibrated_quality(evidence: Evidence, candidate: Candidate) -> tuple[str, str] | None:
    """(grade, where it falls on each dataset) of `candidate`'s C2ST on the datasets whose ladder
    `evidence` holds; None where it has none."""
    spec = evidence.specs.get("c2st")
    by_dataset = evidence.values.get(candidate, {}).get("c2st", {})
    placed, blind = {}, []
    for dataset, summary in sorted(by_dataset.items()):
        if spec is None or dataset not in evidence.ladders:
            continue
        if not evidence.ladders[dataset].sees_noise:
            blind.append(dataset)
            continue
        if spec.reference is not None and summary.distance_mean is not None:
            badness = summary.distance_mean  # seed by seed: seeds either side of the reference do not cancel
        else:
            badness = spec.badness(summary.mean)
        grade, position = place(evidence.ladders[dataset], badness, summary.n)
        placed[dataset] = grade, f"{dataset} {grade} ({summary.mean:.3f}): {position}"
    if not placed:
        return None
    where = "; ".join(text for _, text in placed.values())
    if blind:
        where += f"; not graded, C2ST there does not see its strongest noise beyond seed noise: {', '.join(blind)}"
    if uncalibrated := sorted(set(by_dataset) - set(placed) - set(blind)):
        where += f"; not graded, no calibration stored: {', '.join(uncalibrated)}"
    return overall([grade for grade, _ in placed.values()]), f"C2ST calibrated ({where})"


def legend(ladders: Sequence[Ladder]) -> dict[str, str]:
    """Each grade's meaning with the noise levels of `ladders` named (distinct ones joined by " or ")."""
    mildest, second = (
        " or ".join(dict.fromkeys(_described(ladder.rungs[rung][0]) for ladder in ladders)) for rung in (0, 1)
    )
    return {
        "excellent": "within seed noise of held-out real data",
        "high": f"no worse than real data with {mildest}",
        "medium": f"no worse than real data with {second}",
        "low": f"worse than real data with {second}",
    }


def _described(name: str) -> str:
    """'noise-0.5mw' -> 'noise of 0.5 x the mode width'; 'noise-1sd' -> 'noise of 1 x each feature's std'."""
    width = name.removeprefix("noise-")
    if width.endswith("mw"):
        return f"noise of {width[:-2]} x the mode width"
    if width.endswith("sd"):
        return f"noise of {width[:-2]} x each feature's std"
    return name
