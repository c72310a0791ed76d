"""Bench bookkeeping in the store: the cells a bench runs, and claiming, beating and finishing them.

Concurrent benches on one store run every cell exactly once: a cell is claimed by inserting its
RUNNING runs under a lock (SQLite's write lock, or `LOCK TABLE runs` on other databases), a running
bench beats on its runs, and a bench that starts marks the RUNNING runs of dead benches
INTERRUPTED. A cell's metrics and samples land in one transaction with its final status. The
catalog of family and dataset cards and the log of benches that wrote the store are kept here too.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from advisor.store.engine import Store
from advisor.store.models import DatasetRow, FamilyRow, Meta, MetricRow, Run, SampleRow
from advisor.store.read import BENCH_LOG_KEY, complete_samplers
from advisor.store.schema import utcnow
from advisor.store.secrets import masked_entry
from advisor.store.status import MetricFlag, RunStatus

if TYPE_CHECKING:
    from advisor.data.base import Dataset
    from advisor.evaluate.protocol import RunOutcome
    from advisor.plugins import Registry

__all__ = [
    "Cell",
    "sync_catalog",
    "record_bench",
    "cell_is_complete",
    "claim_cell",
    "heartbeat",
    "recover_interrupted",
    "finish_runs",
]


@dataclass(frozen=True)
class Cell:
    """One unit of bench work: a family fit once on a dataset with a seed and budget."""

    family: str
    dataset: str
    seed: int
    budget: str


def sync_catalog(store: Store, registry: Registry, families: Iterable[str], datasets: Mapping[str, Dataset]) -> None:
    """Record (or refresh) the cards of the given families and datasets in the store."""
    with store.session() as session:
        _lock_runs(session)  # concurrent benches refresh the catalog in turn (merge is select-then-insert)
        for name in families:
            card, plugin = registry.family(name).card, registry.family_plugin(name)
            session.merge(
                FamilyRow(
                    name=name,
                    title=card.title,
                    plugin=plugin.source,
                    version=plugin.version,
                    card=card.model_dump(mode="json"),
                )
            )
        for name, dataset in datasets.items():
            entry = registry.datasets.get(name)
            source = entry.plugin.source if entry else f"user data {dataset.card.title}"
            card = dataset.catalog_card().model_dump(mode="json")
            session.merge(DatasetRow(name=name, plugin=source, card=card))


def cell_is_complete(store: Store, cell: Cell, samplers: Sequence[str]) -> bool:
    """Whether every sampler of `cell` already has a COMPLETE run in the store."""
    with store.connect() as conn:
        done = complete_samplers(conn, cell.family, cell.dataset, cell.seed, cell.budget)
    return set(samplers) <= done


def record_bench(store: Store, entry: Mapping[str, Any]) -> None:
    """Append one bench invocation (its command, start time, host, source revision) to the store's log.

    Text values are stored with any URL's password masked: a `--db postgresql://user:PW@...` on the
    command line never reaches the store.
    """
    with store.session() as session:
        _lock_runs(session)  # concurrent benches append in turn
        row = session.get(Meta, BENCH_LOG_KEY)
        log = json.loads(row.value) if row else []
        log.append(masked_entry(entry))
        if row is None:
            session.add(Meta(key=BENCH_LOG_KEY, value=json.dumps(log)))
        else:
            row.value = json.dumps(log)


def _lock_runs(session: Session) -> None:
    """Serialize cell claims: SQLite already holds the write lock (BEGIN IMMEDIATE); others lock `runs`."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE runs IN SHARE ROW EXCLUSIVE MODE"))


def claim_cell(
    store: Store, cell: Cell, samplers: Sequence[str], device: str, stale_after_s: float, *, rerun: bool = False
) -> list[int] | None:
    """Atomically insert one RUNNING run per sampler of `cell` and return their ids.

    Returns None, inserting nothing, when the cell is already COMPLETE (unless `rerun`) or another
    live bench is running it (a RUNNING run with a heartbeat younger than `stale_after_s`), so concurrent benches
    on one store run every cell exactly once.
    """
    now = utcnow()
    with store.session() as session:
        _lock_runs(session)
        existing = session.execute(
            select(Run.sampler, Run.status, Run.heartbeat_at).where(
                Run.family == cell.family,
                Run.dataset == cell.dataset,
                Run.seed == cell.seed,
                Run.budget == cell.budget,
                Run.status.in_((RunStatus.COMPLETE, RunStatus.RUNNING)),
            )
        ).all()
        if not rerun and set(samplers) <= {sampler for sampler, status, _ in existing if status is RunStatus.COMPLETE}:
            return None
        if any(status is RunStatus.RUNNING and _age_s(beat, now) < stale_after_s for _, status, beat in existing):
            return None
        runs = [
            Run(
                family=cell.family,
                sampler=sampler,
                dataset=cell.dataset,
                seed=cell.seed,
                budget=cell.budget,
                status=RunStatus.RUNNING,
                device=device,
                started_at=now,
                heartbeat_at=now,
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            for sampler in samplers
        ]
        session.add_all(runs)
        session.flush()
        return [run.id for run in runs]


def _age_s(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return float("inf")
    if moment.tzinfo is None:  # SQLite returns naive datetimes; they are stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return (now - moment).total_seconds()


def heartbeat(store: Store, run_ids: Sequence[int]) -> None:
    """Mark `run_ids` as still being worked on."""
    if run_ids:
        with store.session() as session:
            session.execute(update(Run).where(Run.id.in_(run_ids)).values(heartbeat_at=utcnow()))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(store: Store, stale_after_s: float) -> int:
    """Mark RUNNING runs whose bench died as INTERRUPTED; returns how many.

    A run is orphaned when its bench process is gone from this host, or when its heartbeat is older
    than `stale_after_s` (a bench on another host that stopped beating).
    """
    now, host = utcnow(), socket.gethostname()
    with store.session() as session:
        _lock_runs(session)
        orphaned = [
            run
            for run in session.scalars(select(Run).where(Run.status == RunStatus.RUNNING))
            if (run.host == host and run.pid is not None and not _process_alive(run.pid))
            or _age_s(run.heartbeat_at, now) >= stale_after_s
        ]
        for run in orphaned:
            run.status, run.finished_at = RunStatus.INTERRUPTED, now
            run.error = f"the bench running it (pid {run.pid} on {run.host}) stopped before it finished"
        return len(orphaned)


def finish_runs(store: Store, run_ids: Sequence[int], outcomes: Sequence[RunOutcome]) -> None:
    """Write each outcome's status, metrics and samples onto its run, all in one transaction."""
    now = utcnow()
    with store.session() as session:
        for run_id, outcome in zip(run_ids, outcomes, strict=True):
            run = session.get(Run, run_id)
            run.status, run.error = RunStatus(outcome.status), outcome.error
            run.finished_at = run.heartbeat_at = now
            run.fit, run.provenance = outcome.fit, outcome.provenance
            run.data_hash = outcome.provenance.get("data_hash")
            run.metrics = [
                MetricRow(
                    name=m.name,
                    value=m.value,
                    unit=m.unit,
                    higher_is_better=m.higher_is_better,
                    kind=m.kind,
                    flag=MetricFlag(m.flag).value,
                    note=m.note,
                )
                for m in outcome.metrics
            ]
            if outcome.samples is not None:
                array = outcome.samples
                session.merge(
                    SampleRow(
                        run_id=run_id,
                        rows=array.shape[0],
                        cols=array.shape[1],
                        dtype="float32",
                        data=array.astype("float32").tobytes(),
                    )
                )
