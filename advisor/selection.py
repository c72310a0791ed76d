"""Helpers for a family's own model selection on its training data (never on the test split)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor._lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["holdout"]


def holdout(x: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle `x` with `seed` and split it into (fit part, validation part of `fraction`)."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(fraction * len(x))))
    return x[order[n_val:]], x[order[:n_val]]
