"""advisor: choose a generative model family from numbers measured on your kind of data.

The public API for plugin authors and Python users. Importing it is cheap: no torch, no numpy.
"""

from __future__ import annotations

from advisor.budgets import BUDGETS, Budget, get_budget
from advisor.cards import DatasetCard, FamilyCard, MetricSpec, Need
from advisor.errors import AdvisorError, InputError
from advisor.family import Family, FitReport
from advisor.hookspecs import hookimpl

__version__ = "0.1.0"

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
