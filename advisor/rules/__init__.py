"""The rule engine: needs (registered as plugins), textbook claims, and ranking by measurements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.hookspecs import hookimpl
from advisor.rules.needs import BUILTIN_NEEDS

__all__ = ["BUILTIN_NEEDS"]


@hookimpl
def advisor_needs(register: Callable[[Any], None]) -> None:
    """Register the built-in needs."""
    for need in BUILTIN_NEEDS:
        register(need)
