"""Exceptions the advisor raises for problems a user can fix.

Every error here carries a message written for the person at the terminal (what is wrong and how to
fix it) and the exit code the CLI uses for it: 2 for bad input (unknown names, malformed data, a
store of another schema version), 1 for a failure that is not the user's input.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AdvisorError",
    "InputError",
    "StoreError",
    "SchemaVersionError",
    "unknown_name",
]


class AdvisorError(Exception):
    """Base class: a failure with a message meant for the user."""

    exit_code = 1


class InputError(AdvisorError):
    """The user's input is wrong: a name, a file, an option. Exit code 2."""

    exit_code = 2


class StoreError(InputError):
    """The results store cannot be used as given (missing, not SQLite, not an advisor store)."""


class SchemaVersionError(StoreError):
    """The store was written with another schema version than this advisor understands."""


def unknown_name(kind: str, name: str, valid: Iterable[str], *, where: str | None = None) -> InputError:
    """Build the error for an unknown `kind` called `name`, listing close and all valid names.

    `where` names what was searched when the valid names are what it holds (e.g. a results store).
    """
    valid = sorted(valid)
    close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    listing = ", ".join(valid) if valid else "(none registered)"
    if where:
        return InputError(f"{where} has no runs of {kind} {name!r}.{hint} It has runs of: {listing or '(none)'}.")
    return InputError(f"unknown {kind} {name!r}.{hint} Valid {kind} names: {listing}.")
