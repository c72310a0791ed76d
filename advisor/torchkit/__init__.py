"""Shared PyTorch utilities for the neural families: setup, data, blocks, and the training loop.

Importing this package imports torch, so plugin modules import it inside `fit` / `sample`, never at
module level (listing plugins and `advisor recommend` must not pay for torch).
"""

from advisor.torchkit.blocks import MaskedLinear, SinusoidalEmbedding, count_parameters, made_masks, mlp
from advisor.torchkit.classes import LabelPrior
from advisor.torchkit.data import Standardizer, minibatches, to_tensor
from advisor.torchkit.mle import (
    batched,
    checkpoint_notes,
    fit_max_likelihood,
    holdout_pairs,
    label_context,
    marginal_log_prob,
    sampling_context,
)
from advisor.torchkit.setup import setup_torch
from advisor.torchkit.training import EMA, DivergenceError, TrainResult, cosine_adam, train_loop

__all__ = [
    "setup_torch",
    "Standardizer",
    "minibatches",
    "to_tensor",
    "LabelPrior",
    "mlp",
    "SinusoidalEmbedding",
    "MaskedLinear",
    "made_masks",
    "count_parameters",
    "EMA",
    "DivergenceError",
    "TrainResult",
    "cosine_adam",
    "train_loop",
    "batched",
    "checkpoint_notes",
    "fit_max_likelihood",
    "holdout_pairs",
    "label_context",
    "marginal_log_prob",
    "sampling_context",
]
