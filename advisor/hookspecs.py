"""The pluggy hook specifications of the advisor: one hook per kind of thing a plugin adds.

Each hook receives a `register` callback; a plugin calls it once per class (or `Need`) it adds.
Every hook is documented in docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = ["hookspec", "hookimpl", "PROJECT_NAME"]

PROJECT_NAME = "advisor"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def advisor_families(register: Callable[[Any], None]) -> None:
    """Register model families: register(FamilyClass)."""


@hookspec
def advisor_datasets(register: Callable[[Any], None]) -> None:
    """Register datasets: register(DatasetClass)."""


@hookspec
def advisor_metrics(register: Callable[[Any], None]) -> None:
    """Register metrics: register(MetricClass)."""


@hookspec
def advisor_needs(register: Callable[[Any], None]) -> None:
    """Register needs the rule engine understands: register(Need)."""
