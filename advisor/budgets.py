"""Budgets: the fixed amount of data, training and evaluation every family gets.

A budget fixes training *steps* (not seconds, so a run reproduces on any machine), batch size, data
and evaluation sizes, and a wall-clock limit that is only a safety timeout. Every family in a bench
gets the same budget; a family decides how to spend its steps, never how many it gets.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from advisor.errors import unknown_name

__all__ = ["Budget", "BUDGETS", "get_budget"]


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
        ),
    )
}


def get_budget(name: str) -> Budget:
    """Return the budget called `name`, or raise an InputError listing the valid ones."""
    try:
        return BUDGETS[name]
    except KeyError:
        raise unknown_name("budget", name, BUDGETS) from None
