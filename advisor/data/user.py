"""A user's own data from a CSV or NPY file, validated with errors that name the file, row and column.

CSV: comma-separated, an optional header row (detected: a non-numeric cell above a numeric one),
every other cell a finite number; the optional label column may hold any strings (they are encoded
as integer classes). NPY: a 2-D numeric array loaded with ``allow_pickle=False``; the label column
is given by index. Features are standardized with training statistics, like the bundled tabular
sets; the dataset is named ``user-<file stem>-<hash prefix>`` so different files never collide.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import
from advisor.cards import DatasetCard
from advisor.data.base import Dataset, Split, dataset_rng
from advisor.data.bundled import standardize, stratified_split
from advisor.errors import InputError

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget
else:
    np = lazy_import("numpy")

__all__ = ["UserDataset", "load_user_data", "MIN_ROWS"]

#: fewest rows a file may have: the 80/20 split must leave 10 test rows for the two-sample metrics
MIN_ROWS = 50
_NPY_MAGIC = b"\x93NUMPY"


class UserDataset(Dataset):
    """Rows of a user's file: features (n, d) and optional integer labels, split 80/20 per seed."""

    def __init__(self, path: Path, x: np.ndarray, labels: np.ndarray | None, columns: list[str]) -> None:
        self.path, self.x, self.labels, self.columns = path, x, labels, columns
        digest = hashlib.sha256(x.tobytes() + (labels.tobytes() if labels is not None else b"")).hexdigest()
        slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "data"
        self.card = DatasetCard(
            name=f"user-{slug}-{digest[:8]}",
            title=f"{path.name} ({x.shape[0]} rows)",
            kind="2d" if x.shape[1] == 2 else "tabular",
            dims=x.shape[1],
            classes=int(labels.max()) + 1 if labels is not None else 0,
            size=x.shape[0],
            description=f"user data from {path.name}; features: {', '.join(columns)}",
        )

    def split(self, budget: Budget, seed: int) -> Split:
        """Stratified (when labelled) 80/20 split for `seed`, standardized with training statistics."""
        train, test, train_labels, test_labels = stratified_split(
            self.x, self.labels, dataset_rng(self.card.name, seed)
        )
        train, test = standardize(train, test)
        return Split(train, test, train_labels, test_labels)


def _number(cell: str, where: str) -> float:
    text = cell.strip()
    if not text:
        raise InputError(f"{where}: empty cell (missing value); fill or drop the row")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {cell!r} is not a number (non-numeric column?)") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: value {cell!r} is NaN or infinite; clean the data first")
    return value


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_csv(path: Path, label_column: str | None) -> tuple[np.ndarray, list[str] | None, list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: a BOM is not part of the header
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read as CSV: {exc}") from exc
    if not rows:
        raise InputError(f"{path}: the file is empty")
    # A header row has a non-numeric cell where the next row has a number (label columns may be text).
    second = rows[1] if len(rows) > 1 else [""] * len(rows[0])
    has_header = any(
        not _is_number(top) and (_is_number(below) or len(rows) == 1)
        for top, below in zip(rows[0], second, strict=False)
    )
    header = [c.strip() for c in rows[0]] if has_header else [f"column {i}" for i in range(len(rows[0]))]
    body = rows[1:] if has_header else rows
    label_index = _label_index(path, header, label_column)
    first_line = 2 if has_header else 1
    features, labels = [], []
    for line, row in enumerate(body, start=first_line):
        if len(row) != len(header):
            raise InputError(f"{path}, row {line}: {len(row)} columns, expected {len(header)} like the first row")
        values = []
        for index, (name, cell) in enumerate(zip(header, row, strict=True)):
            if index == label_index:
                labels.append(cell.strip())
            else:
                values.append(_number(cell, f"{path}, row {line}, column {name!r}"))
        features.append(values)
    columns = [name for i, name in enumerate(header) if i != label_index]
    return (
        np.asarray(features, dtype=np.float64).reshape(len(features), len(columns)),
        (labels if label_index is not None else None),
        columns,
    )


def _label_index(path: Path, header: list[str], label_column: str | None) -> int | None:
    if label_column is None:
        return None
    if label_column in header:
        return header.index(label_column)
    if label_column.isdigit() and int(label_column) < len(header):
        return int(label_column)
    raise InputError(f"{path}: no label column {label_column!r}; columns are {', '.join(header)}")


def _read_npy(path: Path, label_column: str | None) -> tuple[np.ndarray, list | None, list[str]]:
    try:
        with path.open("rb") as handle:
            is_npy = handle.read(len(_NPY_MAGIC)) == _NPY_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not is_npy:
        raise InputError(f"{path}: not a NumPy .npy file (no .npy header); save it with numpy.save, or use .csv")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise InputError(f"{path}: cannot load as a plain numeric .npy (pickled objects are refused): {exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read as .npy: {exc}") from exc
    if array.ndim != 2:
        raise InputError(f"{path}: expected a 2-D array (rows x columns), got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise InputError(f"{path}: expected real numbers, got dtype {array.dtype}")
    header = [f"column {i}" for i in range(array.shape[1])]
    label_index = _label_index(path, header, label_column)
    labels = None
    if label_index is not None:
        labels = [str(v) for v in array[:, label_index]]
        array = np.delete(array, label_index, axis=1)
        header.pop(label_index)
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        row, col = bad[0]
        raise InputError(f"{path}, row {row}, {header[col]}: value {array[row, col]} is NaN or infinite")
    return array.astype(np.float64), labels, header


def load_user_data(path: str | Path, label_column: str | None = None) -> UserDataset:
    """Read and validate a .csv or .npy file; InputError naming the file, row and column at fault."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such data file: {str(path)!r}")
    readers = {".csv": _read_csv, ".npy": _read_npy}
    if path.suffix.lower() not in readers:
        raise InputError(f"{path}: unsupported file type {path.suffix!r}; use .csv or .npy")
    x, raw_labels, columns = readers[path.suffix.lower()](path, label_column)
    if x.shape[1] < 2:
        raise InputError(f"{path}: {x.shape[1]} feature column(s); generative models here need at least 2")
    if x.shape[0] < MIN_ROWS:
        raise InputError(
            f"{path}: {x.shape[0]} data rows; at least {MIN_ROWS} are needed (the 80/20 split must leave "
            f"{MIN_ROWS // 5} rows to test samples against), and far more to learn anything"
        )
    labels = None
    if raw_labels is not None:
        classes = sorted(set(raw_labels))
        labels = np.asarray([classes.index(v) for v in raw_labels], dtype=np.int64)
    return UserDataset(path, x, labels, columns)
