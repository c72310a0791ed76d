"""Denoising diffusion (DDPM) with an MLP noise predictor and classifier-free guidance.

Training is the simplified noise-prediction loss of Ho et al. 2020 with T = 1000 linear betas on
standardized data; sampling uses an exponential moving average of the weights (0.999, warmed up).
Three samplers, each evaluated as its own run: ancestral DDPM through all 1000 steps, deterministic
DDIM with 50 trailing steps, and DPM-Solver++(2M) with 20 steps (see `_diffusion_samplers`).

Class conditioning: labels are replaced by a null label with probability `label_dropout` during
training, so one network gives both the conditional and the unconditional noise; a conditional sample
uses eps = eps_null + w (eps_label - eps_null) (Ho & Salimans 2022). The default w = 1 samples the
learned conditional p(x | y) itself, in one network pass per step; w > 1 trades diversity for class
fidelity at two passes per step. Unconditional samples (`sample(n, None)`) of a model fit with labels
draw the labels from the training label frequencies and sample p(x | y) (ancestral sampling of
sum_y p(y) p(x | y)); `unconditional="null"` uses the null label instead. The null-label network
sees only `label_dropout` of the training batches, so the label prior is the default.

Training keeps the EMA weights with the lowest noise-prediction loss on a held-out tenth of the
training rows (fixed timesteps and noise; conditional plus null-label loss when labelled), scored
and stopped on the shared schedule (`stopping_schedule`: a score per epoch, at least every 10 steps;
patience at least 1,000 steps) once the latest is 0.01 above the best: on 142 rows of wine, 10,000 steps memorized the
training set (test bound 14.1 nats/dim, recall 0.06); the held-out choice (step 1,000) gives 2.15 and
0.69. A plateau does not stop training (`overfit_margin`): grid25 still trains to its sharp modes.

Every sampler clamps the predicted x0 to the training rows' range per feature, widened by
`clip_margin` = 0.5 standard deviations, as diffusers' `clip_sample` does with a symmetric range. On
wine (142 training rows) the deterministic few-step samplers otherwise put 20-25% of their rows more
than one standard deviation outside the training range in some column (DDPM-1000: 1-2%): their
precision rises from 0.69-0.76 to 0.86-0.90 with the clamp (quick budget, seeds 0 and 1), while
13% of their rows then touch the bound in at least one of the 13 columns. The clamp hides the
denoiser's error at high noise rather than removing it; the stochastic DDPM sampler corrects it.

`log_prob` is the discrete-time variational bound of Ho et al. 2020 (eq. 5) for the (unclamped) DDPM-1000 model
with the posterior variance beta-tilde and a Gaussian decoder N(x0; mu_theta(x_1, 1), beta_1):
L_T (closed form) + L_0 + sum_{t=2}^{T} L_{t-1}. The 999-term sum is estimated by systematic sampling
(every 9th timestep from a random offset per example, weighted by 9), which is unbiased; it is the
unconditional (null-label) bound, so it is comparable with unconditional families.

References: Ho, Jain & Abbeel 2020; Song, Meng & Ermon 2021; Lu et al. 2022; Ho & Salimans 2022.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from advisor import Family, FamilyCard, FitReport, hookimpl

if TYPE_CHECKING:
    import numpy as np
    import torch

    from advisor.budgets import Budget

__all__ = ["DiffusionFamily"]

TIMESTEPS = 1000  # the length of the noise schedule, which the card's "ddpm-1000" sampler walks
SAMPLER_STEPS = {"ddpm-1000": TIMESTEPS, "ddim-50": 50, "dpm-solver-20": 20}
DEFAULT_SAMPLER = "ddim-50"


@dataclass(eq=False)
class DiffusionFamily(Family):
    """DDPM noise prediction with an MLP (128x3 on Fourier features; 256x3 above 16 dims), EMA and CFG.

    Args:
        guidance_scale: Classifier-free guidance weight w; 1 samples p(x | y) in one pass per step.
        label_dropout: The share of training labels replaced by the null label.
        unconditional: How an unconditional sample of a labelled model is drawn: "label-prior"
            (labels from the training frequencies) or "null" (the null label).
        learning_rate: Adam's peak learning rate (warm-up, then cosine decay).
        ema_decay: Decay of the moving average of the weights that samples are drawn from.
        layers: Hidden layers of the noise MLP.
        fourier_dim: Fourier features per coordinate, for data of at most `fourier_max_dims` dimensions.
        fourier_max_dims: The most dimensions that get Fourier features.
        validation_fraction: The seeded share of the training rows held out to keep the best weights.
        validation_draws: (row, timestep, noise) triples the held-out loss averages over.
        max_validations: the most times a run scores its held-out loss (each score averages
            `validation_draws` draws: scored once per epoch on a small table, it cost more than training).
        overfit_margin: Held-out MSE (unit-variance noise) above the best before training stops.
        elbo_stride: Timestep stride of the bound's systematic sample; it must divide T - 1 = 999
            (9: 111 network evaluations per example).
        clip_margin: Every sampler clamps its predicted x0 to the training rows' range per feature,
            widened by this many of the feature's standard deviations (None: no clamping).
    """

    card = FamilyCard(
        name="diffusion",
        title="Denoising diffusion (DDPM, MLP, classifier-free guidance)",
        likelihood="bound",
        latent="implicit",
        training="score",
        network="MLP",
        sampling="iterative",
        conditioning=True,
        data_kinds=frozenset({"2d", "tabular", "image"}),
        samplers=tuple(SAMPLER_STEPS),
        references=(
            "Ho, Jain & Abbeel 2020, Denoising diffusion probabilistic models",
            "Song, Meng & Ermon 2021, Denoising diffusion implicit models",
            "Lu et al. 2022, DPM-Solver++: fast solver for guided sampling of diffusion probabilistic models",
            "Ho & Salimans 2022, Classifier-free diffusion guidance",
        ),
    )
    heavy_imports = ("torch",)

    guidance_scale: float = 1.0
    label_dropout: float = 0.15
    unconditional: Literal["label-prior", "null"] = "label-prior"
    learning_rate: float = 1e-3
    ema_decay: float = 0.999
    layers: int = 3
    fourier_dim: int = 32
    fourier_max_dims: int = 16
    validation_fraction: float = 0.1
    validation_draws: int = 8192
    max_validations: int = 50
    overfit_margin: float = 0.01
    elbo_stride: int = 9
    clip_margin: float | None = 0.5

    def fit(self, train: np.ndarray, labels: np.ndarray | None, budget: Budget, seed: int, device: str) -> FitReport:
        import torch

        from advisor.torchkit import (
            EMA,
            checkpoint_notes,
            cosine_adam,
            forward_noise,
            holdout_pairs,
            minibatches,
            setup_torch,
            stopping_schedule,
            train_loop,
            training_inputs,
        )
        from advisor_plugins._diffusion_nets import NoiseMLP
        from advisor_plugins._diffusion_samplers import LinearSchedule

        self.device = dev = setup_torch(seed, device)
        self.seed, self.dims = seed, train.shape[1]
        self.standardizer, z, self.prior, y = training_inputs(train, labels, dev)
        classes = 0 if self.prior is None else self.prior.num_classes
        small = self.dims <= self.fourier_max_dims
        hidden = 128 if small else 256
        fourier_dim = self.fourier_dim if small else 0
        net = NoiseMLP(self.dims, hidden, self.layers, classes, fourier_dim=fourier_dim).to(dev)
        ema = EMA(net, self.ema_decay)
        self.schedule = LinearSchedule(TIMESTEPS)
        alpha_bar = self.schedule.alphas_cumprod.to(dev, torch.float32)
        steps = budget.train_steps
        optimizer, scheduler = cosine_adam(net.parameters(), self.learning_rate, steps, warmup=min(100, steps // 10))
        generator = torch.Generator(device=dev).manual_seed(seed)
        self.null_label = null = net.null_label

        def step(x0: torch.Tensor, y0: torch.Tensor | None, index: int) -> dict[str, float]:
            n = x0.shape[0]
            t = torch.randint(0, TIMESTEPS, (n,), generator=generator, device=dev)
            eps = torch.randn(x0.shape, generator=generator, device=dev)
            xt = forward_noise(x0, t, eps, alpha_bar)
            cond = torch.full((n,), null, device=dev) if y0 is None else y0.clone()
            cond[torch.rand(n, generator=generator, device=dev) < self.label_dropout] = null
            loss = ((net(xt, t, cond) - eps) ** 2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            ema.decay = min(self.ema_decay, (1.0 + index) / (10.0 + index))  # EMA warm-up
            ema.update(net)
            return {"loss": loss.item()}

        (z_fit, y_fit), (z_val, y_val) = holdout_pairs(z, y, self.validation_fraction, seed)
        validate = _held_out_loss(ema.module, z_val, y_val, alpha_bar, null, seed, self.validation_draws)
        stopping = stopping_schedule(steps, len(z_fit), budget.batch_size, max_scores=self.max_validations)
        batches = minibatches(z_fit, y_fit, budget.batch_size, torch.Generator().manual_seed(seed))
        result = train_loop(
            step,
            batches,
            steps,
            time_limit_s=budget.time_limit_s,
            validate=validate,
            validate_every=stopping.every,
            patience=stopping.patience,
            min_worsening=self.overfit_margin,
            checkpoint=ema.module,
        )
        self.net = ema.module
        self.x0_bounds = (
            None
            if self.clip_margin is None
            else (z.min(0).values - self.clip_margin, z.max(0).values + self.clip_margin)
        )  # standardized: the margin is in feature standard deviations
        self.generator = torch.Generator(device=dev).manual_seed(seed + 1)
        self.label_generator = torch.Generator().manual_seed(seed + 3)
        return FitReport(
            steps=result.steps,
            selected={
                "hidden": hidden,
                "layers": self.layers,
                "fourier_features": fourier_dim,
                "timesteps": TIMESTEPS,
                "learning_rate": self.learning_rate,
                "ema_decay": self.ema_decay,
                "label_dropout": self.label_dropout if classes else 0.0,
                "guidance_scale": self.guidance_scale,
                "unconditional": self.unconditional if classes else "unconditional model",
                "classes": classes,
                "clip_margin": self.clip_margin,
            },
            notes=(
                f"{checkpoint_notes(result, 'held-out denoising loss')}; "
                f"final training loss {result.last_losses.get('loss', math.nan):.4f}; {result.seconds:.0f} s"
            ),
        )

    def _eps_fn(self, y: torch.Tensor | None, n: int) -> Callable[[torch.Tensor, int], torch.Tensor]:
        """Guided noise prediction for class indices `y` (None: the null label, one pass per step)."""
        import torch

        null = torch.full((n,), self.null_label, dtype=torch.long, device=self.device)
        w = self.guidance_scale
        if y is None or w == 0.0:
            y, two_pass = null, False
        else:
            two_pass = w != 1.0

        def eps_fn(x: torch.Tensor, t: int) -> torch.Tensor:
            steps = torch.full((n,), t, dtype=torch.long, device=self.device)
            if not two_pass:
                return self.net(x, steps, y)
            cond, uncond = self.net(torch.cat([x, x]), torch.cat([steps, steps]), torch.cat([y, null])).chunk(2)
            return uncond + w * (cond - uncond)

        return eps_fn

    def sample(self, n: int, labels: np.ndarray | None = None, sampler: str = "default") -> torch.Tensor:
        import torch

        from advisor.torchkit import resolve_sampler, sampling_indices
        from advisor_plugins._diffusion_samplers import ddim, ddpm, dpm_solver_pp_2m

        sampler = resolve_sampler(sampler, SAMPLER_STEPS, DEFAULT_SAMPLER)
        if labels is None and self.unconditional == "null":
            y = None
        else:
            y = sampling_indices(self.prior, labels, n, self.label_generator)
        eps_fn = self._eps_fn(y, n)
        with torch.inference_mode():
            x = torch.randn((n, self.dims), generator=self.generator, device=self.device)
            if sampler == "ddpm-1000":
                z = ddpm(eps_fn, x, self.schedule, self.generator, self.x0_bounds)
            elif sampler == "ddim-50":
                z = ddim(eps_fn, x, self.schedule, SAMPLER_STEPS[sampler], self.x0_bounds)
            else:
                z = dpm_solver_pp_2m(eps_fn, x, self.schedule, SAMPLER_STEPS[sampler], self.x0_bounds)
            return self.standardizer.inverse(z).float().cpu()

    def log_prob(self, x: np.ndarray, labels: np.ndarray | None = None) -> torch.Tensor:
        """Unconditional variational lower bound on log p(x) in nats (see the module docstring)."""
        import torch

        from advisor.torchkit import forward_noise, to_tensor

        generator = torch.Generator(device=self.device).manual_seed(self.seed + 2)
        z = self.standardizer.forward(to_tensor(x, self.device))
        n, d = z.shape
        betas, alpha_bar = self.schedule.betas, self.schedule.alphas_cumprod
        alpha_bar32 = alpha_bar.to(self.device, torch.float32)
        null = torch.full((n,), self.null_label, dtype=torch.long, device=self.device)
        with torch.inference_mode():

            def squared_error(t: torch.Tensor) -> torch.Tensor:
                eps = torch.randn(z.shape, generator=generator, device=self.device)
                prediction = self.net(forward_noise(z, t, eps, alpha_bar32), t, null)
                return ((prediction - eps) ** 2).sum(-1).double()

            a_last = float(alpha_bar[-1])
            prior = 0.5 * (a_last * (z.double() ** 2).sum(-1) - d * a_last - d * math.log(1.0 - a_last))
            beta_1 = float(betas[0])
            decoder = 0.5 * d * math.log(2 * math.pi * beta_1) + squared_error(
                torch.zeros(n, dtype=torch.long, device=self.device)
            ) / (2.0 * (1.0 - beta_1))
            # KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) = beta_t / (2 alpha_t (1 - abar_{t-1})) |eps - eps_th|^2
            weight = (betas[1:] / (2.0 * (1.0 - betas[1:]) * (1.0 - alpha_bar[:-1]))).to(self.device)
            offset = torch.randint(0, self.elbo_stride, (n,), generator=generator, device=self.device)
            diffusion = torch.zeros(n, dtype=torch.float64, device=self.device)
            for k in range(0, TIMESTEPS - 1, self.elbo_stride):
                t = 1 + k + offset  # code timestep 1..T-1, i.e. the paper's t = 2..T
                diffusion += self.elbo_stride * weight[t - 1] * squared_error(t)
            return (-(prior + decoder + diffusion) + self.standardizer.log_abs_det).float().cpu()

    def nfe(self, sampler: str = "default") -> int:
        """Network passes per sample: the sampler's steps, doubled when guidance needs two passes.

        Guidance applies to class-conditional samples (also to unconditional ones with the label prior).
        """
        from advisor.torchkit import resolve_sampler

        steps = SAMPLER_STEPS[resolve_sampler(sampler, SAMPLER_STEPS, DEFAULT_SAMPLER)]
        two_pass = getattr(self, "prior", None) is not None and self.guidance_scale not in (0.0, 1.0)
        return steps * (2 if two_pass else 1)

    def num_parameters(self) -> int:
        """Trainable parameters of the noise network (the EMA copy has the same count)."""
        from advisor.torchkit import count_parameters

        return count_parameters(self.net)


def _held_out_loss(
    net: torch.nn.Module,
    z: torch.Tensor,
    labels: torch.Tensor | None,
    alpha_bar: torch.Tensor,
    null: int,
    seed: int,
    validation_draws: int,
) -> Callable[[], float]:
    """The mean noise-prediction error of `net` on held-out rows `z`, at fixed timesteps and noise.

    About `validation_draws` (row, timestep, noise) triples: every row, at as many timesteps.
    Labelled data score both the conditional and the null-label prediction (the samplers use the
    first, the likelihood bound the second).
    """
    import torch

    from advisor.torchkit import forward_noise

    draws = max(1, validation_draws // len(z))
    generator = torch.Generator(device=z.device).manual_seed(seed + 7)
    x0 = z.repeat(draws, 1)
    t = torch.randint(0, TIMESTEPS, (len(x0),), generator=generator, device=z.device)
    eps = torch.randn(x0.shape, generator=generator, device=z.device)
    xt = forward_noise(x0, t, eps, alpha_bar)
    nulls = torch.full((len(x0),), null, device=z.device)
    conditions = [nulls] if labels is None else [labels.repeat(draws), nulls]

    def validate() -> float:
        with torch.no_grad():
            loss = sum(((net(xt, t, y) - eps) ** 2).mean().item() for y in conditions)
        return loss if math.isfinite(loss) else math.inf

    return validate


@hookimpl
def advisor_families(register: Callable[[Any], None]) -> None:
    """Register the diffusion family."""
    register(DiffusionFamily)
