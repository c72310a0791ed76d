"""When to score held-out data and when to stop: one rule, in passes over the data with step floors.

Every family that checkpoints on a held-out score (flows and autoregressive models through
`fit_max_likelihood`, the VAE, diffusion) takes its cadence and patience from `stopping_schedule`,
never as fractions of its step budget: the harness sizes the budget to the table (`Budget.sized_for`),
so a fraction of the steps would shrink with the table. At 1,000 sized steps the old fractions
(patience: a tenth of the steps; the VAE: ten of a hundred scores per run) stopped wine's VAE after
100 steps without a better score, at c2st 0.60 where the 10,000-step run reached 0.45.

- cadence: one score per epoch (``ceil(rows / batch)`` steps), at least every `min_every` steps, and
  at least `min_scores` scores per run;
- patience: ``max(patience_steps, patience_epochs x epoch)`` steps without a better score, counted
  in scores (at least `min_patience` of them). The floor of 1,000 steps is the patience the quick
  budget's 10,000 steps gave every family before the sizing (a tenth of the flows' steps, ten of
  the VAE's 100-step scores), so generated toys and digits stop as they did; a table sized to fewer
  steps is never cut short before a run that short could end, and its best-scoring weights are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["StoppingSchedule", "stopping_schedule"]


@dataclass(frozen=True)
class StoppingSchedule:
    """Held-out scoring cadence and patience, for `train_loop`'s `validate_every` and `patience`."""

    every: int
    patience: int

    @property
    def patience_steps(self) -> int:
        """Steps without a better score before training may stop."""
        return self.every * self.patience


def stopping_schedule(
    steps: int,
    rows: int,
    batch_size: int,
    *,
    min_every: int = 10,
    min_scores: int = 20,
    patience_steps: int = 1_000,
    patience_epochs: int = 25,
    min_patience: int = 10,
    max_scores: int | None = None,
) -> StoppingSchedule:
    """The scoring cadence and patience of a run of `steps` steps on `rows` rows at `batch_size`.

    ``every = clamp(epoch, min_every, max(min_every, steps // min_scores))`` steps with
    ``epoch = ceil(rows / min(batch_size, rows))``, at least ``steps // max_scores`` where a family's
    score is costly (diffusion's held-out loss averages thousands of draws), and ``patience =
    max(min_patience, ceil(max(patience_steps, patience_epochs * epoch) / every))`` scores.
    """
    if steps < 1 or rows < 1 or batch_size < 1:
        raise ValueError(f"steps, rows and batch_size must be positive, got {steps}, {rows}, {batch_size}")
    epoch = math.ceil(rows / min(batch_size, rows))
    every = min(max(epoch, min_every), max(min_every, steps // min_scores))
    if max_scores is not None:
        every = max(every, steps // max_scores)
    patience = max(min_patience, math.ceil(max(patience_steps, patience_epochs * epoch) / every))
    return StoppingSchedule(every=every, patience=patience)
