"""Network building blocks shared by the neural families."""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["mlp", "SinusoidalEmbedding", "MaskedLinear", "made_masks", "count_parameters"]


def mlp(
    inputs: int, hidden: int, outputs: int, layers: int, activation: type[nn.Module] = nn.SiLU, **linear_kwargs
) -> nn.Sequential:
    """A multilayer perceptron with `layers` hidden layers of width `hidden`."""
    sizes = [inputs] + [hidden] * layers
    modules: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        modules += [nn.Linear(a, b, **linear_kwargs), activation()]
    modules.append(nn.Linear(sizes[-1], outputs, **linear_kwargs))
    return nn.Sequential(*modules)


class SinusoidalEmbedding(nn.Module):
    """Transformer-style sinusoidal embedding of a scalar (e.g. a diffusion timestep), Vaswani et al. 2017."""

    def __init__(self, dim: int, max_period: float = 10_000.0) -> None:
        super().__init__()
        half = dim // 2
        frequencies = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("frequencies", frequencies, persistent=False)

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        """Embed `t` of shape (n,) into (n, dim)."""
        angles = t.float()[:, None] * self.frequencies[None, :]
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


class MaskedLinear(nn.Linear):
    """A linear layer whose weight is multiplied by a fixed 0/1 mask (MADE, Germain et al. 2015)."""

    def __init__(self, mask: torch.Tensor, bias: bool = True) -> None:
        super().__init__(mask.shape[1], mask.shape[0], bias=bias)
        self.register_buffer("mask", mask.float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Masked affine map."""
        return nn.functional.linear(x, self.weight * self.mask, self.bias)


def made_masks(dims: int, hidden: int, layers: int, outputs_per_dim: int) -> list[torch.Tensor]:
    """MADE masks (out x in) for inputs in natural order: output block d sees only inputs before d.

    Hidden units get degrees 1..dims-1 cyclically (Germain et al. 2015); a hidden unit of degree k
    sees inputs 1..k, and output block d sees hidden units of degree < d. Needs dims >= 2.
    """
    if dims < 2:
        raise ValueError("an autoregressive network needs at least 2 dimensions")
    degrees = [torch.arange(1, dims + 1)] + [torch.arange(hidden) % (dims - 1) + 1 for _ in range(layers)]
    masks = [(d_out[:, None] >= d_in[None, :]).float() for d_in, d_out in zip(degrees[:-1], degrees[1:], strict=True)]
    output_degrees = torch.arange(1, dims + 1).repeat_interleave(outputs_per_dim)
    masks.append((output_degrees[:, None] > degrees[-1][None, :]).float())
    return masks


def count_parameters(*modules: nn.Module) -> int:
    """Free parameters of `modules`, each counted once.

    A masked weight (this module's `MaskedLinear`, zuko's: a `mask` buffer of the weight's shape)
    counts only its unmasked entries: the masked ones are multiplied by zero in every pass.
    """
    total = 0
    for module in modules:
        for layer in module.modules():
            mask = getattr(layer, "mask", None)
            for name, parameter in layer.named_parameters(recurse=False):
                masked = name == "weight" and isinstance(mask, torch.Tensor) and mask.shape == parameter.shape
                total += int(mask.count_nonzero()) if masked else parameter.numel()
    return total
