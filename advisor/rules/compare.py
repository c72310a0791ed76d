"""How two candidates compare on one objective, dataset by dataset, in words a user can check.

A ranking averages normalized scores, which can hide where a candidate actually lost; these
sentences give the per-dataset seed means instead, grouped into worse / better / within seed noise
(a gap under two standard errors of the difference of the seed means), so every "why it lost"
is true to the numbers it cites.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.rules.evidence import Summary
from advisor.rules.scoring import excess_over_noise, position

__all__ = ["ObjectiveEvidence", "VERDICTS", "dataset_verdict", "compare_sentence", "indistinguishable"]


@dataclass
class ObjectiveEvidence:
    """One objective of one candidate: the per-dataset numbers and its normalized score."""

    metric: str
    unit: str
    higher_is_better: bool
    scale: str  # as the metric's spec declares: how values are compared
    reference: float | None
    score: float
    mean: float  # mean over the scored datasets of the seed means
    per_dataset: dict[str, dict[str, float]]  # every measured dataset -> Summary.as_dict()
    scored_on: list[str]  # the datasets the score covers (those every rival was measured on)
    distance: float | None = None  # with a reference: mean over the scored datasets of the per-seed distance


#: verdicts in the order sentences give them
VERDICTS = ("worse", "less consistent across seeds", "better", "more consistent across seeds", "within seed noise")


def dataset_verdict(objective: ObjectiveEvidence, rival: ObjectiveEvidence, dataset: str) -> str:
    """`objective` against `rival` on `dataset`: one of VERDICTS.

    "less consistent" is behind only by its spread: its seed mean is not worse, its seeds scatter.
    """
    a, b = (Summary(**o.per_dataset[dataset]) for o in (objective, rival))
    a_value, b_value = position(objective, a)[0], position(objective, b)[0]
    a_ahead = a_value > b_value if objective.higher_is_better else a_value < b_value
    if excess_over_noise(objective, a, b) > 0:
        return "less consistent across seeds" if a_ahead else "worse"
    if excess_over_noise(objective, b, a) > 0:
        return "better" if a_ahead else "more consistent across seeds"
    return "within seed noise"


def _pair(objective: ObjectiveEvidence, a: dict[str, float], b: dict[str, float], spread: bool) -> str:
    text = f"{a['mean']:.4g} vs {b['mean']:.4g}"
    if objective.reference is not None:  # compared by distance from it, seed by seed
        far = [o.get("distance_mean", abs(o["mean"] - objective.reference)) for o in (a, b)]
        text += f"; {far[0]:.3g} vs {far[1]:.3g} from {objective.reference:g} per seed"
    elif objective.scale == "log" and a["mean"] > 0 and b["mean"] > 0 and a["mean"] != b["mean"]:
        text += f", {max(a['mean'], b['mean']) / min(a['mean'], b['mean']):.3g}x"
    if spread:  # the verdict is about the seeds' scatter: show it
        text += f"; seed sd {a['std']:.2g} vs {b['std']:.2g}"
    return text


def compare_sentence(objective: ObjectiveEvidence, rival: ObjectiveEvidence, rival_label: str) -> str | None:
    """One sentence: where `objective` is worse, better or level with `rival` (None: no shared dataset)."""
    shared = sorted(set(objective.scored_on) & set(rival.scored_on))
    if not shared:
        return None
    groups: dict[str, list[str]] = {verdict: [] for verdict in VERDICTS}
    for dataset in shared:
        verdict = dataset_verdict(objective, rival, dataset)
        pair = _pair(objective, objective.per_dataset[dataset], rival.per_dataset[dataset], "consistent" in verdict)
        groups[verdict].append(f"{dataset} ({pair})")
    parts = [f"{verdict} on {', '.join(items)}" for verdict, items in groups.items() if items]
    unit = f" [{objective.unit}]" if objective.unit else ""
    return f"{objective.metric}{unit} vs {rival_label}: {'; '.join(parts)}"


def indistinguishable(objectives: dict[str, ObjectiveEvidence], rivals: dict[str, ObjectiveEvidence]) -> bool:
    """Whether every shared objective and dataset is within seed noise (and there is at least one)."""
    verdicts = [
        dataset_verdict(objective, rivals[metric], dataset)
        for metric, objective in objectives.items()
        if metric in rivals
        for dataset in set(objective.scored_on) & set(rivals[metric].scored_on)
    ]
    return bool(verdicts) and all(v == "within seed noise" for v in verdicts)
