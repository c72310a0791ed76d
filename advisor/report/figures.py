"""matplotlib figures of the evidence: samples, quality vs speed (Pareto front), NLL, cost.

Each function takes plain data read from the store and writes one PNG; none trains anything.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

__all__ = [
    "LIKELIHOOD_COLOURS",
    "sample_grid",
    "quality_vs_speed",
    "nll_figure",
    "nll_bars",
    "cost_figure",
    "cost_bars",
]

_DPI = 110


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path


def sample_grid(real: np.ndarray | None, generated: dict[str, np.ndarray], title: str, path: Path) -> Path:
    """Real data beside each family's stored samples: scatter plots for 2-D, image grids for 64-dim digits."""
    panels = ([("real data", real)] if real is not None else []) + sorted(generated.items())
    columns = min(5, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 2.6 * rows), squeeze=False)
    for ax, (label, x) in zip(axes.ravel(), panels, strict=False):
        if x.shape[1] == 2:
            ax.scatter(x[:1000, 0], x[:1000, 1], s=2, alpha=0.5, color="black" if label == "real data" else None)
            ax.set_aspect("equal", adjustable="datalim")
        else:
            side = int(round(math.sqrt(x.shape[1])))
            if side * side == x.shape[1]:
                tiles = np.pad(x[:16].reshape(-1, side, side), ((0, 0), (1, 1), (1, 1)))  # a 1-pixel frame
                grid = np.vstack([np.hstack(list(tiles[r * 4 : r * 4 + 4])) for r in range(len(tiles) // 4)])
                ax.imshow(grid, cmap="gray_r")
            else:
                ax.scatter(x[:1000, 0], x[:1000, 1], s=2, alpha=0.5)
        ax.set_title(label, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[len(panels) :]:
        ax.axis("off")
    fig.suptitle(title, fontsize=11)
    return _save(fig, path)


def _pareto(points: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Points not dominated: higher throughput and lower C2ST are both better."""
    front = [p for p in points if not any(q[1] >= p[1] and q[2] <= p[2] and q != p for q in points)]
    return sorted(front, key=lambda p: p[1])


def quality_vs_speed(points: list[tuple[str, float, float]], title: str, path: Path) -> Path:
    """C2ST (lower is better) against sampling throughput (log scale), with the Pareto front."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for label, speed, quality in points:
        ax.scatter(speed, quality, s=30)
        ax.annotate(label, (speed, quality), fontsize=8, xytext=(4, 3), textcoords="offset points")
    front = _pareto(points)
    if len(front) > 1:
        ax.plot([p[1] for p in front], [p[2] for p in front], "--", color="gray", label="Pareto front")
        ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("sampling throughput (samples/s, log scale)")
    ax.set_ylabel("C2ST accuracy (0.5 = indistinguishable)")
    ax.set_title(title, fontsize=11)
    return _save(fig, path)


#: the colour of each likelihood kind in the NLL chart (its legend shows the kinds drawn)
LIKELIHOOD_COLOURS = {"exact": "tab:blue", "bound": "tab:orange", "estimate": "tab:green"}


def _bar_chart_height(bars: int) -> float:
    """Inches for a horizontal bar chart of `bars` bars: a label row each, so labels never overlap."""
    return 1.2 + 0.28 * max(bars, 3)


def nll_figure(bars: list[tuple[str, str, float, float]], title: str) -> Any:
    """Test NLL (nats/dim) per family as horizontal bars coloured by likelihood kind, with seed deviations."""
    fig, ax = plt.subplots(figsize=(6.5, _bar_chart_height(len(bars))))
    labels = [b[0] for b in bars]
    ax.barh(
        labels,
        [b[2] for b in bars],
        xerr=[b[3] for b in bars],
        capsize=3,
        color=[LIKELIHOOD_COLOURS.get(b[1], "gray") for b in bars],
    )
    ax.invert_yaxis()  # the first bar on top, as the list reads
    kinds = [kind for kind in LIKELIHOOD_COLOURS if any(b[1] == kind for b in bars)]
    ax.legend(
        handles=[Patch(color=LIKELIHOOD_COLOURS[kind], label=kind) for kind in kinds], title="likelihood", fontsize=8
    )
    ax.set_xlabel("test NLL (nats/dim, lower is better)")
    ax.set_title(title, fontsize=11)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def nll_bars(bars: list[tuple[str, str, float, float]], title: str, path: Path) -> Path:
    """Write `nll_figure` as a PNG at `path`."""
    return _save(nll_figure(bars, title), path)


def cost_figure(bars: list[tuple[str, float, float]], title: str) -> Any:
    """Training seconds and peak memory (MB) per family, side by side, as horizontal bars."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, _bar_chart_height(len(bars))), sharey=True)
    labels = [b[0] for b in bars]
    left.barh(labels, [b[1] for b in bars], color="tab:purple")
    left.set_xlabel("training time (s)")
    left.invert_yaxis()  # shared with the right panel
    right.barh(labels, [b[2] for b in bars], color="tab:gray")
    right.set_xlabel("peak memory (MB)")
    left.tick_params(axis="y", labelsize=8)
    fig.suptitle(title, fontsize=11)
    return fig


def cost_bars(bars: list[tuple[str, float, float]], title: str, path: Path) -> Path:
    """Write `cost_figure` as a PNG at `path`."""
    return _save(cost_figure(bars, title), path)
