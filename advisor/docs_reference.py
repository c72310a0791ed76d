"""The field reference in docs/plugins.md, rendered from the pydantic models so it cannot drift.

Every field of the cards, the budget and the fit report, with its type, allowed values, constraints,
default and description, is read from the model itself (`model_fields`); the shipped budgets are
read from `BUDGETS`. The reference sits between two marker lines of the document:

    python -m advisor.docs_reference docs/plugins.md           # rewrite it
    python -m advisor.docs_reference --check docs/plugins.md   # exit 1 when it is out of date
"""

from __future__ import annotations

import argparse
import inspect
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from advisor.budgets import BUDGETS, Budget
from advisor.cards import DatasetCard, FamilyCard, MetricSpec, Need
from advisor.family import FitReport

__all__ = ["BEGIN", "END", "MODELS", "render_reference", "replace_reference", "main"]

BEGIN = "<!-- BEGIN GENERATED: python -m advisor.docs_reference docs/plugins.md (edit the models, not this) -->"
END = "<!-- END GENERATED -->"

#: the models documented, in the order a family's author meets them
MODELS: tuple[type[BaseModel], ...] = (FamilyCard, FitReport, Budget, DatasetCard, MetricSpec, Need)

#: what a field means where its model gives no description (a description in the model wins)
_UNDESCRIBED = {
    "name": "Unique name among its kind, used on the command line; a card's name is lower-case letters "
    "and digits, words joined by `-` or `_` (e.g. `flow-ar`).",
    "title": "Human-readable name, shown in listings and reports.",
    "description": "Free text shown in listings.",
    "notes": "Free text stored with the run.",
    "batch_size": "Examples per optimizer step for minibatch trainers.",
    "kind": "The kind of data; a family is fit to it only when its card's `data_kinds` names it.",
    "higher_is_better": "The direction: True when a higher value is better.",
    "category": "Where the metric belongs in tables and answers.",
}


def _type_text(annotation: Any) -> str:
    """A type in words: `one of 'a', 'b'`, `set of ...`, `int or None`."""
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{choice}`" for choice in arguments)
    if origin in (Union, types.UnionType):
        return " or ".join(_type_text(argument) for argument in arguments)
    if origin in (frozenset, set):
        return "set of " + _type_text(arguments[0]).removeprefix("one of ")
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return "tuple of " + _type_text(arguments[0]).removeprefix("one of ")
        return "(" + ", ".join(_type_text(argument) for argument in arguments) + ")"
    if origin is dict:
        return f"dict of {_type_text(arguments[0])} to {_type_text(arguments[1])}"
    if annotation is Any:
        return "any value"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))


def _constraints_text(field: FieldInfo) -> list[str]:
    """The field's numeric and length constraints in words, e.g. ['> 0']."""
    words = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Gt):
            words.append(f"> {item.gt}")
        elif isinstance(item, annotated_types.Ge):
            words.append(f">= {item.ge}")
        elif isinstance(item, annotated_types.MinLen):
            words.append(f"at least {item.min_length} long")
    return words


def _default_text(field: FieldInfo) -> str:
    """The default as code, or 'required'."""
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if isinstance(value, (set, frozenset)):
        return "`{" + ", ".join(repr(v) for v in sorted(value)) + "}`"
    return f"`{value!r}`"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def field_table(model: type[BaseModel]) -> str:
    """A Markdown table of `model`'s fields: name, type and allowed values, default, meaning."""
    lines = ["| field | type and allowed values | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        kind = ", ".join([_type_text(field.annotation), *_constraints_text(field)])
        meaning = field.description or _UNDESCRIBED.get(name, "")
        lines.append(f"| `{name}` | {_cell(kind)} | {_cell(_default_text(field))} | {_cell(meaning)} |")
    return "\n".join(lines)


def _number_text(value: Any) -> str:
    """A budget value as read: thousands separated, no trailing '.0'."""
    if isinstance(value, str):
        return value
    return f"{value:,}" if isinstance(value, int) or not value.is_integer() else f"{int(value):,}"


def budgets_table() -> str:
    """A Markdown table of the shipped budgets, one row per budget, one column per field."""
    fields = list(Budget.model_fields)
    lines = ["| " + " | ".join(fields) + " |", "|---" * len(fields) + "|"]
    for budget in BUDGETS.values():
        values = [getattr(budget, f) for f in fields]
        lines.append("| " + " | ".join(_number_text(v) for v in values) + " |")
    return "\n".join(lines)


def render_reference() -> str:
    """The generated reference: one section per model, then the shipped budgets."""
    sections = []
    for model in MODELS:
        summary = inspect.getdoc(model).split("\n\n")[0].replace("\n", " ")
        sections.append(f"### `{model.__name__}`\n\n{summary}\n\n{field_table(model)}")
    sections.append(
        "### The shipped budgets\n\n`--budget NAME` picks one; every family in a bench gets the same.\n\n"
        + budgets_table()
    )
    return "\n\n".join(sections)


def replace_reference(text: str, reference: str) -> str:
    """`text` with what lies between the BEGIN and END marker lines replaced by `reference`."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no region between {BEGIN!r} and {END!r}")
    return f"{text[: start + len(BEGIN)]}\n\n{reference}\n\n{text[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with --check, compare) the generated reference of the given document."""
    parser = argparse.ArgumentParser(prog="python -m advisor.docs_reference", description=__doc__.split("\n")[0])
    parser.add_argument("document", type=Path, help="the Markdown file holding the marker lines")
    parser.add_argument("--check", action="store_true", help="only say whether it is up to date (exit 1 if not)")
    options = parser.parse_args(argv)
    text = options.document.read_text()
    updated = replace_reference(text, render_reference())
    if options.check:
        if updated != text:
            print(f"{options.document}: the field reference is out of date; run {parser.prog} {options.document}")
            return 1
        return 0
    options.document.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
