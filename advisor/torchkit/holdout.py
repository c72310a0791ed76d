"""A seeded held-out part of the training rows, for validation and early stopping (never the test split)."""

from __future__ import annotations

import numpy as np
import torch

from advisor.selection import holdout

__all__ = ["holdout_pairs"]

Labels = torch.Tensor | None


def holdout_pairs(
    x: torch.Tensor, labels: Labels, fraction: float, seed: int
) -> tuple[tuple[torch.Tensor, Labels], tuple[torch.Tensor, Labels]]:
    """((x, labels) to fit, (x, labels) to validate): a seeded `fraction` of the rows held out.

    `labels` is any per-row tensor (class indices, a one-hot context) or None; its rows follow x's.
    """
    fit, validation = (torch.as_tensor(i, device=x.device) for i in holdout(np.arange(len(x)), fraction, seed))
    return tuple((x[i], None if labels is None else labels[i]) for i in (fit, validation))
