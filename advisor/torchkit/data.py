"""Moving data to torch: tensors, seeded minibatches, and a standardizer with its log-Jacobian."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

__all__ = ["to_tensor", "minibatches", "Standardizer"]


def to_tensor(x: Any, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """`x` (numpy array or tensor) as a tensor of `dtype` on `device`."""
    if isinstance(x, torch.Tensor):
        return x.to(device=device, dtype=dtype)
    return torch.as_tensor(np.asarray(x), dtype=dtype, device=device)


def minibatches(
    x: torch.Tensor, labels: torch.Tensor | None, batch_size: int, generator: torch.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """Endless shuffled minibatches (epochs without replacement), reproducible from `generator`."""
    n = x.shape[0]
    batch_size = min(batch_size, n)
    while True:
        order = torch.randperm(n, generator=generator).to(x.device)
        for start in range(0, n - batch_size + 1, batch_size):
            index = order[start : start + batch_size]
            yield x[index], (labels[index] if labels is not None else None)


class Standardizer:
    """Per-feature affine map z = scale * (x - mean) / std, fit on training data.

    Models are trained in z-space; densities come back to data space with the change of variables
    log p_x(x) = log p_z(z) + log |det dz/dx|, which `log_abs_det` provides. `scale` is the standard
    deviation of z (1 by default; a model whose layers act on a fixed interval may want its data wider).
    """

    def __init__(self, train: torch.Tensor, min_std: float = 1e-6, scale: float = 1.0) -> None:
        self.mean = train.mean(0)
        self.std = train.std(0).clamp_min(min_std) / scale  # data units per unit of z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Data space to standardized space."""
        return (x - self.mean) / self.std

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """Standardized space back to data space."""
        return z * self.std + self.mean

    @property
    def log_abs_det(self) -> float:
        """log |det d z / d x| = -sum(log std): add it to a z-space log-density."""
        return -float(torch.log(self.std).sum())

    @staticmethod
    def gaussian_log_prob(z: torch.Tensor) -> torch.Tensor:
        """Standard normal log-density of each row of `z`."""
        return -0.5 * (z**2).sum(-1) - 0.5 * z.shape[-1] * math.log(2 * math.pi)
