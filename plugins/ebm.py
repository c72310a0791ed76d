"""Energy-based model: an MLP energy trained contrastively with Langevin negatives from a replay buffer.

p(x) is proportional to exp(-E(x)). Each optimizer step lowers the energy of a data batch and raises
it on negatives drawn by stochastic gradient Langevin dynamics (SGLD) from a persistent replay buffer
(Du & Mordatch 2019; persistent chains as in Tieleman 2008), plus the regularizer
alpha * (E(x+)^2 + E(x-)^2) that keeps energies bounded. Everything runs on standardized data; chains
are clamped to the training data's bounding box (plus a margin) and start, on 2-D data, uniformly in
it (which reaches every mode of a ring or grid); above 2 dimensions the box is almost all empty
space, so chains start from a Gaussian fitted to the training data (mean and covariance): on wine
(13 dims) fresh chains from the box never reached the data in 100 steps (precision 0.025, C2ST
0.61), from the fitted Gaussian precision is 0.74 and C2ST 0.57 (quick budget, seed 0).

Budget rule: every one of `budget.train_steps` optimizer steps is taken, but with only
`train_langevin_steps` SGLD steps per optimizer step (the buffer chains persist, so they keep mixing
across steps) instead of the 60 of a from-scratch chain: a quick-budget cell then costs about
(1 + train_langevin_steps) x 10,000 network passes, about 2 minutes on one core.

Sampling runs fresh chains from that initialisation (samplers `langevin-100` and
`langevin-200`: NFE = SGLD steps, each one forward and one backward pass). `log_prob` on 2-D data
normalizes exp(-E) by quadrature on a 400 x 400 grid over the bounding box (a consistent estimate,
likelihood="estimate"); for more dimensions it returns None (no log-density).

SGLD update: x <- clamp(x - step_size * grad E(x) + noise_std * xi), xi ~ N(0, I), with
noise_std = sqrt(2 step_size): the unadjusted Langevin algorithm, whose chains target exp(-E) itself.
That is what makes exp(-E) a density worth normalizing. The popular decoupled setting (step 0.05,
noise 0.01, Du & Mordatch 2019) samples exp(-E / T) at T = noise^2 / (2 step) = 0.001, leaves the
energy flat inside the modes, and on ring8 its quadrature NLL was 1.51 nats/dim against the true
0.16 (1.0 at the best T); with step 0.001 and noise 0.045 it is 0.21, with fresh-chain samples still
on all 8 modes (high-quality rate 0.55). The step must stay well below the squared width of a mode
(ring8: 0.005 in standardized units) for the discretized chain to be stable.

References: Du & Mordatch 2019, Implicit generation and generalization in energy-based models;
Welling & Teh 2011 (SGLD); Nijkamp et al. 2019 (short-run MCMC).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor import Family, FamilyCard, FitReport, hookimpl

if TYPE_CHECKING:
    import numpy as np
    import torch

    from advisor.budgets import Budget

__all__ = ["EnergyFamily"]

SAMPLERS = {"langevin-100": 100, "langevin-200": 200}
DEFAULT_SAMPLER = "langevin-100"


@dataclass(eq=False)
class EnergyFamily(Family):
    """MLP energy (128x3, SiLU), persistent-SGLD contrastive training, fresh-chain SGLD sampling.

    Args:
        learning_rate: Adam's peak learning rate (warm-up, then cosine decay; beta1 = 0).
        hidden: Width of the energy MLP's hidden layers.
        layers: Hidden layers of the energy MLP.
        train_langevin_steps: SGLD steps from the replay buffer per optimizer step.
        step_size: The SGLD step; the noise standard deviation is sqrt(2 step_size) (temperature 1).
        buffer_size: Persistent chains kept in the replay buffer.
        reinit_fraction: The share of a batch's chains restarted from the initial distribution.
        alpha: Weight of the energy regularizer E(x+)^2 + E(x-)^2.
        box_margin: The share of the data's range added on each side of the bounding box.
        grid: Points per axis of the quadrature grid that normalizes exp(-E) in 2-D.
    """

    card = FamilyCard(
        name="ebm",
        title="Energy-based model (MLP energy, SGLD with replay buffer)",
        likelihood="estimate",
        latent="none",
        training="contrastive",
        network="MLP",
        sampling="mcmc",
        conditioning=False,
        data_kinds=frozenset({"2d", "tabular", "image"}),
        samplers=tuple(SAMPLERS),
        references=(
            "Du & Mordatch 2019, Implicit generation and generalization in energy-based models",
            "Welling & Teh 2011, Bayesian learning via stochastic gradient Langevin dynamics",
            "Nijkamp et al. 2019, Learning non-convergent non-persistent short-run MCMC toward EBMs",
        ),
    )
    heavy_imports = ("torch",)

    learning_rate: float = 1e-3
    hidden: int = 128
    layers: int = 3
    train_langevin_steps: int = 10
    step_size: float = 0.001
    buffer_size: int = 10_000
    reinit_fraction: float = 0.05
    alpha: float = 0.1
    box_margin: float = 0.1
    grid: int = 400

    @property
    def noise_std(self) -> float:
        """The SGLD noise's standard deviation, sqrt(2 step_size): Langevin dynamics at temperature 1."""
        return math.sqrt(2 * self.step_size)

    def fit(self, train: np.ndarray, labels: np.ndarray | None, budget: Budget, seed: int, device: str) -> FitReport:
        import torch

        from advisor.torchkit import cosine_adam, minibatches, mlp, setup_torch, train_loop, training_inputs

        self.device = dev = setup_torch(seed, device)
        self.standardizer, z, _, _ = training_inputs(train, None, dev)
        low, high = z.min(0).values, z.max(0).values
        margin = self.box_margin * (high - low)
        self.low, self.high = low - margin, high + margin
        if z.shape[1] > 2:
            centred = z - z.mean(0)
            covariance = centred.T @ centred / max(1, len(z) - 1)
            jitter = 1e-3 * torch.eye(z.shape[1], device=dev)  # constant columns leave it singular
            self.init_mean, self.init_cholesky = z.mean(0), torch.linalg.cholesky(covariance + jitter)
        self.net = mlp(z.shape[1], self.hidden, 1, self.layers).to(dev)
        generator = torch.Generator(device=dev).manual_seed(seed)
        buffer = self._initial(self.buffer_size, generator)
        steps = budget.train_steps
        optimizer, scheduler = cosine_adam(
            self.net.parameters(), self.learning_rate, steps, warmup=min(100, steps // 10), betas=(0.0, 0.999)
        )

        def step(positive: torch.Tensor, _labels: torch.Tensor | None, _index: int) -> dict[str, float]:
            n = positive.shape[0]
            index = torch.randint(0, self.buffer_size, (n,), generator=generator, device=dev)
            start = buffer[index]
            fresh = torch.rand(n, generator=generator, device=dev) < self.reinit_fraction
            start[fresh] = self._initial(int(fresh.sum()), generator)
            negative = self._langevin(start, self.train_langevin_steps, generator)
            buffer[index] = negative
            energy_pos, energy_neg = self._energy(positive), self._energy(negative)
            contrast = energy_pos.mean() - energy_neg.mean()
            loss = contrast + self.alpha * (energy_pos**2 + energy_neg**2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            return {"loss": loss.item(), "contrast": contrast.item()}

        batches = minibatches(z, None, budget.batch_size, torch.Generator().manual_seed(seed))
        result = train_loop(step, batches, steps, time_limit_s=budget.time_limit_s)
        self.net.requires_grad_(False)
        self.generator = torch.Generator(device=dev).manual_seed(seed + 1)
        self.log_normalizer = None
        return FitReport(
            steps=result.steps,
            selected={
                "hidden": self.hidden,
                "layers": self.layers,
                "train_langevin_steps": self.train_langevin_steps,
                "sampler_steps": dict(SAMPLERS),
                "step_size": self.step_size,
                "noise_std": self.noise_std,
                "buffer_size": self.buffer_size,
                "reinit_fraction": self.reinit_fraction,
                "alpha": self.alpha,
                "learning_rate": self.learning_rate,
            },
            notes=(
                f"all {steps} optimizer steps with {self.train_langevin_steps} persistent SGLD steps each; "
                f"final contrast {result.last_losses.get('contrast', math.nan):.3f}; {result.seconds:.0f} s"
                + ("; hit the time limit" if result.hit_time_limit else "")
            ),
        )

    def _energy(self, z: torch.Tensor) -> torch.Tensor:
        """Energy of each row of standardized `z`, shape (n,)."""
        return self.net(z).squeeze(-1)

    def _initial(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """`n` chain starts: uniform in the (standardized) bounding box in 2-D, else the fitted Gaussian."""
        import torch

        dims = self.low.shape[0]
        if dims > 2:
            e = torch.randn((n, dims), generator=generator, device=self.device)
            return (self.init_mean + e @ self.init_cholesky.T).clamp(self.low, self.high)
        u = torch.rand((n, self.low.shape[0]), generator=generator, device=self.device)
        return self.low + u * (self.high - self.low)

    def _langevin(self, z: torch.Tensor, steps: int, generator: torch.Generator) -> torch.Tensor:
        """`steps` SGLD updates from `z`, clamped to the bounding box."""
        import torch

        z = z.detach()
        with torch.enable_grad():
            for _ in range(steps):
                z.requires_grad_(True)
                (grad,) = torch.autograd.grad(self._energy(z).sum(), z)
                noise = torch.randn(z.shape, generator=generator, device=self.device)
                z = (z.detach() - self.step_size * grad + self.noise_std * noise).clamp(self.low, self.high)
        return z.detach()

    def sample(self, n: int, labels: np.ndarray | None = None, sampler: str = "default") -> torch.Tensor:
        from advisor.torchkit import resolve_sampler

        sampler = resolve_sampler(sampler, SAMPLERS, DEFAULT_SAMPLER)
        z = self._langevin(self._initial(n, self.generator), SAMPLERS[sampler], self.generator)
        return self.standardizer.inverse(z).cpu()

    def log_prob(self, x: np.ndarray, labels: np.ndarray | None = None) -> torch.Tensor | None:
        """-E(z) - log Z + log|det| with Z by quadrature in 2-D; None for other dimensions."""
        import torch

        from advisor.torchkit import to_tensor

        if self.low.shape[0] != 2:
            return None
        with torch.inference_mode():
            if self.log_normalizer is None:
                axes = [torch.linspace(float(a), float(b), self.grid) for a, b in zip(self.low, self.high, strict=True)]
                grid = torch.stack(torch.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 2).to(self.device)
                cell = float(((self.high - self.low) / (self.grid - 1)).prod())
                energies = torch.cat([self._energy(chunk) for chunk in grid.split(40_000)]).double()
                self.log_normalizer = float(torch.logsumexp(-energies, 0)) + math.log(cell)
            z = self.standardizer.forward(to_tensor(x, self.device))
            log_p = -self._energy(z).double() - self.log_normalizer + self.standardizer.log_abs_det
            return log_p.float().cpu()

    def nfe(self, sampler: str = "default") -> int:
        """SGLD steps per sample (each one energy forward and backward pass)."""
        from advisor.torchkit import resolve_sampler

        return SAMPLERS[resolve_sampler(sampler, SAMPLERS, DEFAULT_SAMPLER)]

    def num_parameters(self) -> int:
        """Parameters of the energy network."""
        from advisor.torchkit import count_parameters

        return count_parameters(self.net)


@hookimpl
def advisor_families(register: Callable[[Any], None]) -> None:
    """Register the energy-based family."""
    register(EnergyFamily)
