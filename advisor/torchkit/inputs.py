"""A neural family's training inputs: standardized rows, the standardizer, and the labels as class indices."""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from advisor.torchkit.classes import LabelPrior
from advisor.torchkit.data import Standardizer, to_tensor

__all__ = ["TrainingInputs", "training_inputs"]


class TrainingInputs(NamedTuple):
    """What `training_inputs` returns; unpack it as `standardizer, z, prior, y`."""

    standardizer: Standardizer
    z: torch.Tensor
    prior: LabelPrior | None
    y: torch.Tensor | None


def training_inputs(train: Any, labels: Any, device: torch.device) -> TrainingInputs:
    """`train` (n, dims) standardized on `device`, with the standardizer fit on it.

    With `labels`, also the label prior of the training labels and each row's class index;
    without, both are None (an unconditional model).
    """
    x = to_tensor(train, device)
    standardizer = Standardizer(x)
    prior = None if labels is None else LabelPrior(labels, device)
    return TrainingInputs(standardizer, standardizer.forward(x), prior, None if prior is None else prior.index(labels))
