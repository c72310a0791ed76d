"""Family variants: a registered family with some of its settings changed, named `family@key=value;...`.

Families take their settings as constructor arguments with defaults, so a variant is the family
constructed with other arguments: `advisor bench -f gan --family-option gan.learning_rate=2e-4`
measures the candidate `gan@learning_rate=0.0002`, stored and ranked under that name beside plain
`gan` (a tuned recipe is another candidate, never mixed with the default's runs). The options are
checked against the constructor's parameters, and each run records them in its provenance.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.errors import InputError

__all__ = ["SEPARATOR", "parse_variant", "variant_name", "make_variant", "apply_family_options"]

SEPARATOR = "@"


def _value(text: str) -> Any:
    """A command-line value as JSON where it parses (numbers, booleans, lists), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def variant_name(family: str, options: Mapping[str, Any]) -> str:
    """The canonical name of `family` with `options`: keys sorted, values as compact JSON, ';' between."""
    if not options:
        return family
    return (
        family
        + SEPARATOR
        + ";".join(f"{key}={json.dumps(options[key], separators=(',', ':'))}" for key in sorted(options))
    )


def parse_variant(name: str) -> tuple[str, dict[str, Any]]:
    """(family, options) of a variant name; a plain family name has no options."""
    if SEPARATOR not in name:
        return name, {}
    family, spec = name.split(SEPARATOR, 1)
    options = {}
    for item in spec.split(";"):
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise InputError(f"family variant {name!r}: expected key=value after '{SEPARATOR}', got {item!r}")
        options[key.strip()] = _value(value.strip())
    return family, options


@functools.cache
def _variant_class(cls: type, name: str, options_json: str) -> type:
    options = json.loads(options_json)
    signature = inspect.signature(cls)
    unknown = sorted(set(options) - set(signature.parameters))
    if unknown:
        known = ", ".join(signature.parameters) or "none"
        raise InputError(f"{cls.card.name} has no setting {', '.join(map(repr, unknown))}; its settings: {known}")
    try:
        signature.bind(**options)
    except TypeError as exc:
        raise InputError(f"{name}: {exc}") from None

    def __init__(self: Any) -> None:  # noqa: N807 - the harness constructs families with no arguments
        cls.__init__(self, **options)

    card = cls.card.model_copy(update={"name": name})  # a variant's name carries its options
    return type(cls.__name__ + "Variant", (cls,), {"__init__": __init__, "card": card, "variant_options": options})


def make_variant(cls: type, name: str, options: Mapping[str, Any]) -> type:
    """A subclass of family `cls` whose no-argument constructor passes `options`; InputError for unknown ones."""
    return _variant_class(cls, name, json.dumps(dict(options), sort_keys=True))


def apply_family_options(families: Iterable[str], assignments: Iterable[str]) -> list[str]:
    """Family names with `FAMILY.KEY=VALUE` assignments folded in as variants (`FAMILY@KEY=VALUE`)."""
    families = list(families)
    options: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        target, equals, value = assignment.partition("=")
        family, dot, key = target.rpartition(".")
        if not equals or not dot or not family or not key:
            raise InputError(f"--family-option {assignment!r}: expected FAMILY.KEY=VALUE, e.g. gan.learning_rate=2e-4")
        if family not in families:
            raise InputError(f"--family-option {assignment!r}: {family!r} is not among the benched families")
        options.setdefault(family, {})[key] = _value(value)
    return [variant_name(f, options.get(f, {})) for f in families]
