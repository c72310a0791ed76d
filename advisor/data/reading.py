"""Reading a user's table as its author wrote it: delimiter, decimal mark and text encoding sniffed.

A CSV may be comma-, semicolon-, tab- or pipe-separated, with a decimal point or a decimal comma
(the usual pair in continental Europe is ';' and ','), in UTF-8 (with or without a BOM) or in
Latin-1 / Windows-1252. Each of these is detected, or given (`sep`, `decimal`, `encoding`), and the
choice is reported. Missing cells are those pandas reads as missing (empty, NA, NaN, null, N/A...).
A .npy file is a 2-D numeric array whose columns are named "column 0", "column 1", ...
Errors name the file, the row (as a spreadsheet numbers it, header = row 1) and the column; a
header naming a column twice is refused with both positions (pandas would rename one `x.1`).
The file is read straight into pandas (its encoding checked chunk by chunk), never held as text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReadReport", "read_table", "SEPARATORS"]

SEPARATORS = (",", ";", "\t", "|")
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SNIFF_BYTES = 64 * 1024
_CHUNK_BYTES = 1 << 20
_TYPED_ROWS = 5000  # rows read first to find the text columns
_NPY_MAGIC = b"\x93NUMPY"
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


@dataclass(frozen=True)
class ReadReport:
    """How a file was read: its format, separator, decimal mark and text encoding."""

    path: str
    format: str  # csv | npy
    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None

    def describe(self) -> str:
        """One line for the answer, e.g. "CSV, ';'-separated, decimal comma, cp1252"."""
        if self.format == "npy":
            return "NumPy array"
        mark = "decimal comma" if self.decimal == "," else "decimal point"
        return f"CSV, {self.sep!r}-separated, {mark}, {self.encoding}"


def _encoding_of(path: Path, given: str | None) -> str:
    """The first encoding that decodes the whole file (read in chunks, never all at once); with
    `given`, that one or an error naming the row."""
    import codecs

    for encoding in (given,) if given else _ENCODINGS:
        try:
            decoder = codecs.getincrementaldecoder(encoding)()
        except LookupError:
            raise InputError(f"unknown text encoding {given!r}; e.g. utf-8, latin-1, cp1252") from None
        rows = 1
        with path.open("rb") as handle:
            try:
                for chunk in iter(lambda: handle.read(_CHUNK_BYTES), b""):
                    decoder.decode(chunk)
                    rows += chunk.count(b"\n")
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError as exc:
                if given:
                    row = rows + chunk[: exc.start].count(b"\n")
                    raise InputError(
                        f"{path}, row {row}: byte {chunk[exc.start]:#04x} is not valid {given}; "
                        "drop --encoding to detect it, or give the file's encoding (e.g. latin-1)"
                    ) from None
    return "latin-1"  # decodes any byte sequence


def _header(text: str, sep: str, path: Path) -> list[str]:
    """The header's column names; InputError naming both positions of a name that repeats."""
    names = [name.strip() for name in next(csv.reader(io.StringIO(text), delimiter=sep), [])]
    first: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in first:
            raise InputError(
                f"{path}: columns {first[name]} and {position} are both named {name!r}; give every column its own name"
            )
        first[name] = position
    return names


def _sniff(text: str, sep: str | None, decimal: str | None) -> tuple[str, str]:
    sample = text[:_SNIFF_BYTES]
    if sep is None:
        try:
            sep = csv.Sniffer().sniff(sample, delimiters="".join(SEPARATORS)).delimiter
        except csv.Error:
            lines = [line for line in sample.splitlines()[:20] if line.strip()]
            counts = {s: min((line.count(s) for line in lines), default=0) for s in SEPARATORS}
            sep = max(counts, key=counts.get) if any(counts.values()) else ","
    if decimal is None:
        cells = [cell.strip().strip('"') for line in sample.splitlines()[1:50] for cell in line.split(sep)]
        decimal = "," if sep != "," and any(_DECIMAL_COMMA.match(cell) for cell in cells) else "."
    return sep, decimal


def read_table(
    path: str | Path, *, sep: str | None = None, decimal: str | None = None, encoding: str | None = None
) -> tuple[pd.DataFrame, ReadReport]:
    """Read a .csv or .npy file into a DataFrame (every column as found: types are inferred later)."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such data file: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return _read_npy(path), ReadReport(str(path), "npy")
    if suffix not in (".csv", ".tsv", ".txt"):
        raise InputError(f"{path}: unsupported file type {path.suffix!r}; use .csv (or .tsv) or .npy")
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if head.startswith(_NPY_MAGIC):
        raise InputError(f"{path}: this is a NumPy .npy file; rename it to .npy")
    encoding = _encoding_of(path, encoding)
    text = head.decode(encoding, errors="ignore")  # the head may end inside a character
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    sep, decimal = _sniff(text, sep, decimal)
    names = _header(text, sep, path)
    options = {"sep": sep, "decimal": decimal, "encoding": encoding, "skipinitialspace": True}
    try:  # straight from the file, no copy of its text in memory; text columns as categories (codes, each text once)
        text = pd.read_csv(path, nrows=_TYPED_ROWS, **options).select_dtypes(exclude=["number", "bool"]).columns
        frame = pd.read_csv(path, dtype=dict.fromkeys(text, "category"), **options)
    except pd.errors.ParserError as exc:
        raise InputError(
            f"{path}: {_parser_message(str(exc))} (read as {sep!r}-separated; give --sep if wrong)"
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: no columns to read") from None
    frame.columns = names if len(names) == len(frame.columns) else [str(c).strip() for c in frame.columns]
    return frame, ReadReport(str(path), "csv", sep, decimal, encoding)


def _parser_message(message: str) -> str:
    """pandas' "Expected 4 fields in line 7, saw 5" as a row the user can find."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found:
        expected, line, saw = found.groups()
        return f"row {line}: {saw} columns, expected {expected} like the header"
    return message.strip().splitlines()[-1]


def _read_npy(path: Path) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

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
    if np.issubdtype(array.dtype, np.floating) and np.isinf(array).any():
        row, col = np.argwhere(np.isinf(array))[0]
        raise InputError(f"{path}, row {row}, column {col}: value {array[row, col]} is infinite")
    return pd.DataFrame(array, columns=[f"column {i}" for i in range(array.shape[1])])
