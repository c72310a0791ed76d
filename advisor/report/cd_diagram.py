"""The critical-difference diagram (Demšar 2006, Figure 1): candidates by average rank across tables.

An axis of ranks (1, the best, on the left); each candidate hangs from its average rank to its name,
the better half on the left and the rest on the right; a bar of the critical difference's length
above the axis; and a thick line under every group of candidates that cannot be told apart (their
average ranks span less than the critical difference). matplotlib is imported when a diagram is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.rules.answer import AcrossTables as AcrossTablesRecord
    from advisor.stats.friedman import AcrossTables

__all__ = ["critical_difference_diagram"]

_DPI = 110


def critical_difference_diagram(
    result: AcrossTables | AcrossTablesRecord, path: str | Path, title: str | None = None
) -> Path:
    """Write `result`'s critical-difference diagram to `path` (PNG) and return the path (the statistics'
    result or an answer's record of it)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    path = Path(path)
    k = len(result.candidates)
    left = result.candidates[: (k + 1) // 2]
    right = result.candidates[(k + 1) // 2 :]
    rows = max(len(left), len(right))
    groups = result.nemenyi_groups()
    height = 1.2 + 0.28 * (rows + len(groups))
    fig, ax = plt.subplots(figsize=(7.5, height))
    ax.set_xlim(0.0, k + 1.0)
    ax.set_ylim(-(rows + 1.0) - 0.35 * len(groups), 1.6)
    ax.axis("off")
    ax.plot([1, k], [0, 0], color="black", linewidth=1)
    for rank in range(1, k + 1):
        ax.plot([rank, rank], [0, 0.15], color="black", linewidth=1)
        ax.text(rank, 0.25, str(rank), ha="center", va="bottom", fontsize=8)
    cd = result.critical_difference
    reach = min(1 + cd, k)  # a CD longer than the axis (few tables) is drawn to its end; the label says how long
    ax.plot([1, reach], [1.1, 1.1], color="black", linewidth=1.5)
    for end in (1, reach):
        ax.plot([end, end], [1.0, 1.2], color="black", linewidth=1)
    ax.text((1 + reach) / 2, 1.25, f"CD = {cd:.2f} (alpha {result.alpha:g})", ha="center", va="bottom", fontsize=8)
    for side, names, x_label, align in ((0, left, 0.45, "right"), (1, right, k + 0.55, "left")):
        for row, name in enumerate(names, start=1):
            rank = result.average_ranks[name]
            y = -row - 0.35 * len(groups)
            ax.plot([rank, rank, x_label + (0.1 if side == 0 else -0.1)], [0, y, y], color="black", linewidth=0.8)
            ax.text(x_label, y, f"{name} ({rank:.2f})", ha=align, va="center", fontsize=8)
    for row, group in enumerate(groups, start=1):
        ranks = [result.average_ranks[c] for c in group]
        y = -0.35 * row
        ax.plot([min(ranks) - 0.05, max(ranks) + 0.05], [y, y], color="black", linewidth=3, solid_capstyle="butt")
    heading = title or f"average ranks over {len(result.tables)} tables"
    ax.set_title(f"{heading}; Friedman p = {result.iman_davenport_p:.3g}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path
