"""The store's schema as SQLAlchemy Core tables: the one definition reads, writes and views share.

Reading needs only these tables (no ORM import: `advisor recommend` pays for SQL Core alone); the
ORM classes in `advisor.store.models` map onto the same tables for writing. "The latest COMPLETE
run of each family, sampler, dataset, seed and budget" is defined once, by `latest_complete_ids`,
and the plain SQL view `latest_metrics` (for `sqlite3 results.db` and datasette users) is compiled
from it when a store is created or upgraded, so the view and the Python reads cannot disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)

from advisor.store.status import MetricFlag, RunStatus

__all__ = [
    "SCHEMA_VERSION",
    "metadata",
    "meta",
    "families",
    "datasets",
    "runs",
    "metrics",
    "samples",
    "calibration",
    "latest_complete_ids",
    "latest_final_ids",
    "view_definitions",
    "utcnow",
]

#: 2: run status is an enum column with a CHECK constraint; index for the latest-run lookups.
#: 3: no password in the stored bench log (masked by the upgrade, never written since).
#: 4: the `calibration` table (quality metrics on reference sample sets, which grades are read from).
SCHEMA_VERSION = 4


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


metadata = MetaData()

#: Key/value facts about the store itself; `schema_version` is always present.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: A family as last registered: its card and the plugin that provided it.
families = Table(
    "families",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("plugin", Text, nullable=False),
    Column("version", String(64)),
    Column("card", JSON, nullable=False),
)

#: A dataset as last registered: its card and the plugin that provided it.
datasets = Table(
    "datasets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("plugin", Text, nullable=False),
    Column("card", JSON, nullable=False),
)

RUN_STATUS_TYPE = Enum(
    RunStatus,
    name="run_status",
    native_enum=False,  # a VARCHAR with a CHECK constraint on every database: portable, no type to migrate
    create_constraint=True,
    length=16,
    validate_strings=True,
)

#: One evaluation of one sampler of a family on a dataset, seed and budget.
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("family", String(64), ForeignKey("families.name"), nullable=False),
    Column("sampler", String(64), nullable=False),
    Column("dataset", String(64), ForeignKey("datasets.name"), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("budget", String(32), nullable=False),
    Column("status", RUN_STATUS_TYPE, nullable=False, index=True),
    Column("error", Text),
    Column("device", String(32), nullable=False),
    Column("data_hash", String(64)),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("heartbeat_at", DateTime),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("fit", JSON),
    Column("provenance", JSON),
    Index("ix_runs_cell", "family", "dataset", "seed", "budget", "sampler"),
    # covers "the latest COMPLETE run per seed" (SQLite appends the rowid, i.e. runs.id, to every index)
    Index("ix_runs_latest", "budget", "status", "family", "sampler", "dataset", "seed"),
)

#: One metric value of one run.
metrics = Table(
    "metrics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("value", Float),
    Column("unit", String(32), nullable=False),
    Column("higher_is_better", Boolean, nullable=False),
    Column("kind", String(16)),
    Column("flag", String(16), nullable=False, default=MetricFlag.OK.value),
    Column("note", Text),
    UniqueConstraint("run_id", "name"),
)

#: A small array of generated samples kept for plots (raw float32 bytes, C order).
samples = Table(
    "samples",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("rows", Integer, nullable=False),
    Column("cols", Integer, nullable=False),
    Column("dtype", String(16), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

#: A quality metric's value on one reference sample set of known quality, one seed
#: (`advisor.metrics.calibration`): `ladder_step` is the set's place among the real rows (0) and the
#: noise levels from mildest (1) to strongest; NULL for the other probes (a mode left out, copies...).
calibration = Table(
    "calibration",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(64), nullable=False),
    Column("budget", String(32), nullable=False),
    Column("metric", String(64), nullable=False),
    Column("reference_set", String(32), nullable=False),
    Column("ladder_step", Integer),
    Column("seed", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    UniqueConstraint("dataset", "budget", "metric", "reference_set", "seed"),
)


def latest_complete_ids(*where: object) -> Select:
    """Ids of the latest COMPLETE run of each family, sampler, dataset, seed and budget within `where`.

    A re-run of a cell replaces its earlier runs in every answer, table, report and view.
    """
    return _latest_ids(runs.c.status == RunStatus.COMPLETE, *where)


def latest_final_ids(*where: object) -> Select:
    """Ids of the latest final run (COMPLETE or a failure) of each cell within `where`.

    What a cell's outcome is: a cell that timed out and completed when run again counts once, as
    COMPLETE, and a cell re-run with `--rerun` counts once, not twice.
    """
    return _latest_ids(runs.c.status.in_([s for s in RunStatus if s.is_final]), *where)


def _latest_ids(status_condition: object, *where: object) -> Select:
    return (
        select(func.max(runs.c.id).label("id"))
        .where(status_condition, *where)
        .group_by(runs.c.budget, runs.c.family, runs.c.sampler, runs.c.dataset, runs.c.seed)
    )


def _latest_metrics_view() -> Select:
    latest = latest_complete_ids().subquery()
    return (
        select(
            runs.c.id.label("run_id"),
            runs.c.family,
            runs.c.sampler,
            runs.c.dataset,
            runs.c.seed,
            runs.c.budget,
            runs.c.device,
            runs.c.finished_at,
            metrics.c.name.label("metric"),
            metrics.c.value,
            metrics.c.unit,
            metrics.c.higher_is_better,
            metrics.c.kind,
            metrics.c.flag,
        )
        .join(latest, latest.c.id == runs.c.id)
        .join(metrics, metrics.c.run_id == runs.c.id)
    )


def view_definitions(dialect: object) -> dict[str, str]:
    """Each view's name and its SELECT, compiled for `dialect` with literal values (views take no parameters)."""
    return {
        name: str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for name, query in {"latest_metrics": _latest_metrics_view()}.items()
    }
