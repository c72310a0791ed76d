"""Pydantic cards: the declared, checkable facts about families, datasets, metrics and needs.

A card is data, not behaviour. Cards are validated when a plugin module builds them, so a plugin with
an invalid card fails at import and is listed as broken with pydantic's message, which names the
field at fault. Cards are frozen: a family cannot change what it declared after registration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

__all__ = [
    "Likelihood",
    "Latent",
    "Training",
    "Sampling",
    "DataKind",
    "FamilyCard",
    "DatasetCard",
    "MetricSpec",
    "Scale",
    "Need",
]

Likelihood = Literal["exact", "bound", "estimate", "none"]
Latent = Literal["explicit", "implicit", "none"]
Training = Literal["mle", "elbo", "adversarial", "score", "contrastive", "closed-form"]
Sampling = Literal["one-shot", "iterative", "sequential", "mcmc"]
DataKind = Literal["2d", "tabular", "image"]
Scale = Literal["linear", "log"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
#: a table from an outside collection, named as the collection names it: "source:Package/Item" ("r:AER/HMDA")
_SOURCED_NAME = re.compile(r"^[a-z][a-z0-9]*:[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


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
    peer_of: str | None = Field(
        default=None,
        description="A peer: a family wrapped from another library that its users would pick instead "
        "(e.g. 'SDV'); answers say where it ranks among ours.",
    )
    network: str | None = Field(
        default=None,
        description="The class of network it trains (e.g. 'MLP', 'masked MLP'); None for models without one. "
        "Answers state it, so a user with other data knows what the evidence measured.",
    )
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
    encoding: str | None = Field(
        default=None,
        description="How a table's columns are encoded for the models (likelihoods are densities in it).",
    )
    modes: int | None = Field(
        default=None,
        gt=0,
        description="A mixture with this many known modes (mode coverage is measured, and a run covering "
        "fewer than all but one of them counts as collapsed).",
    )
    meta: dict[str, float] | None = Field(
        default=None,
        description="A table's meta-features (data/meta_features.py): how the prior finds tables like a user's.",
    )
    description: str = ""

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not (_NAME.match(value) or _SOURCED_NAME.match(value)):
            raise ValueError(
                "must be lower-case letters and digits, words joined by '-' or '_' (e.g. 'wine'), or a "
                "collection's table as 'source:Package/Item' (e.g. 'r:AER/HMDA')"
            )
        return value


class MetricSpec(_Card):
    """What a metric measures, in which unit, which direction is better, and how values are compared.

    The rule engine reads only the spec: `scale="log"` compares values by their ratio (costs that
    span orders of magnitude: throughput, seconds, sizes), `reference` is the value that means
    "indistinguishable from the data", so values are compared by their distance from it (0.5 for a
    two-sample classifier's accuracy: 0.45 is as far from it as 0.55), and `bounds` is the range a
    valid value lies in (a value outside it is stored as invalid, not ranked).
    """

    name: str
    title: str = Field(min_length=1)
    unit: str = Field(description="Unit of the value, e.g. 'nats/dim', 'samples/s', '' for ratios.")
    higher_is_better: bool
    category: Literal["quality", "likelihood", "cost", "stability"]
    scale: Scale = Field(default="linear", description="'log' compares by ratio; values must be positive.")
    reference: float | None = Field(
        default=None,
        description="The value meaning 'indistinguishable from the data'; compared by distance from it "
        "(then `higher_is_better` must be False: closer is better).",
    )
    bounds: tuple[float | None, float | None] = Field(
        default=(None, None), description="(lowest, highest) valid value; None: unbounded on that side."
    )
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> MetricSpec:
        low, high = self.bounds
        if low is not None and high is not None and low > high:
            raise ValueError(f"bounds {self.bounds} are reversed: the lowest valid value comes first")
        if self.scale == "log" and (low is None or low < 0):
            raise ValueError("a log-scale metric must declare bounds with a lowest value >= 0, e.g. (0, None)")
        if self.reference is not None:
            if self.higher_is_better:
                raise ValueError("a metric with a reference value is compared by distance from it: lower is better")
            if self.scale == "log":
                raise ValueError("a reference value and a log scale cannot be combined")
            if not self.contains(self.reference):
                raise ValueError(f"reference {self.reference} lies outside bounds {self.bounds}")
        return self

    def contains(self, value: float) -> bool:
        """Whether `value` lies within the declared bounds."""
        low, high = self.bounds
        return (low is None or value >= low) and (high is None or value <= high)

    def badness(self, value: float) -> float:
        """How far `value` is from a perfect one, larger is worse: its distance from the reference
        value when there is one, else the value negated when higher is better."""
        if self.reference is not None:
            return abs(value - self.reference)
        return -value if self.higher_is_better else value


def _is_set_valued(field_name: str) -> bool:
    return get_origin(FamilyCard.model_fields[field_name].annotation) in (frozenset, set, tuple)


def _element_type(field_name: str) -> Any:
    annotation = FamilyCard.model_fields[field_name].annotation
    return get_args(annotation)[0] if _is_set_valued(field_name) else annotation


class Need(_Card):
    """A user need: hard requirements on family cards plus measured objectives to rank by.

    `requires` maps a FamilyCard field to the values it accepts, typed as the field is (booleans are
    booleans: ``{"conditioning": (True,)}``). A family meets a requirement on a single-valued field
    when its value is one of those accepted, and on a set-valued field (`data_kinds`, `samplers`)
    when one of the accepted values is in its set. `objectives` name registered metrics or derived
    objectives (checked when the plugins are loaded); the first is the need's primary objective. A
    need with requirements and no objectives only filters: it ranks no one.
    """

    name: str
    title: str = Field(min_length=1)
    requires: dict[str, tuple[Any, ...]] = Field(
        default_factory=dict,
        description="Card field -> accepted values, e.g. {'likelihood': ('exact',)}, {'conditioning': (True,)}.",
    )
    objectives: tuple[str, ...] = Field(default=(), description="Metric names to rank survivors by, primary first.")
    description: str = ""

    @model_validator(mode="after")
    def _requires_typed_values_of_known_fields(self) -> Need:
        unknown = set(self.requires) - set(FamilyCard.model_fields)
        if unknown:
            raise ValueError(f"requires names unknown card fields: {sorted(unknown)}")
        if not self.requires and not self.objectives:
            raise ValueError("a need must require a card property or name an objective to rank by")
        for field_name, accepted in self.requires.items():
            if not accepted:
                raise ValueError(f"requires[{field_name!r}] accepts no value, so no family could meet it")
            adapter = TypeAdapter(_element_type(field_name))
            for value in accepted:
                try:
                    adapter.validate_python(value, strict=True)
                except ValidationError:
                    raise ValueError(
                        f"requires[{field_name!r}] accepts {value!r}, which is not a valid {field_name} "
                        f"(expected {_describe_type(_element_type(field_name))})"
                    ) from None
        return self

    def requirements_text(self) -> str:
        """The hard requirements in words, e.g. "likelihood = exact; conditioning = True"."""
        return "; ".join(
            f"{field_name} = {' or '.join(str(choice) for choice in accepted)}"
            for field_name, accepted in self.requires.items()
        )

    def unmet(self, card: Mapping[str, Any]) -> list[str]:
        """Why a family with `card` (as a model or as stored JSON) fails this need's requirements."""
        failures = []
        for field_name, accepted in self.requires.items():
            value = card.get(field_name)
            if _is_set_valued(field_name):
                met, shown, wanted = any(c in (value or ()) for c in accepted), sorted(value or ()), "one of "
            else:  # equal and of the same type: the string "True" is not the boolean True
                met = any(value == c and type(value) is type(c) for c in accepted)
                shown, wanted = value, ""
            if not met:
                wanted += " or ".join(str(choice) for choice in accepted)
                failures.append(f"{field_name} is {shown!r}; {self.name} needs {wanted}")
        return failures


def _describe_type(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(repr(choice) for choice in get_args(annotation))
    if annotation is bool:
        return "a boolean, True or False, not a string"
    return getattr(annotation, "__name__", str(annotation))
