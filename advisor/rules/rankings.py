"""How a ranking on the user's data differs from the ranking on the reference datasets."""

from __future__ import annotations

__all__ = ["ranking_differences"]


def ranking_differences(mine: list[dict], reference: list[dict]) -> list[str]:
    """Sentences on where the ranking on the user's data differs from the reference datasets'."""

    def order(ranked: list[dict]) -> list[str]:
        return [r["label"] for r in ranked]

    a, b = order(mine), order(reference)
    if not a or not b:
        return []
    sentences = []
    if a[0] != b[0]:
        sentences.append(f"on your data the best is {a[0]}; on the reference datasets it is {b[0]}")
    else:
        sentences.append(f"both agree on the best: {a[0]}")
    shared = [c for c in a if c in b]
    moved = [f"{c} ({b.index(c) + 1} -> {a.index(c) + 1})" for c in shared if a.index(c) != b.index(c)]
    if moved:
        sentences.append("rank changes, reference -> your data: " + ", ".join(moved))
    return sentences
