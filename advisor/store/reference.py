"""The results store shipped with the advisor, and which store a read-only question should use."""

from __future__ import annotations

import os
from pathlib import Path

from advisor.store.engine import default_db

__all__ = ["reference_store", "choose_store"]


def reference_store() -> Path | None:
    """The results.db shipped beside the package (source checkout or editable install), if present."""
    path = Path(__file__).resolve().parents[2] / "results.db"
    return path if path.is_file() else None


def choose_store(db: str | None) -> tuple[str, str | None]:
    """The store to read and, when falling back to the shipped one, a note saying so.

    An explicit --db or $ADVISOR_DB wins; otherwise ./results.db when it exists, else the shipped store.
    """
    explicit = db or os.environ.get("ADVISOR_DB")
    if explicit:
        return explicit, None
    local = default_db()
    shipped = reference_store()
    if shipped is not None and not Path(local).is_file():
        return str(shipped), f"no {local} here; answering from the shipped reference store {shipped}"
    return local, None
