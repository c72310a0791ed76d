"""Autoregressive density model: a MADE network giving each conditional p(x_d | x_<d) in one pass.

The chain rule gives the exact likelihood in one network evaluation; sampling is truly sequential,
one evaluation per dimension (NFE = dims: 64 on digits). Each conditional is

- continuous data: a mixture of `components` Gaussians (a mixture density network) in standardized
  space; the standardizer's log-Jacobian brings densities back to data space;
- dequantized integer data (such as digits: level v given as v + U[0, 1)): a categorical over the
  levels. The density of x is then P(floor(x)) (the uniform dequantization density is 1 on each unit
  bin) and samples are a drawn level plus uniform noise, in the same space as the data.

Discreteness is detected from the training array alone (`looks_dequantized`): every floor(x) is a
non-negative integer below `max_levels`, each column takes at most `max_column_levels` of them, and
the fractional parts are spread evenly over [0, 1) (each tenth holds 10% +- 3% of them, on >= 1,000
values). Pass `discrete=True/False` to the constructor to override it.

With labels the model is class-conditional: the one-hot label enters the first layer unmasked and
also feeds the outputs through a one-hidden-layer MLP (MADE's first output block sees no hidden
unit, and a plain linear map from the label learns the label-to-mode routing too slowly), and
`log_prob` returns the marginal log p(x) over the training label frequencies.

References: Germain, Gregor, Murray & Larochelle 2015, MADE; Bishop 1994, Mixture Density Networks;
Uria, Murray & Larochelle 2013, RNADE; Theis, van den Oord & Bethge 2016 (dequantization).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor import Family, FamilyCard, FitReport, hookimpl

if TYPE_CHECKING:
    import numpy as np
    import torch

    from advisor.budgets import Budget

__all__ = ["AutoregressiveFamily", "looks_dequantized"]


def looks_dequantized(x: np.ndarray, max_levels: int = 256, max_column_levels: int = 32) -> bool:
    """True when `x` looks like non-negative integer levels plus U[0, 1) noise (see the module docstring).

    Levels must lie below `max_levels`, and no column may take more than `max_column_levels` of them.
    """
    import numpy as np

    levels = np.floor(x)
    if x.size < 1000 or levels.min() < 0 or levels.max() >= max_levels:
        return False
    if max(len(np.unique(column)) for column in levels.T) > max_column_levels:
        return False
    tenths = np.histogram(x - levels, bins=10, range=(0.0, 1.0))[0] / x.size
    return bool(np.all(np.abs(tenths - 0.1) < 0.03))


@dataclass(eq=False)
class AutoregressiveFamily(Family):
    """MADE with mixture-of-Gaussians (continuous) or categorical (dequantized levels) conditionals.

    The hidden width follows the data: 64 up to 4 dimensions, else 4 per dimension within [128, 512].

    Args:
        discrete: Categorical conditionals over integer levels (True) or Gaussian mixtures (False);
            None detects it from the training data (`looks_dequantized`).
        components: Gaussians per mixture conditional.
        layers: Hidden layers of the MADE network.
        learning_rate: Adam's peak learning rate (cosine decay).
        validation_fraction: The seeded share of the training rows held out to keep the best weights.
        log_scale_range: The interval the mixture components' log scales are clamped to.
    """

    card = FamilyCard(
        name="autoregressive",
        title="Autoregressive MADE (Gaussian mixture or categorical conditionals)",
        likelihood="exact",
        latent="none",
        training="mle",
        network="masked MLP (MADE)",
        sampling="sequential",
        conditioning=True,
        data_kinds=frozenset({"2d", "tabular", "image"}),
        references=(
            "Germain et al. 2015, MADE: Masked Autoencoder for Distribution Estimation",
            "Bishop 1994, Mixture Density Networks",
        ),
    )
    heavy_imports = ("torch",)

    discrete: bool | None = None
    components: int = 20
    layers: int = 2
    learning_rate: float = 3e-3
    validation_fraction: float = 0.1
    log_scale_range: tuple[float, float] = (-7.0, 3.0)

    def fit(self, train: np.ndarray, labels: np.ndarray | None, budget: Budget, seed: int, device: str) -> FitReport:
        import math

        import numpy as np
        import torch
        from torch import nn

        from advisor.torchkit import (
            LabelPrior,
            MaskedLinear,
            Standardizer,
            fit_max_likelihood,
            holdout_pairs,
            label_context,
            made_masks,
            max_likelihood_report,
            mlp,
            setup_torch,
            to_tensor,
        )

        self.device = setup_torch(seed, device)
        self.dims = train.shape[1]
        self.categorical = looks_dequantized(train) if self.discrete is None else self.discrete
        # Model space: integer levels for discrete data, standardized values otherwise.
        values = to_tensor(np.floor(train) if self.categorical else train, self.device)
        self.levels = int(values.max().item()) + 1 if self.categorical else 0
        # Network inputs are standardized levels. A column (nearly) constant in training must not
        # blow a test value one level away up to ~1e6 input units: the scale is at least one level.
        self.standardizer = Standardizer(values, min_std=1.0) if self.categorical else Standardizer(values)
        self.prior = None if labels is None else LabelPrior(labels, self.device)
        context = label_context(self.prior, labels)
        model_space = values if self.categorical else self.standardizer.forward(values)
        pairs = holdout_pairs(model_space, context, self.validation_fraction, seed)
        self.outputs = self.levels if self.categorical else 3 * self.components
        width = 64 if self.dims <= 4 else min(512, max(128, 4 * self.dims))
        masks = made_masks(self.dims, width, self.layers, self.outputs)
        classes = 0 if self.prior is None else self.prior.num_classes
        masks[0] = torch.cat([masks[0], torch.ones(width, classes)], dim=1)  # labels reach every hidden unit
        layers: list[nn.Module] = []
        for mask in masks:
            layers += [MaskedLinear(mask), nn.SiLU()]
        self.net = nn.ModuleDict({"made": nn.Sequential(*layers[:-1])})
        if not self.categorical:
            # Start each conditional as a broad mixture: means spread over [-2, 2], scales 4 / components.
            # From the default (all components at 0 with scale 1) the mixture needs thousands of steps to
            # separate; from here it resolves the toy modes within a few hundred.
            with torch.no_grad():
                last = layers[-2]
                last.weight.mul_(0.1)
                bias = last.bias.view(self.dims, 3, self.components)
                bias[:, 0] = 0.0
                bias[:, 1] = torch.linspace(-2.0, 2.0, self.components)
                bias[:, 2] = math.log(4.0 / self.components)
        if classes:
            self.net["label_out"] = mlp(classes, width, self.dims * self.outputs, layers=1)
        self.net.to(self.device)
        self.generator = torch.Generator().manual_seed(seed)
        result = fit_max_likelihood(
            self.net, self._log_prob_model, *pairs, budget, learning_rate=self.learning_rate, generator=self.generator
        )
        return max_likelihood_report(
            result,
            {
                "conditionals": f"categorical over {self.levels} levels" if self.categorical else "gaussian mixture",
                "components": None if self.categorical else self.components,
                "hidden": [width] * self.layers,
                "learning_rate": self.learning_rate,
                "conditional": self.prior is not None,
            },
        )

    def _params(self, v: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        """Conditional parameters (n, dims, outputs) of every dimension given `v` in model space."""
        import torch

        inputs = self.standardizer.forward(v) if self.categorical else v
        if context is None:
            out = self.net["made"](inputs)
        else:
            out = self.net["made"](torch.cat([inputs, context], dim=1)) + self.net["label_out"](context)
        return out.view(len(v), self.dims, self.outputs)

    def _mixture(self, params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(log weights, means, log scales), each (..., components), from the mixture outputs."""
        logits, means, log_scales = params.split(self.components, dim=-1)
        return logits.log_softmax(-1), means, log_scales.clamp(*self.log_scale_range)

    def _log_prob_model(self, v: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        """Chain-rule log-probability (n,) of `v` in model space (levels, or standardized values)."""
        import math

        params = self._params(v, context)
        if self.categorical:
            index = v.long().clamp(0, self.levels - 1)  # a level never seen in training gets the edge's mass
            return params.log_softmax(-1).gather(-1, index[..., None]).squeeze(-1).sum(-1)
        log_w, means, log_scales = self._mixture(params)
        z = (v[..., None] - means) * (-log_scales).exp()
        log_normal = -0.5 * z**2 - log_scales - 0.5 * math.log(2 * math.pi)
        return (log_w + log_normal).logsumexp(-1).sum(-1)

    def sample(self, n: int, labels: np.ndarray | None = None, sampler: str = "default") -> torch.Tensor:
        import torch

        from advisor.torchkit import sampling_context

        context = sampling_context(self.prior, labels, n, self.generator)
        v = torch.zeros(n, self.dims, device=self.device)
        noise = torch.rand if self.categorical else torch.randn
        with torch.no_grad():
            for d in range(self.dims):  # one network evaluation per dimension
                params = self._params(v, context)[:, d]
                if self.categorical:
                    v[:, d] = torch.multinomial(params.softmax(-1).cpu(), 1, generator=self.generator)[:, 0].float()
                    continue
                log_w, means, log_scales = self._mixture(params)
                k = torch.multinomial(log_w.exp().cpu(), 1, generator=self.generator).to(self.device)
                eps = noise(n, generator=self.generator).to(self.device)
                v[:, d] = means.gather(-1, k)[:, 0] + log_scales.gather(-1, k)[:, 0].exp() * eps
        if self.categorical:
            return (v + noise(n, self.dims, generator=self.generator).to(self.device)).cpu()
        return self.standardizer.inverse(v).cpu()

    def log_prob(self, x: np.ndarray, labels: np.ndarray | None = None) -> torch.Tensor:
        """Marginal log p(x) in data space; with a conditional model, summed over the label prior."""
        import numpy as np

        from advisor.torchkit import batched, marginal_log_prob, to_tensor

        v = to_tensor(np.floor(x) if self.categorical else x, self.device)
        v = v if self.categorical else self.standardizer.forward(v)
        log_p = marginal_log_prob(lambda c: batched(self._log_prob_model, v, c), self.prior, len(v))
        return (log_p if self.categorical else log_p + self.standardizer.log_abs_det).cpu()

    def nfe(self, sampler: str = "default") -> int:
        """One network evaluation per dimension."""
        return self.dims

    def num_parameters(self) -> int:
        """Free weights of the network (masked-out MADE connections do not count)."""
        from advisor.torchkit import count_parameters

        return count_parameters(self.net)


@hookimpl
def advisor_families(register: Callable[[Any], None]) -> None:
    """Register the autoregressive family."""
    register(AutoregressiveFamily)
