"""advisor: choose a generative model family from numbers measured on your kind of data.

The public API for plugin authors and Python users. Importing it is cheap: no torch, no numpy, and
each name is imported on first use (PEP 562), so a command that never needs budgets never builds them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.budgets import BUDGETS, Budget, get_budget
    from advisor.cards import DatasetCard, FamilyCard, MetricSpec, Need
    from advisor.errors import AdvisorError, InputError
    from advisor.family import Family, FitReport
    from advisor.hookspecs import hookimpl

__version__ = "0.1.0"

#: public name -> module defining it
_EXPORTS = {
    "hookimpl": "advisor.hookspecs",
    "Family": "advisor.family",
    "FitReport": "advisor.family",
    "FamilyCard": "advisor.cards",
    "DatasetCard": "advisor.cards",
    "MetricSpec": "advisor.cards",
    "Need": "advisor.cards",
    "Budget": "advisor.budgets",
    "BUDGETS": "advisor.budgets",
    "get_budget": "advisor.budgets",
    "AdvisorError": "advisor.errors",
    "InputError": "advisor.errors",
}

__all__ = [
    "__version__",
    "hookimpl",
    "Family",
    "FitReport",
    "FamilyCard",
    "DatasetCard",
    "MetricSpec",
    "Need",
    "Budget",
    "BUDGETS",
    "get_budget",
    "AdvisorError",
    "InputError",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
