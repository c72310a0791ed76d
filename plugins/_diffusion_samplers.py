"""Samplers for an epsilon-prediction DDPM: ancestral DDPM, deterministic DDIM and DPM-Solver++(2M).

Private helper of the `diffusion` family, imported inside its methods (it imports torch). Every
sampler takes `eps_fn(x, t) -> predicted noise` with `t` an integer training timestep in 0..T-1 and
follows the conventions of diffusers' schedulers (which `tests/test_family_diffusion.py` checks it
against): "trailing" timestep spacing for the few-step samplers and, when `bounds` are given, the
predicted x0 clamped to them at every step, with the noise re-derived from the clamped x0 (diffusers'
`clip_sample`, per dimension here).

References: Ho, Jain & Abbeel 2020 (DDPM); Song, Meng & Ermon 2021 (DDIM); Lu et al. 2022,
DPM-Solver++: Fast Solver for Guided Sampling of Diffusion Probabilistic Models (2M variant).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

__all__ = ["LinearSchedule", "trailing_timesteps", "predict_x0", "ddpm", "ddim", "dpm_solver_pp_2m"]

EpsFn = Callable[[torch.Tensor, int], torch.Tensor]
Bounds = tuple[torch.Tensor, torch.Tensor] | None


class LinearSchedule:
    """Linear betas from `beta_start` to `beta_end` over `steps` timesteps (Ho et al. 2020), in float64."""

    def __init__(self, steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> None:
        self.steps = steps
        self.betas = torch.linspace(beta_start, beta_end, steps, dtype=torch.float64)
        self.alphas_cumprod = torch.cumprod(1.0 - self.betas, dim=0)

    def alpha_bar(self, t: int) -> float:
        """Cumulative product of (1 - beta) up to timestep `t`; 1.0 for t < 0 (clean data)."""
        return 1.0 if t < 0 else float(self.alphas_cumprod[t])


def trailing_timesteps(train_steps: int, steps: int) -> list[int]:
    """`steps` timesteps from T-1 down, evenly spaced, ending near 0 ("trailing", Lin et al. 2024)."""
    return [int(round(train_steps - i * train_steps / steps)) - 1 for i in range(steps)]


def predict_x0(
    x: torch.Tensor, eps: torch.Tensor, alpha_bar: float, bounds: Bounds
) -> tuple[torch.Tensor, torch.Tensor]:
    """(x0, eps) implied by the noise prediction at x_t; with `bounds` (low, high), x0 clamped to
    them and eps re-derived from the clamped x0, so that both describe the same x_t."""
    x0 = (x - math.sqrt(1.0 - alpha_bar) * eps) / math.sqrt(alpha_bar)
    if bounds is None:
        return x0, eps
    x0 = torch.maximum(torch.minimum(x0, bounds[1]), bounds[0])
    return x0, (x - math.sqrt(alpha_bar) * x0) / math.sqrt(1.0 - alpha_bar)


def ddpm(
    eps_fn: EpsFn, x: torch.Tensor, schedule: LinearSchedule, generator: torch.Generator, bounds: Bounds = None
) -> torch.Tensor:
    """Ancestral sampling through all T steps with the posterior variance beta-tilde ("fixed small")."""
    for t in range(schedule.steps - 1, -1, -1):
        a_t, a_prev = schedule.alpha_bar(t), schedule.alpha_bar(t - 1)
        beta_t = 1.0 - a_t / a_prev
        x0, _ = predict_x0(x, eps_fn(x, t), a_t, bounds)
        mean = (math.sqrt(a_prev) * beta_t / (1.0 - a_t)) * x0 + (
            math.sqrt(1.0 - beta_t) * (1.0 - a_prev) / (1.0 - a_t)
        ) * x
        if t > 0:
            variance = max((1.0 - a_prev) / (1.0 - a_t) * beta_t, 1e-20)
            noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
            x = mean + math.sqrt(variance) * noise
        else:
            x = mean
    return x


def ddim(eps_fn: EpsFn, x: torch.Tensor, schedule: LinearSchedule, steps: int, bounds: Bounds = None) -> torch.Tensor:
    """Deterministic DDIM (eta = 0) on trailing timesteps; the last step lands on clean data."""
    timesteps = trailing_timesteps(schedule.steps, steps)
    for i, t in enumerate(timesteps):
        a_prev = schedule.alpha_bar(timesteps[i + 1] if i + 1 < steps else -1)
        x0, eps = predict_x0(x, eps_fn(x, t), schedule.alpha_bar(t), bounds)
        x = math.sqrt(a_prev) * x0 + math.sqrt(1.0 - a_prev) * eps
    return x


def dpm_solver_pp_2m(
    eps_fn: EpsFn, x: torch.Tensor, schedule: LinearSchedule, steps: int, bounds: Bounds = None
) -> torch.Tensor:
    """Multistep second-order DPM-Solver++ in data (x0) prediction, midpoint form, trailing timesteps.

    The first step is first order (no history yet); the last step goes to sigma = 0 with a first-order
    update, which returns the predicted x0 (diffusers' `final_sigmas_type="zero"`).
    """
    timesteps = trailing_timesteps(schedule.steps, steps)
    previous_x0, previous_lambda = None, None
    for i, t in enumerate(timesteps):
        alpha_s, sigma_s = math.sqrt(schedule.alpha_bar(t)), math.sqrt(1.0 - schedule.alpha_bar(t))
        lambda_s = math.log(alpha_s / sigma_s)
        x0, _ = predict_x0(x, eps_fn(x, t), schedule.alpha_bar(t), bounds)
        if i + 1 == steps:
            return x0
        a_next = schedule.alpha_bar(timesteps[i + 1])
        alpha_t, sigma_t = math.sqrt(a_next), math.sqrt(1.0 - a_next)
        h = math.log(alpha_t / sigma_t) - lambda_s
        data_term = x0
        if previous_x0 is not None:
            r = (lambda_s - previous_lambda) / h
            data_term = x0 + 0.5 * (x0 - previous_x0) / r
        x = (sigma_t / sigma_s) * x - alpha_t * math.expm1(-h) * data_term
        previous_x0, previous_lambda = x0, lambda_s
    return x
