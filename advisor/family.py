"""The `Family` base class every model-family plugin implements, and its `FitReport`.

Contract (docs/plugins.md): a family is constructed with no arguments, then the harness calls
`fit(train, labels, budget, seed, device)` once, and afterwards `sample(n, labels, sampler)` and, when
the card declares a likelihood, `log_prob(x, labels)`. Arrays go in as float32 numpy arrays of shape
(n, dims) and may come back as numpy arrays or torch tensors. Families never score themselves: the
harness owns splits, seeds, timing and metrics. A family may instead take a table in its own
columns (`original_columns`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from advisor.cards import FamilyCard

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget

__all__ = ["Family", "FitReport"]


class FitReport(BaseModel):
    """What a family reports about its own training; stored with the run, never used as a score."""

    model_config = ConfigDict(extra="forbid")

    steps: int = Field(default=0, ge=0, description="Optimizer steps (or EM iterations) taken.")
    selected: dict[str, Any] = Field(
        default_factory=dict, description="Hyperparameters chosen by the family's own model selection."
    )
    notes: str = ""


class Family(ABC):
    """Base class of a model family. Subclasses set `card` and implement fit / sample / log_prob."""

    card: ClassVar[FamilyCard]
    #: Modules `fit` needs (e.g. "torch", "sklearn.mixture"). The harness imports them before it
    #: starts the training clock, so one-off import time is never charged to `train_seconds`.
    heavy_imports: ClassVar[tuple[str, ...]] = ()
    #: True for a family that models a table's own columns, as a tabular library's users hand it
    #: their table: on a table with columns of its own (penguins, a user's file) `fit` gets the
    #: training rows as a pandas DataFrame in those columns and types (text categories, whole
    #: numbers, dates, missing cells missing) and `sample` returns one; the harness encodes the
    #: samples exactly as it encodes the real rows, so every metric sees all families through one
    #: encoding. On an all-numeric array (wine, the toys) it gets the array like any family. Such a
    #: family declares likelihood "none": a density of its columns is not one in the shared encoding.
    original_columns: ClassVar[bool] = False

    @abstractmethod
    def fit(
        self,
        train: np.ndarray,
        labels: np.ndarray | None,
        budget: Budget,
        seed: int,
        device: str,
    ) -> FitReport:
        """Train on `train` (n, dims) float32 within `budget`; deterministic given `seed`."""

    @abstractmethod
    def sample(self, n: int, labels: np.ndarray | None = None, sampler: str = "default") -> Any:
        """Draw `n` samples of shape (n, dims); `labels` (n,) asks for class-conditional samples."""

    def log_prob(self, x: np.ndarray, labels: np.ndarray | None = None) -> Any:
        """Log-density of each row of `x` in nats, shape (n,). Families with a likelihood override it.

        The harness asks for the marginal log p(x) (it calls this without labels), so a conditional
        family sums over its label prior: metrics compare it with the true marginal density.

        Return None where the family has no log-density for this kind of data (e.g. an energy-based
        model whose normalizer is estimated by quadrature in 2-D only): the likelihood metrics are
        then recorded as not applicable, with that reason.
        """
        raise NotImplementedError(f"family {self.card.name!r} declares likelihood={self.card.likelihood!r}")

    def nfe(self, sampler: str = "default") -> int | None:
        """Network evaluations needed per sample with `sampler`; None for models without a network."""
        return None

    def num_parameters(self) -> int | None:
        """Number of fitted parameters (stored training points count for nonparametric models)."""
        return None
