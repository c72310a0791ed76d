"""The forward (noising) process of a denoising diffusion model, q(x_t | x_0) (Ho, Jain & Abbeel 2020)."""

from __future__ import annotations

import torch

__all__ = ["forward_noise"]


def forward_noise(x0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor, alphas_cumprod: torch.Tensor) -> torch.Tensor:
    """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps for each row of `x0` at its timestep in `t`.

    `t` (n,) holds integer timesteps indexing `alphas_cumprod` (T,), which should already be on
    `x0`'s device and dtype; `eps` is the standard normal noise, shape of `x0`.
    """
    a = alphas_cumprod[t][:, None]
    return a.sqrt() * x0 + (1.0 - a).sqrt() * eps
