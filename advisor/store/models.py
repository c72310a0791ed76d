"""ORM models of the results store (SQLAlchemy 2.x) and the plain-SQL views beside them.

Tables: `meta` (schema version), `families` and `datasets` (cards as JSON), `runs` (one per family x
sampler x dataset x seed x budget attempt, with status and provenance), `metrics` (one row per run and
metric, with unit, direction, likelihood kind and a flag for nan / inf / not-applicable / error) and
`samples` (a small array per run, for plots). `latest_metrics` is a view for SQL users.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "SCHEMA_VERSION",
    "RUN_STATUSES",
    "Base",
    "Meta",
    "FamilyRow",
    "DatasetRow",
    "Run",
    "MetricRow",
    "SampleRow",
    "VIEWS",
    "utcnow",
]

SCHEMA_VERSION = 1

RUN_STATUSES = ("PENDING", "RUNNING", "COMPLETE", "FAILED", "INVALID", "TIMEOUT", "CRASHED", "INTERRUPTED")


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table in the store."""

    type_annotation_map = {dict[str, Any]: JSON}


class Meta(Base):
    """Key/value facts about the store itself; `schema_version` is always present."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class FamilyRow(Base):
    """A family as last registered: its card and the plugin that provided it."""

    __tablename__ = "families"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    plugin: Mapped[str] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(64))
    card: Mapped[dict[str, Any]]


class DatasetRow(Base):
    """A dataset as last registered: its card and the plugin that provided it."""

    __tablename__ = "datasets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    plugin: Mapped[str] = mapped_column(Text)
    card: Mapped[dict[str, Any]]


class Run(Base):
    """One evaluation of one sampler of a family on a dataset, seed and budget."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_cell", "family", "dataset", "seed", "budget", "sampler"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(ForeignKey("families.name"))
    sampler: Mapped[str] = mapped_column(String(64))
    dataset: Mapped[str] = mapped_column(ForeignKey("datasets.name"))
    seed: Mapped[int]
    budget: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str] = mapped_column(String(32))
    data_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    fit: Mapped[dict[str, Any] | None]
    provenance: Mapped[dict[str, Any] | None]

    metrics: Mapped[list[MetricRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="MetricRow.name"
    )


class MetricRow(Base):
    """One metric value of one run."""

    __tablename__ = "metrics"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(32))
    higher_is_better: Mapped[bool]
    kind: Mapped[str | None] = mapped_column(String(16))
    flag: Mapped[str] = mapped_column(String(16), default="ok")
    note: Mapped[str | None] = mapped_column(Text)

    run: Mapped[Run] = relationship(back_populates="metrics")


class SampleRow(Base):
    """A small array of generated samples kept for plots (raw float32 bytes, C order)."""

    __tablename__ = "samples"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    rows: Mapped[int]
    cols: Mapped[int]
    dtype: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary)


VIEWS = {
    "latest_metrics": """
        SELECT r.id AS run_id, r.family, r.sampler, r.dataset, r.seed, r.budget, r.device,
               r.finished_at, m.name AS metric, m.value, m.unit, m.higher_is_better, m.kind, m.flag
        FROM runs r JOIN metrics m ON m.run_id = r.id
        WHERE r.status = 'COMPLETE'
          AND r.id = (SELECT MAX(r2.id) FROM runs r2
                      WHERE r2.status = 'COMPLETE' AND r2.family = r.family AND r2.sampler = r.sampler
                        AND r2.dataset = r.dataset AND r2.seed = r.seed AND r2.budget = r.budget)
    """,
}
