"""A user's own table (CSV or NPY) as a dataset: read as written, typed, cleaned, and encoded once for all.

`load_user_data` reads the file (reading.py), gives each column its codec and applies the
missing-value policy (codec/), and returns a `UserDataset` whose splits every family sees in the same
encoding; each split carries its fitted `TableCodec` (as `Split.encoder`), so generated rows decode
back to the user's columns. A table larger than the budget's data sizes is subsampled (per seed, stated in the notes).
The dataset is named ``user-<file stem>-<hash prefix>``; the hash covers the data and the options
that change what the models see, so different files or choices never collide.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import
from advisor.cards import DatasetCard
from advisor.data.base import Dataset, Split, dataset_rng
from advisor.data.bundled import TEST_FRACTION, stratified_split
from advisor.data.meta_features import table_meta_features
from advisor.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from advisor.budgets import Budget
    from advisor.data.codec import TableCodec
    from advisor.data.reading import ReadReport
    from advisor.data.schema import MissingPolicy, TableSchema
else:
    np = lazy_import("numpy")

__all__ = ["TableOptions", "UserDataset", "load_user_data", "describe_table", "read_codec", "MIN_ROWS"]

#: fewest rows a file may have: the 80/20 split must leave 10 test rows for the two-sample metrics
MIN_ROWS = 50


@dataclass(frozen=True)
class TableOptions:
    """How to read and type a user's table (each has a command-line flag of the same name)."""

    label_column: str | None = None
    categorical: tuple[str, ...] = ()
    ordinal: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    dayfirst: bool = False
    missing: MissingPolicy = "indicator"
    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    extra_notes: tuple[str, ...] = field(default=(), compare=False)


def describe_table(path: str | Path, options: TableOptions = TableOptions()) -> tuple[TableSchema, ReadReport]:
    """Read `path` and infer its schema (what `advisor data describe` shows), without encoding it."""
    codec, report = read_codec(path, options)
    return codec.schema, report


def read_codec(path: str | Path, options: TableOptions = TableOptions()) -> tuple[TableCodec, ReadReport]:
    """Read `path` and give each column its codec (fitted on the file, not yet on a split)."""
    _frame, codec, report = _read_and_type(Path(path), options)
    return codec, report


def _read_and_type(path: Path, options: TableOptions) -> tuple[pd.DataFrame, TableCodec, ReadReport]:
    from advisor.data.codec import TableCodec, Typing
    from advisor.data.reading import read_table

    frame, report = read_table(path, sep=options.sep, decimal=options.decimal, encoding=options.encoding)
    label = _label_name(frame, options.label_column, path)
    typing = Typing(label, options.categorical, options.ordinal, options.drop, options.missing, options.dayfirst)
    try:
        codec = TableCodec.infer(frame, typing)
    except InputError as exc:
        raise InputError(f"{path}, {exc}" if str(exc).startswith("row ") else f"{path}: {exc}") from None
    return frame, codec, report


def _file_digest(path: Path, options: str) -> str:
    """SHA-256 of the file's bytes (read in chunks) and the options that change what models see."""
    digest = hashlib.sha256()
    if path.is_file():  # a shipped or user file; tests may build a dataset from a frame alone
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    digest.update(options.encode())
    return digest.hexdigest()


def _label_name(frame: pd.DataFrame, label_column: str | None, path: str | Path) -> str | None:
    if label_column is None:
        return None
    if label_column in frame.columns:
        return label_column
    if label_column.isdigit() and int(label_column) < len(frame.columns):
        return str(frame.columns[int(label_column)])
    raise InputError(f"{path}: no label column {label_column!r}; columns are {', '.join(map(str, frame.columns))}")


