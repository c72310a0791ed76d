"""Helpers shared by the sample-quality metrics: seeded subsampling and chunked pairwise distances.

Distances are computed with torch in float64 (whatever the input dtype) as
``|x|^2 + |y|^2 - 2 x.y``, a block of rows at a time so that memory stays bounded (about 128 MB per
block) however many points there are. torch is imported inside the functions: this module is
imported when plugins load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
    import torch
else:
    np = lazy_import("numpy")

__all__ = ["subsample", "as_float64_tensor", "squared_distance_blocks"]

BLOCK_ELEMENTS = 2**24  # float64 entries per distance block: 128 MB


def subsample(x: np.ndarray, max_points: int, rng: np.random.Generator) -> np.ndarray:
    """`x` itself when it has at most `max_points` rows, else `max_points` rows drawn without replacement."""
    if len(x) <= max_points:
        return x
    return x[np.sort(rng.choice(len(x), size=max_points, replace=False))]


def as_float64_tensor(x: np.ndarray) -> torch.Tensor:
    """A contiguous float64 CPU tensor holding the (n, d) array `x`."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))


def squared_distance_blocks(x: torch.Tensor, y: torch.Tensor) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield ``(start, block)``: squared Euclidean distances of rows ``x[start:start + len(block)]`` to all of `y`.

    Values are clamped at 0, since the dot-product form may round a distance slightly below it.
    """
    import torch

    y_norms = (y * y).sum(1)
    rows = max(1, BLOCK_ELEMENTS // max(1, len(y)))
    for start in range(0, len(x), rows):
        block = x[start : start + rows]
        sq = torch.addmm(y_norms, block, y.T, alpha=-2)
        yield start, sq.add_((block * block).sum(1, keepdim=True)).clamp_(min=0)
