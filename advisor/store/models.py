"""ORM classes for writing the store, mapped onto the Core tables of `advisor.store.schema`.

Only writers import this module (claiming cells, finishing runs, building test stores): it pulls in
`sqlalchemy.orm`, which the read path never needs. Every column is declared once, in schema.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from advisor.store import schema
from advisor.store.status import RunStatus

__all__ = ["Base", "Meta", "FamilyRow", "DatasetRow", "Run", "MetricRow", "SampleRow"]


class Base(DeclarativeBase):
    """Declarative base sharing the Core tables' metadata."""

    metadata = schema.metadata


class Meta(Base):
    """Key/value facts about the store itself; `schema_version` is always present."""

    __table__ = schema.meta

    key: Mapped[str]
    value: Mapped[str]


class FamilyRow(Base):
    """A family as last registered: its card and the plugin that provided it."""

    __table__ = schema.families

    name: Mapped[str]
    title: Mapped[str]
    plugin: Mapped[str]
    version: Mapped[str | None]
    card: Mapped[dict[str, Any]]


class DatasetRow(Base):
    """A dataset as last registered: its card and the plugin that provided it."""

    __table__ = schema.datasets

    name: Mapped[str]
    plugin: Mapped[str]
    card: Mapped[dict[str, Any]]


class Run(Base):
    """One evaluation of one sampler of a family on a dataset, seed and budget."""

    __table__ = schema.runs

    id: Mapped[int]
    family: Mapped[str]
    sampler: Mapped[str]
    dataset: Mapped[str]
    seed: Mapped[int]
    budget: Mapped[str]
    status: Mapped[RunStatus]
    error: Mapped[str | None]
    device: Mapped[str]
    data_hash: Mapped[str | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    host: Mapped[str | None]
    pid: Mapped[int | None]
    fit: Mapped[dict[str, Any] | None]
    provenance: Mapped[dict[str, Any] | None]

    metrics: Mapped[list[MetricRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="MetricRow.name"
    )


class MetricRow(Base):
    """One metric value of one run."""

    __table__ = schema.metrics

    id: Mapped[int]
    run_id: Mapped[int]
    name: Mapped[str]
    value: Mapped[float | None]
    unit: Mapped[str]
    higher_is_better: Mapped[bool]
    kind: Mapped[str | None]
    flag: Mapped[str]
    note: Mapped[str | None]

    run: Mapped[Run] = relationship(back_populates="metrics")


class SampleRow(Base):
    """A small array of generated samples kept for plots (raw float32 bytes, C order)."""

    __table__ = schema.samples

    run_id: Mapped[int]
    rows: Mapped[int]
    cols: Mapped[int]
    dtype: Mapped[str]
    data: Mapped[bytes]
