"""Reading the store: runs with their metrics and samples, filters, the bench log, read-only SQL.

Writing runs (claiming cells, heartbeats, finishing) lives in `advisor.store.cells`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from advisor.errors import InputError, unknown_name
from advisor.store.cells import BENCH_LOG_KEY
from advisor.store.engine import Store
from advisor.store.models import Meta, Run, SampleRow

if TYPE_CHECKING:
    import numpy as np

__all__ = ["bench_log", "list_runs", "check_filters", "get_run", "load_samples", "run_to_dict", "run_sql"]


def bench_log(session: Session) -> list[dict[str, Any]]:
    """Every recorded bench invocation, oldest first (how the store's runs were made)."""
    value = session.execute(select(Meta.value).where(Meta.key == BENCH_LOG_KEY)).scalar()
    return json.loads(value) if value else []


def list_runs(
    session: Session,
    *,
    ids: Sequence[int] = (),
    families: Sequence[str] = (),
    datasets: Sequence[str] = (),
    budget: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[Run]:
    """Runs matching the filters, newest first, with their metrics loaded."""
    query = select(Run).options(selectinload(Run.metrics)).order_by(Run.id.desc())
    if ids:
        query = query.where(Run.id.in_(ids))
    if families:
        query = query.where(Run.family.in_(families))
    if datasets:
        query = query.where(Run.dataset.in_(datasets))
    if budget:
        query = query.where(Run.budget == budget)
    if status:
        query = query.where(Run.status == status.upper())
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def check_filters(
    store: Store, *, budget: str | None = None, datasets: Iterable[str] = (), families: Iterable[str] = ()
) -> None:
    """Refuse a filter naming a budget, dataset or family the store has no run of (a typo, usually)."""
    wanted = (("budget", Run.budget, [budget] if budget else []), ("dataset", Run.dataset, list(datasets)))
    wanted += (("family", Run.family, list(families)),)
    with store.engine.connect() as conn:
        for kind, column, names in wanted:
            if not names:
                continue
            present = set(conn.execute(select(column).distinct()).scalars())
            for name in names:
                if name not in present:
                    raise unknown_name(kind, name, present, where=f"the store {store.location}")


def get_run(session: Session, run_id: int) -> Run:
    """The run with id `run_id`; InputError if there is none."""
    run = session.get(Run, run_id, options=[selectinload(Run.metrics)])
    if run is None:
        raise InputError(f"no run with id {run_id}; list runs with `advisor results list`")
    return run


def load_samples(session: Session, run_id: int) -> np.ndarray | None:
    """The stored sample array of a run, or None when none was stored."""
    import numpy as np

    row = session.get(SampleRow, run_id)
    if row is None:
        return None
    return np.frombuffer(row.data, dtype=row.dtype).reshape(row.rows, row.cols)


def run_to_dict(run: Run, *, details: bool = False) -> dict[str, Any]:
    """A JSON-ready view of a run and its metrics; `details` adds fit report and provenance."""
    data: dict[str, Any] = {
        "id": run.id,
        "family": run.family,
        "sampler": run.sampler,
        "dataset": run.dataset,
        "seed": run.seed,
        "budget": run.budget,
        "status": run.status,
        "error": run.error,
        "device": run.device,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "metrics": {
            m.name: {
                "value": m.value,
                "unit": m.unit,
                "higher_is_better": m.higher_is_better,
                "kind": m.kind,
                "flag": m.flag,
                **({"note": m.note} if m.note else {}),
            }
            for m in run.metrics
        },
    }
    if details:
        data.update(data_hash=run.data_hash, host=run.host, pid=run.pid, fit=run.fit, provenance=run.provenance)
    return data


def run_sql(store: Store, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Execute one SQL statement on a read-only store; InputError for a write or a bad statement."""
    if not store.readonly:
        raise ValueError("run_sql needs a store opened with readonly=True")
    try:
        with store.engine.connect() as conn:
            result = conn.execute(text(sql))
            if not result.returns_rows:
                raise InputError("the statement returned no rows; `advisor results sql` only reads")
            return list(result.keys()), [tuple(row) for row in result]
    except DBAPIError as exc:
        message = str(exc.orig)
        if "readonly" in message or "read-only" in message or "query_only" in message.replace(" ", "_"):
            raise InputError(f"refused: the store is opened read-only and the statement writes ({message})") from exc
        raise InputError(f"SQL error: {message}") from exc
