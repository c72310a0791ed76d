"""How two candidates compare on one objective, dataset by dataset, in words a user can check.

A ranking averages normalized scores, which can hide where a candidate actually lost; these
sentences give the per-dataset seed means instead, grouped into worse / better / within seed noise
(a gap under two standard errors of the difference of the seed means), so every "why it lost"
is true to the numbers it cites.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.rules.evidence import Summary
from advisor.rules.scoring import excess_over_noise

__all__ = ["ObjectiveEvidence", "dataset_verdict", "compare_sentence", "indistinguishable"]


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
    per_dataset: dict[str, dict[str, float]]  # every measured dataset -> {mean, std, n}
    scored_on: list[str]  # the datasets the score covers (those every rival was measured on)


def dataset_verdict(objective: ObjectiveEvidence, rival: ObjectiveEvidence, dataset: str) -> str:
    """'worse', 'better' or 'within seed noise': `objective` against `rival` on `dataset`."""
    a, b = (Summary(**o.per_dataset[dataset]) for o in (objective, rival))
    if excess_over_noise(objective, a, b) > 0:
        return "worse"
    if excess_over_noise(objective, b, a) > 0:
        return "better"
    return "within seed noise"


def _pair(objective: ObjectiveEvidence, a: float, b: float) -> str:
    text = f"{a:.4g} vs {b:.4g}"
    if objective.reference is not None:  # compared by distance from it, so 0.45 is not better than 0.53
        ref = objective.reference
        text += f"; {abs(a - ref):.3g} vs {abs(b - ref):.3g} from {ref:g}"
    elif objective.scale == "log" and a > 0 and b > 0 and a != b:
        text += f", {max(a, b) / min(a, b):.3g}x"
    return text


def compare_sentence(objective: ObjectiveEvidence, rival: ObjectiveEvidence, rival_label: str) -> str | None:
    """One sentence: where `objective` is worse, better or level with `rival` (None: no shared dataset)."""
    shared = sorted(set(objective.scored_on) & set(rival.scored_on))
    if not shared:
        return None
    groups: dict[str, list[str]] = {"worse": [], "better": [], "within seed noise": []}
    for dataset in shared:
        pair = _pair(objective, objective.per_dataset[dataset]["mean"], rival.per_dataset[dataset]["mean"])
        groups[dataset_verdict(objective, rival, dataset)].append(f"{dataset} ({pair})")
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
