"""Packing an SQLite store into one self-contained file, for committing or shipping.

A store written by a bench is in WAL mode: recent writes may still sit in ``results.db-wal``, and
every reader, even a read-only one, needs to create ``results.db-shm`` beside it, which fails where
the directory cannot be written (an installed package). Packing folds the log into the file,
switches it to a rollback journal (which a reader never has to create) and VACUUMs it. The next
bench that writes to it switches it back to WAL by itself. Optionally it first drops the stored
samples of runs a re-run superseded (their runs and metrics stay, as history): no answer, table or
report reads them, and on a regenerated store they are a third of the file. For shipping, it can also
keep only the samples of each candidate's first seed on each dataset: the run the report draws
(`report.html` takes the lowest seed), and a third of what three seeds store.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import StoreError
from advisor.store.engine import open_store

__all__ = ["Packed", "pack"]


@dataclass(frozen=True)
class Packed:
    """Sizes of the store before (file plus its write-ahead log) and after packing, in bytes."""

    before: int
    after: int
    dropped_samples: int = 0  # runs whose stored samples were dropped (superseded, or of a later seed)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def pack(
    path: str | Path,
    *,
    drop_superseded_samples: bool = False,
    first_seed_samples: bool = False,
    sample_rows: int | None = None,
) -> Packed:
    """Checkpoint, switch to a rollback journal and VACUUM the SQLite store at `path`; with
    `drop_superseded_samples`, first delete the samples of every run that is not its cell's latest
    COMPLETE run; with `first_seed_samples`, also those of every seed but each candidate's lowest on each
    dataset and budget; with `sample_rows`, keep at most that many rows of each stored sample (the first:
    samples are independent draws, so the first rows are a fair subset)."""
    if "://" in str(path):
        raise StoreError("only an SQLite store file can be packed; a database server keeps its own files")
    path = Path(path)
    open_store(path, readonly=True).close()  # refuses what is not a results store of this schema
    before = _size(path)
    dropped = (
        _drop_samples(path, first_seed_only=first_seed_samples) if drop_superseded_samples or first_seed_samples else 0
    )
    if sample_rows is not None:
        _truncate_samples(path, sample_rows)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if mode != "delete":
            raise StoreError(f"{str(path)!r} is open in another process (a running bench?); stop it, then pack again")
        connection.execute("VACUUM")
    except sqlite3.OperationalError as exc:
        busy = "locked" in str(exc) or "busy" in str(exc)
        hint = "stop the processes using it and try again" if busy else "check that its directory can be written"
        raise StoreError(f"cannot pack {str(path)!r}: {exc}; {hint}") from None
    finally:
        connection.close()
    return Packed(before, _size(path), dropped)


def _truncate_samples(path: Path, rows: int) -> None:
    """Keep the first `rows` rows of every stored sample that has more."""
    import numpy as np
    from sqlalchemy import select, update

    from advisor.store.schema import samples

    with open_store(path) as store, store.session() as session:
        longer = select(samples.c.run_id, samples.c.cols, samples.c.dtype, samples.c.data).where(samples.c.rows > rows)
        for run_id, cols, dtype, data in session.execute(longer).all():
            kept = data[: rows * cols * np.dtype(dtype).itemsize]
            session.execute(update(samples).where(samples.c.run_id == run_id).values(rows=rows, data=kept))


def _drop_samples(path: Path, *, first_seed_only: bool) -> int:
    """Delete the stored samples of runs superseded by a later COMPLETE run of their cell and, with
    `first_seed_only`, of every seed but each candidate's lowest per dataset and budget; how many."""
    from sqlalchemy import and_, delete, func, select

    from advisor.store.schema import latest_complete_ids, runs, samples

    latest = latest_complete_ids().subquery()
    kept = select(latest.c.id)
    if first_seed_only:
        cell = (runs.c.family, runs.c.sampler, runs.c.dataset, runs.c.budget)
        latest_runs = select(runs).join(latest, latest.c.id == runs.c.id).subquery()
        first = (
            select(*(latest_runs.c[c.name] for c in cell), func.min(latest_runs.c.seed).label("seed"))
            .group_by(*(latest_runs.c[c.name] for c in cell))
            .subquery()
        )
        kept = select(latest_runs.c.id).join(
            first, and_(*(latest_runs.c[c.name] == first.c[c.name] for c in (*cell, runs.c.seed)))
        )
    with open_store(path) as store, store.session() as session:
        return session.execute(delete(samples).where(samples.c.run_id.not_in(kept))).rowcount
