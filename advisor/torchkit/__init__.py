"""Shared PyTorch utilities for the neural families: setup, data, blocks, and the training loop.

Importing this package imports torch, so plugin modules import it inside `fit` / `sample`, never at
module level (listing plugins and `advisor recommend` must not pay for torch).
"""

from advisor.torchkit.blocks import MaskedLinear, SinusoidalEmbedding, count_parameters, made_masks, mlp
from advisor.torchkit.classes import LabelPrior, sampling_indices
from advisor.torchkit.data import Standardizer, minibatches, to_tensor
from advisor.torchkit.holdout import holdout_pairs
from advisor.torchkit.inputs import TrainingInputs, training_inputs
from advisor.torchkit.mle import (
    batched,
    checkpoint_notes,
    fit_max_likelihood,
    label_context,
    marginal_log_prob,
    max_likelihood_report,
    sampling_context,
)
from advisor.torchkit.noising import forward_noise
from advisor.torchkit.samplers import resolve_sampler
from advisor.torchkit.setup import setup_torch
from advisor.torchkit.stopping import StoppingSchedule, stopping_schedule
from advisor.torchkit.training import EMA, DivergenceError, TrainResult, cosine_adam, train_loop

__all__ = [
    "EMA",
    "DivergenceError",
    "LabelPrior",
    "MaskedLinear",
    "SinusoidalEmbedding",
    "Standardizer",
    "StoppingSchedule",
    "TrainResult",
    "TrainingInputs",
    "batched",
    "checkpoint_notes",
    "cosine_adam",
    "count_parameters",
    "fit_max_likelihood",
    "forward_noise",
    "holdout_pairs",
    "label_context",
    "made_masks",
    "marginal_log_prob",
    "max_likelihood_report",
    "minibatches",
    "mlp",
    "resolve_sampler",
    "sampling_context",
    "sampling_indices",
    "setup_torch",
    "stopping_schedule",
    "to_tensor",
    "train_loop",
    "training_inputs",
]
