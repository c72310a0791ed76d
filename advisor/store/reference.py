"""The results store shipped with the advisor, and which store a read-only question should use.

The shipped store is the top-level results.db of the source tree. A source checkout or an editable
install finds it beside the package; a wheel installs a copy as data under `<prefix>/share/advisor/`
(pyproject's `data-files`), so a plain `pip install` answers from any working directory too.
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from advisor.errors import StoreError
from advisor.store.engine import default_db, open_store
from advisor.store.read import has_complete_run

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
        with open_store(path, readonly=True, check_schema=False) as store, store.connect() as conn:
            return has_complete_run(conn)
    except (StoreError, SQLAlchemyError):
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
