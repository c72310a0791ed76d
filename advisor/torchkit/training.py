"""The training loop shared by the neural families: schedule, divergence check, EMA, early stopping.

A family supplies `step(batch_x, batch_labels, step) -> dict of float losses`, doing its own forward,
backward and optimizer updates (a GAN updates two networks per step, a VAE one). The loop owns what
is common: drawing minibatches, checking every loss is finite (a NaN or inf ends training with
`DivergenceError`, which the harness stores as FAILED with the reason), an optional EMA of weights,
periodic validation with an in-memory checkpoint of the best weights (early stopping), and the
budget's wall-clock safety limit.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

__all__ = ["DivergenceError", "EMA", "TrainResult", "cosine_adam", "train_loop"]


class DivergenceError(RuntimeError):
    """Training produced a non-finite or exploding loss."""


class EMA:
    """Exponential moving average of a module's parameters and buffers, kept in a frozen copy.

    The tensors are paired once, in `state_dict` order (the frozen copy's and those of the module
    given here), and each update is one `torch._foreach_lerp_` over the floating-point ones: on the
    CPU it runs the same per-tensor `lerp_` as a loop would, bitwise, without building two state
    dicts a step. Build it once the module is on its device (moving a module replaces its buffers);
    an update from another module of the same architecture pairs that module's tensors anew.
    """

    def __init__(self, module: nn.Module, decay: float = 0.999) -> None:
        self.decay = decay
        self.module = copy.deepcopy(module).eval().requires_grad_(False)
        self._source = module
        self._pairs = self._pair(module)

    def _pair(self, module: nn.Module) -> tuple[list[torch.Tensor], list[torch.Tensor], list[tuple]]:
        """(averaged floats, current floats, [(averaged, current) other dtypes]) in state_dict order."""
        averaged = self.module.state_dict(keep_vars=True).values()
        current = module.state_dict(keep_vars=True).values()
        floats_a, floats_c, others = [], [], []
        for a, c in zip(averaged, current, strict=True):
            if a.dtype.is_floating_point:
                floats_a.append(a)
                floats_c.append(c)
            else:
                others.append((a, c))
        return floats_a, floats_c, others

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        """Move the average towards `module`'s current weights."""
        if module is not self._source:
            self._source, self._pairs = module, self._pair(module)
        averaged, current, others = self._pairs
        if averaged:
            torch._foreach_lerp_(averaged, current, 1.0 - self.decay)
        for a, c in others:
            a.copy_(c)


def cosine_adam(
    parameters: Iterator[nn.Parameter] | list, lr: float, steps: int, warmup: int = 0, **adam_kwargs
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """Adam with linear warm-up then cosine decay to zero over `steps` (call scheduler.step() each step)."""
    optimizer = torch.optim.Adam(parameters, lr=lr, **adam_kwargs)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, steps - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


@dataclass
class TrainResult:
    """What happened during training, for the family's FitReport."""

    steps: int
    seconds: float
    best_step: int | None = None
    best_validation: float | None = None
    stopped_early: bool = False
    hit_time_limit: bool = False
    last_losses: dict[str, float] = field(default_factory=dict)


def train_loop(
    step: Callable[[torch.Tensor, torch.Tensor | None, int], dict[str, float]],
    batches: Iterator[tuple[torch.Tensor, torch.Tensor | None]],
    steps: int,
    *,
    time_limit_s: float | None = None,
    validate: Callable[[], float] | None = None,
    validate_every: int = 500,
    patience: int | None = None,
    min_worsening: float = 0.0,
    checkpoint: nn.Module | None = None,
    max_loss: float = 1e8,
) -> TrainResult:
    """Run `step` on `steps` minibatches; validation (lower is better) keeps the best `checkpoint` weights.

    With `validate` and `checkpoint`, the module is restored to its best validated weights at the
    end. With `patience`, training stops after that many validations without improvement, provided
    the latest one is worse than the best by more than `min_worsening` (overfitting, not a plateau).
    """
    start = time.perf_counter()
    best_value, best_step, best_state, stale = math.inf, None, None, 0
    result = TrainResult(steps=0, seconds=0.0)
    for index in range(steps):
        batch_x, batch_labels = next(batches)
        losses = step(batch_x, batch_labels, index)
        bad = {k: v for k, v in losses.items() if not math.isfinite(v) or abs(v) > max_loss}
        if bad:
            raise DivergenceError(
                f"training diverged at step {index}: " + ", ".join(f"{k}={v:.3g}" for k, v in bad.items())
            )
        result.steps, result.last_losses = index + 1, losses
        last = index + 1 == steps
        if validate is not None and ((index + 1) % validate_every == 0 or last):
            value = validate()
            if value < best_value:
                best_value, best_step, stale = value, index + 1, 0
                if checkpoint is not None:
                    best_state = copy.deepcopy(checkpoint.state_dict())
            else:
                stale += 1
                if patience is not None and stale >= patience and value > best_value + min_worsening:
                    result.stopped_early = True
                    break
        if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
            result.hit_time_limit = True
            break
    if best_state is not None:
        checkpoint.load_state_dict(best_state)
    result.seconds = time.perf_counter() - start
    result.best_step = best_step
    result.best_validation = best_value if best_step is not None else None
    return result