class UserDataset(Dataset):
    """A user's table: typed rows, optional labels, and the codec every split is encoded with."""

    def __init__(self, path: Path, frame: pd.DataFrame, codec: TableCodec, report: ReadReport) -> None:
        from advisor.data.codec.categories import as_text

        self.path, self.codec, self.schema, self.report = path, codec, codec.schema, report
        typed = codec.typed(frame)
        self.labels = None
        if self.schema.label:
            labels = as_text(frame.loc[typed.index, self.schema.label]).fillna("(missing)")
            classes = sorted(labels.unique())
            self.labels = labels.map(classes.index).to_numpy(np.int64)
        self.frame = typed.reset_index(drop=True)
        self.columns = codec.names
        digest = _file_digest(path, repr((self.schema.to_dict(), report.sep, report.decimal)))
        slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "data"
        self.card = DatasetCard(
            name=f"user-{slug}-{digest[:8]}",
            title=f"{path.name} ({len(self.frame)} rows)",
            kind="2d" if codec.dims == 2 else "tabular",
            dims=codec.dims,
            classes=int(self.labels.max()) + 1 if self.labels is not None else 0,
            size=len(self.frame),
            encoding=codec.describe(),
            description=f"user data from {path.name}; columns: {', '.join(codec.column_names)}",
            meta=table_meta_features(codec, typed) if codec.dims != 2 else None,
        )

    def notes(self, budget: Budget | None = None) -> list[str]:
        """What was done to the data, for the answer: left-out columns, missing values, subsampling."""
        notes = [f"{self.path.name}: {note}" for note in self.schema.notes]
        if budget is not None and self.rows_for(budget) < len(self.frame):
            notes.append(
                f"{self.path.name}: {self.rows_for(budget)} of {len(self.frame)} rows used per seed "
                f"(the {budget.name} budget's data size), drawn anew for each seed"
            )
        return notes + [f"{self.path.name}: likelihoods are in its encoding: {self.card.encoding}"]

    def rows_for(self, budget: Budget) -> int:
        """How many rows a split at `budget` uses (all of them, unless the table is larger than its sizes)."""
        return min(len(self.frame), budget.n_train + budget.n_test)

    def split(self, budget: Budget, seed: int, name: str | None = None) -> Split:
        """Stratified (when labelled) 80/20 split of the rows for `seed`, encoded with the training rows.

        `name` seeds the split instead of the card's name (a shipped table registered under its own).
        """
        rng = dataset_rng(name or self.card.name, seed)
        rows = np.arange(len(self.frame))
        if len(rows) > self.rows_for(budget):  # a large table: the budget's data sizes, per seed
            rows = np.sort(rng.choice(rows, self.rows_for(budget), replace=False))
        labels = self.labels[rows] if self.labels is not None else None
        train_rows, test_rows, train_labels, test_labels = stratified_split(rows, labels, rng)
        train_table = self.frame.iloc[train_rows]
        encoder, train = self.codec.fitted(train_table, rng)
        test = encoder.encode(self.frame.iloc[test_rows], rng)
        return Split(train, test, train_labels, test_labels, encoder=encoder, train_table=train_table)


def load_user_data(path: str | Path, options: TableOptions | str | None = None) -> UserDataset:
    """Read, type and validate a .csv or .npy table; InputError naming the file, row and column at fault.

    `options` may be a `TableOptions` or, for short, the name or index of the label column.
    """
    if not isinstance(options, TableOptions):
        options = TableOptions(label_column=options)
    path = Path(path)
    frame, codec, report = _read_and_type(path, options)
    schema = codec.schema
    usable = schema.rows - schema.rows_dropped
    if usable < MIN_ROWS:
        raise InputError(
            f"{path}: {usable} data rows; at least {MIN_ROWS} are needed (the {1 - TEST_FRACTION:.0%}/"
            f"{TEST_FRACTION:.0%} split must leave {int(MIN_ROWS * TEST_FRACTION)} rows to test samples against), "
            "and far more to learn anything"
        )
    dataset = UserDataset(path, frame, codec, report)
    if dataset.card.dims < 2:
        raise InputError(
            f"{path}: {dataset.card.dims} modelled column ({', '.join(c.name for c in schema.modelled)}); "
            "generative models here need at least 2 encoded dimensions"
        )
    return dataset
