"""The results store shipped with the advisor, and which store a read-only question should use.

The shipped store is the top-level results.db of the source tree. A source checkout or an editable
install finds it beside the package; a wheel installs a copy as data under `<prefix>/share/advisor/`
(pyproject's `data-files`), so a plain `pip install` answers from any working directory too.
"""

from __future__ import annotations

import os
import sqlite3
import sysconfig
from pathlib import Path

from advisor.store.engine import default_db

__all__ = ["reference_store", "choose_store", "has_measurements"]

SHIPPED_NAME = "results.db"


def reference_store() -> Path | None:
    """The shipped results.db: beside the package in a source tree, else in the install's data files."""
    candidates = (
        Path(__file__).resolve().parents[2] / SHIPPED_NAME,
        Path(sysconfig.get_path("data")) / "share" / "advisor" / SHIPPED_NAME,
    )
    return next((path for path in candidates if path.is_file()), None)


def has_measurements(path: str) -> bool:
    """False only when `path` is a readable SQLite store without a single COMPLETE run.

    Anything this cannot read (not SQLite, another schema) counts as measured, so that opening it
    reports the real problem instead of silently answering from another store.
    """
    try:
        with sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT 1 FROM runs WHERE status = 'COMPLETE' LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return True


def choose_store(db: str | None) -> tuple[str, str | None]:
    """The store to read and, when falling back to the shipped one, a note saying so.

    An explicit --db or $ADVISOR_DB wins; otherwise ./results.db when it holds measurements, else
    the shipped store.
    """
    explicit = db or os.environ.get("ADVISOR_DB")
    if explicit:
        return explicit, None
    local = default_db()
    shipped = reference_store()
    if shipped is None or (Path(local).is_file() and Path(local).resolve() == shipped):
        return local, None
    if not Path(local).is_file():
        return str(shipped), f"no {local} here; answering from the shipped reference store {shipped}"
    if not has_measurements(local):
        return str(shipped), f"{local} has no completed runs yet; answering from the shipped reference store {shipped}"
    return local, None
