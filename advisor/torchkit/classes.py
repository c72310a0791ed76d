"""Class labels for conditional families: index mapping, training frequencies, and seeded draws.

`LabelPrior` is the one place a family keeps its training labels; `sampling_indices` gives the class
indices of `n` samples to draw, the ones asked for or, for an unconditional sample of a conditional
model, drawn from the training frequencies (ancestral sampling of sum_y p(y) p(x | y)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["LabelPrior", "sampling_indices"]


class LabelPrior:
    """The classes seen in training, their empirical frequencies, and a map from label values to indices.

    Conditional families embed class *indices* 0..num_classes-1; `index` maps label values (any
    integers) to them, and `draw` samples indices from the training frequencies, for unconditional
    sampling from a class-conditional model.
    """

    def __init__(self, labels: Any, device: torch.device | str = "cpu") -> None:
        values, counts = np.unique(np.asarray(labels).astype(np.int64), return_counts=True)
        self.values = values
        self.device = torch.device(device)
        self.probs = torch.as_tensor(counts / counts.sum(), dtype=torch.float32)

    @property
    def num_classes(self) -> int:
        """Number of distinct training labels."""
        return len(self.values)

    @property
    def log_probs(self) -> torch.Tensor:
        """Log training frequency of each class index, shape (num_classes,), on `device`."""
        return torch.log(self.probs).to(self.device)

    def index(self, labels: Any) -> torch.Tensor:
        """Class indices (long tensor on `device`) of label values; ValueError for a label not seen in training."""
        values = np.asarray(labels.detach().cpu() if isinstance(labels, torch.Tensor) else labels).astype(np.int64)
        found = np.clip(np.searchsorted(self.values, values), 0, self.num_classes - 1)
        unseen = self.values[found] != values
        if unseen.any():
            raise ValueError(f"labels {sorted(set(values[unseen].tolist()))} were not seen in training")
        return torch.as_tensor(found, dtype=torch.long, device=self.device)

    def draw(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """`n` class indices drawn from the training frequencies with `generator` (a CPU generator)."""
        return torch.multinomial(self.probs, n, replacement=True, generator=generator).to(self.device)


def sampling_indices(prior: LabelPrior | None, labels: Any, n: int, generator: torch.Generator) -> torch.Tensor | None:
    """Class indices of `n` samples: of `labels`, or drawn from the training frequencies when None.

    None for an unconditional model (no prior). `generator` (a CPU generator) is used only for draws.
    """
    if prior is None:
        return None
    return prior.draw(n, generator) if labels is None else prior.index(labels)
