"""Budgets: the fixed amount of data, training and evaluation every family gets.

A budget fixes training *steps* (not seconds, so a run reproduces on any machine), batch size, data
and evaluation sizes, and a wall-clock limit that is only a safety timeout. Every family in a bench
gets the same budget; a family decides how to spend its steps, never how many it gets.

Training is sized to the data (`Budget.sized_for`): on a table (and on 2-D data) a family sees the
training rows about `epochs` times in at least `min_steps` optimizer steps, at most `train_steps`:
the batch is ``min(batch_size, rows, epochs * rows // min_steps)`` and the steps ``min(train_steps,
ceil(epochs * rows / batch))``. The passes bound memorization, the steps the optimisation (quick
budget, seeds 0-1): at the old 10,000 full-batch steps wine's 142 training rows were seen 10,000
times and its GAN put 38% of its samples closer to a training row than held-out rows are; at 1,000
full-batch steps 10%, but the GAN was undertrained on penguins (c2st 0.70 against 0.50) and on
breast-cancer (0.61 against 0.53); at 1,000 passes in 4,000 steps of 35 rows 13%, with the GAN's
c2st on penguins (0.53) and breast-cancer (0.55) back near the 10,000-step values, in a quarter of
their training time or less. Seed 0 alone: 2,000 passes in 4,000 steps of 71 rows put wine's GAN
at 17%; a batch of 15 rows (10,000 steps on wine) made its c2st worse (0.61), not better.
`epochs` = 1,000 and `min_steps` = 4,000 at every budget (a floor above the cap shrinks nothing):
the toy datasets' 2,000 / 20,000 / 100,000 generated training rows reach the step cap at each, so
they train as before. Images keep the fixed steps (digits, the one image set, was tuned at them).
The rule depends on the training rows and the budget only, and the harness applies it before
`fit`, so every family, plugins and peers alike, gets the same sized budget (an SDV peer's epochs
follow from it). Held-out scoring and early stopping follow the passes too
(`advisor.torchkit.stopping_schedule`), never a fraction of the steps.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from advisor.errors import unknown_name

__all__ = ["Budget", "BUDGETS", "SIZED_KINDS", "get_budget"]

#: kinds of data whose training is sized to the rows (images keep the budget's fixed steps)
SIZED_KINDS = frozenset({"2d", "tabular"})


class Budget(BaseModel):
    """Sizes and limits shared by every family in a bench."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    train_steps: int = Field(gt=0, description="Optimizer steps for iterative trainers.")
    batch_size: int = Field(gt=0)
    n_train: int = Field(gt=1, description="Training examples for generated datasets.")
    n_test: int = Field(gt=1, description="Held-out test examples for generated datasets.")
    n_eval_samples: int = Field(
        gt=1, description="Most samples drawn per sampler for the metrics (fewer on small test sets: evaluation_sizes)."
    )
    n_stored_samples: int = Field(ge=0, description="Samples kept in the store for plots.")
    throughput_batch: int = Field(gt=0, description="Batch size at which sampling throughput is timed.")
    time_limit_s: float = Field(gt=0, description="Safety timeout for one cell; not a training target.")
    epochs: int | None = Field(
        default=None,
        gt=0,
        description="Passes over a table's training rows: training is min(train_steps, ceil(epochs x rows / batch)) "
        "steps (`sized_for`); None trains `train_steps` whatever the data.",
    )
    min_steps: int | None = Field(
        default=None,
        gt=0,
        description="Fewest optimizer steps on a sized table (at most train_steps): the batch shrinks to "
        "floor(epochs x rows / min_steps) so that a small table gets them in about `epochs` passes (`sized_for`).",
    )

    def sized_for(self, rows: int, kind: str) -> Budget:
        """This budget for `rows` training rows of `kind` data: steps and batch sized to the rows.

        On a kind in SIZED_KINDS with `epochs` set: batch ``min(batch_size, rows, max(1, epochs * rows //
        min(min_steps, train_steps)))`` and ``min(train_steps, ceil(epochs * rows / batch))`` steps;
        otherwise the budget unchanged.
        """
        if self.epochs is None or kind not in SIZED_KINDS:
            return self
        if rows < 1:
            raise ValueError(f"a training set needs rows, got {rows}")
        batch = min(self.batch_size, rows)
        if self.min_steps is not None:  # smaller batches, not more passes, give a small table its steps
            batch = min(batch, max(1, self.epochs * rows // min(self.min_steps, self.train_steps)))
        steps = min(self.train_steps, math.ceil(self.epochs * rows / batch))
        return self.model_copy(update={"train_steps": steps, "batch_size": batch})


BUDGETS: dict[str, Budget] = {
    b.name: b
    for b in (
        Budget(
            name="smoke",
            train_steps=200,
            batch_size=256,
            n_train=2_000,
            n_test=1_000,
            n_eval_samples=1_000,
            n_stored_samples=200,
            throughput_batch=1_000,
            time_limit_s=120,
            epochs=1000,
            min_steps=4000,
        ),
        Budget(
            name="quick",
            train_steps=10_000,
            batch_size=512,
            n_train=20_000,
            n_test=5_000,
            n_eval_samples=10_000,
            n_stored_samples=1_000,
            throughput_batch=1_000,
            time_limit_s=900,
            epochs=1000,
            min_steps=4000,
        ),
        Budget(
            name="full",
            train_steps=50_000,
            batch_size=1_024,
            n_train=100_000,
            n_test=10_000,
            n_eval_samples=10_000,
            n_stored_samples=2_000,
            throughput_batch=1_000,
            time_limit_s=7_200,
            epochs=1000,
            min_steps=4000,
        ),
    )
}


def get_budget(name: str) -> Budget:
    """Return the budget called `name`, or raise an InputError listing the valid ones."""
    try:
        return BUDGETS[name]
    except KeyError:
        raise unknown_name("budget", name, BUDGETS) from None
