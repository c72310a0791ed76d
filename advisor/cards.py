"""Pydantic cards: the declared, checkable facts about families, datasets, metrics and needs.

A card is data, not behaviour. Cards are validated when a plugin module builds them, so a plugin with
an invalid card fails at import and is listed as broken with pydantic's message, which names the
field at fault. Cards are frozen: a family cannot change what it declared after registration.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Likelihood",
    "LikelihoodKind",
    "Latent",
    "Training",
    "Sampling",
    "DataKind",
    "FamilyCard",
    "DatasetCard",
    "MetricSpec",
    "Need",
]

Likelihood = Literal["exact", "bound", "estimate", "none"]
LikelihoodKind = Literal["exact", "bound", "estimate"]
Latent = Literal["explicit", "implicit", "none"]
Training = Literal["mle", "elbo", "adversarial", "score", "contrastive", "closed-form"]
Sampling = Literal["one-shot", "iterative", "sequential", "mcmc"]
DataKind = Literal["2d", "tabular", "image"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


class _Card(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("name", check_fields=False)
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("must be lower-case letters and digits, words joined by '-' or '_' (e.g. 'flow-ar')")
        return value


class FamilyCard(_Card):
    """What a model family is, declared by its plugin and checked by the rule engine."""

    name: str = Field(description="Short unique name used on the command line, e.g. 'flow'.")
    title: str = Field(min_length=1, description="Human-readable name.")
    likelihood: Likelihood = Field(description="How log p(x) is available: exact, bound, estimate or none.")
    latent: Latent = Field(description="Whether the model has an explicit latent space.")
    training: Training = Field(description="The training objective.")
    sampling: Sampling = Field(description="How a sample is drawn.")
    conditioning: bool = Field(default=False, description="Supports class-conditional sampling.")
    data_kinds: frozenset[DataKind] = Field(
        default=frozenset({"2d", "tabular"}), description="Kinds of data the family can be fit to."
    )
    samplers: tuple[str, ...] = Field(default=("default",), description="Sampler names `sample` accepts.")
    references: tuple[str, ...] = Field(default=(), description="Papers the implementation follows.")

    @field_validator("data_kinds", "samplers")
    @classmethod
    def _not_empty(cls, value):  # noqa: ANN001, ANN206 - pydantic validator
        if not value:
            raise ValueError("must name at least one entry")
        return value

    @field_validator("samplers")
    @classmethod
    def _unique_samplers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("sampler names must be unique")
        return value


class DatasetCard(_Card):
    """What a dataset is: its kind, shape, labels and whether its true density is known."""

    name: str
    title: str = Field(min_length=1)
    kind: DataKind
    dims: int = Field(gt=0, description="Number of features per example.")
    classes: int = Field(default=0, ge=0, description="Number of label classes; 0 when unlabelled.")
    known_density: bool = Field(default=False, description="The true log-density is available.")
    size: int | None = Field(
        default=None, gt=1, description="Number of examples for fixed datasets; None when generated."
    )
    condition_on_labels: bool = Field(
        default=True,
        description="Labels are offered to conditional families. False when a label gives the answer away "
        "(the mixture component of a toy): those datasets measure unconditional modelling.",
    )
    discrete_levels: int | None = Field(
        default=None,
        gt=1,
        description="Integer data with this many levels, given uniformly dequantized: floor(x) is the level.",
    )
    description: str = ""


class MetricSpec(_Card):
    """What a metric measures, in which unit, and which direction is better."""

    name: str
    title: str = Field(min_length=1)
    unit: str = Field(description="Unit of the value, e.g. 'nats/dim', 'samples/s', '' for ratios.")
    higher_is_better: bool
    category: Literal["quality", "likelihood", "cost", "stability"]
    description: str = ""


class Need(_Card):
    """A user need: hard requirements on family cards plus measured objectives to rank by."""

    name: str
    title: str = Field(min_length=1)
    requires: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Card field -> accepted values, e.g. {'likelihood': ('exact',)}.",
    )
    objectives: tuple[str, ...] = Field(default=(), description="Metric names to rank survivors by.")
    description: str = ""

    @model_validator(mode="after")
    def _requires_known_fields(self) -> Need:
        unknown = set(self.requires) - set(FamilyCard.model_fields)
        if unknown:
            raise ValueError(f"requires names unknown card fields: {sorted(unknown)}")
        return self
