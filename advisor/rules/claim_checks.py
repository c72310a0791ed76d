"""Each need's textbook rule of thumb (claims.py) judged against the ranking, as `ClaimCheck` records.

The claim is judged among the families the textbook compares (baselines and third-party families
are not in its comparison): it agrees when a claimed family is among the textbook families tied at
the top. A baseline ranked above them all is named, not counted against the claim. When the best all
memorize, the verdict stands and the record names the best textbook families that do not copy.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.cards import Need
from advisor.rules.answer import ClaimCheck, RankedCandidate
from advisor.rules.claims import RULES_OF_THUMB, TEXTBOOK_FAMILIES

__all__ = ["check_claims"]


def _top(candidates: list[RankedCandidate], need: str, alone: bool) -> list[RankedCandidate]:
    """The candidates tied at the top for `need` (a tie set, never one picked by name): those ranked first when
    the answer is for `need` `alone` and any of them is ranked first (a tie robust to one seed, `seed_robust`),
    else those at the best score for it."""
    if alone and (first := [r for r in candidates if r.rank == 1]):
        return first
    if not candidates:
        return []
    best = max(r.need_scores[need] for r in candidates)
    return [r for r in candidates if r.need_scores[need] == best]


def _ahead(candidate: RankedCandidate, best: list[RankedCandidate], need: str, alone: bool) -> bool:
    """Whether `candidate` is ahead of the textbook's `best`: ranked above them when the answer is for `need`
    `alone` (ranks are then ties robust to one seed), else scored above them for `need`."""
    if alone:
        return candidate.rank < min(r.rank for r in best)
    return candidate.need_scores[need] > max(r.need_scores[need] for r in best)


def check_claims(needs: list[Need], ranked: list[RankedCandidate], copying: Mapping[str, set[str]]) -> list[ClaimCheck]:
    """One record per need with a rule of thumb and a textbook family ranked for it.

    `copying` maps a need ranked on quality to the labels of the candidates that memorize.
    """
    checks = []
    for need in needs:
        if need.name not in RULES_OF_THUMB:
            continue
        claim, claimed = RULES_OF_THUMB[need.name]
        measured = [r for r in ranked if need.name in r.need_scores]
        textbook = [r for r in measured if r.family in TEXTBOOK_FAMILIES]
        if not textbook:
            continue
        alone = len(needs) == 1
        best = _top(textbook, need.name, alone)
        present = any(f in {r.family for r in textbook} for f in claimed)
        copiers = copying.get(need.name, set())
        clean = [r for r in textbook if r.label not in copiers]
        copying_best = bool(clean) and all(r.label in copiers for r in best)
        best_clean = _top(clean, need.name, alone) if copying_best else []
        checks.append(
            ClaimCheck(
                need=need.name,
                claim=claim,
                claimed=list(claimed),
                measured_best=[r.label for r in best],
                agrees=any(r.family in claimed for r in best) if present else None,
                baselines_above=[
                    r.label for r in measured if _ahead(r, best, need.name, alone) and r.family not in TEXTBOOK_FAMILIES
                ],
                memorizing_best=[r.label for r in best] if copying_best else [],
                best_not_copying=[r.label for r in best_clean],
                best_not_copying_claimed=any(r.family in claimed for r in best_clean) if best_clean else None,
            )
        )
    return checks
