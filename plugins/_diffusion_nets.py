"""The noise-prediction network of the `diffusion` family (private; imported inside its methods).

An MLP on the concatenation of the noisy input, a sinusoidal embedding of the timestep (Vaswani et
al. 2017, as in Ho et al. 2020) and a learned label embedding whose last row is the null label used
for unconditional prediction and classifier-free guidance (Ho & Salimans 2022).
"""

from __future__ import annotations

import torch
from torch import nn

from advisor.torchkit import SinusoidalEmbedding, mlp

__all__ = ["NoiseMLP"]


class NoiseMLP(nn.Module):
    """eps_theta(x_t, t, y): `classes` real labels plus the null label `classes`."""

    def __init__(
        self, dims: int, hidden: int, layers: int, classes: int, time_dim: int = 64, label_dim: int = 16
    ) -> None:
        super().__init__()
        self.null_label = classes
        self.time = SinusoidalEmbedding(time_dim)
        self.label = nn.Embedding(classes + 1, label_dim)
        self.body = mlp(dims + time_dim + label_dim, hidden, dims, layers)

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Predicted noise, shape of `x`; `t` (n,) integer timesteps, `y` (n,) labels."""
        return self.body(torch.cat([x, self.time(t), self.label(y)], dim=-1))
