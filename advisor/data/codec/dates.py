"""Date columns: read in the file's own format, modelled as days, written back in that format.

A text column is dates when one format (or a few, tried in turn) with a year reads at least 95% of
its cells (pandas' `guess_datetime_format` proposes them, as RDT's UnixTimestampEncoder learns its
`datetime_format`), so ordinal labels (`1st`) or month names are never dates. Day-first and
month-first formats are told apart by the cells only one of them reads (`31/01/2020`): a column
with cells of both kinds is refused (no rule can say which way the others go), a column where
every cell reads both ways is read month-first, or day-first with `--dayfirst`, and the choice is
said. Decoded dates are clipped to the file's range and kept at its resolution (whole days when
it has no times of day).
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import
from advisor.data.codec.base import DecodeOptions, Repairs
from advisor.data.codec.scalar import ScalarCodec
from advisor.data.schema import Column
from advisor.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["Datetime", "date_formats", "DATE_SHARE"]

#: share of a column's cells a format must read for the column to be dates
DATE_SHARE = 0.95
_DAY_US = 86_400 * 10**6
_GUESSED_VALUES = 300
_YEAR, _DAY_OR_MONTH = ("%Y", "%y"), ("%d", "%m", "%b", "%B")


def _swapped(fmt: str) -> str | None:
    """The format with day and month exchanged, for formats that start with either (D/M/Y, M/D/Y)."""
    if not fmt.startswith(("%d", "%m")) or "%d" not in fmt or "%m" not in fmt:
        return None
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _parse(text: pd.Series, fmt: str) -> pd.Series:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(text, format=fmt, errors="coerce", utc=True)


def _guesses(text: pd.Series) -> list[str]:
    """Formats with a year and a day or month proposed for the column's distinct cells, most common first."""
    from pandas.tseries.api import guess_datetime_format

    counts: Counter[str] = Counter()
    for value in text.drop_duplicates().head(_GUESSED_VALUES):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = {guess_datetime_format(value, dayfirst=first) for first in (False, True)}
        counts.update(f for f in found if f and any(y in f for y in _YEAR) and any(p in f for p in _DAY_OR_MONTH))
    return [fmt for fmt, _ in counts.most_common(4)]


def date_formats(text: pd.Series, name: str, dayfirst: bool = False) -> tuple[tuple[str, ...], str] | None:
    """The formats reading the non-missing cells `text` as dates, and a caveat ('' if none); None when
    they are not dates. InputError when day-first and month-first cells are mixed."""
    candidates = _guesses(text)
    if not candidates:
        return None
    parsed = {fmt: _parse(text, fmt) for fmt in candidates}
    best = max(candidates, key=lambda f: parsed[f].notna().sum())
    caveat, swapped = "", _swapped(best)
    if swapped:
        parsed.setdefault(swapped, _parse(text, swapped))
        only = {f: parsed[f].notna() & parsed[_swapped(f)].isna() for f in (best, swapped)}
        day_first = best if best.startswith("%d") else swapped
        month_first = swapped if day_first == best else best
        if only[best].any() and only[swapped].any():
            rows = {f: only[f].idxmax() for f in (day_first, month_first)}
            raise InputError(
                f"column {name!r} mixes day-first dates (row {rows[day_first] + 2}: {text[rows[day_first]]!r}, "
                f"{int(only[day_first].sum())} such cells) and month-first dates (row {rows[month_first] + 2}: "
                f"{text[rows[month_first]]!r}, {int(only[month_first].sum())} such cells); the other cells read "
                f"either way, so no rule can tell them: write the dates one way (e.g. 2020-01-31), or give "
                f"--categorical {name!r}"
            )
        if not only[best].any() and not only[swapped].any():
            best = day_first if dayfirst else month_first
            caveat = f"every date in {name!r} reads both day-first and month-first: read as {best} " + (
                "(--dayfirst)" if dayfirst else "(month first; give --dayfirst if the day comes first)"
            )
        else:
            best = best if only[best].any() else swapped
            if dayfirst and best == month_first:
                row = only[best].idxmax()
                raise InputError(
                    f"--dayfirst: row {row + 2}, column {name!r}: {text[row]!r} reads only month-first; "
                    f"drop --dayfirst (the column reads {best})"
                )
    formats = (best,) + tuple(f for f in candidates if f not in (best, _swapped(best)))
    read = parsed[best].notna()
    for fmt in formats[1:]:
        read |= parsed[fmt].notna()
    if read.mean() < DATE_SHARE:
        return None
    return tuple(f for f in formats if f == best or (parsed[f].notna() & ~parsed[best].notna()).any()), caveat


class Datetime(ScalarCodec):
    """Dates as days since 1970-01-01 (fractional when times of day occur), in the file's formats."""

    kind = "datetime"
    sdtype = "datetime"
    phrase = "{} date (days)"

    def __init__(self, name: str, reason: str, missing: int = 0, rows: int = 0, formats: tuple[str, ...] = ()) -> None:
        super().__init__(name, reason, missing, rows)
        self.formats = formats

    def parse(self, series: pd.Series) -> pd.Series:
        """Dates (text in the file's formats, or datetimes) as days; ValueError names a cell that is not one."""
        import pandas as pd

        if pd.api.types.is_datetime64_any_dtype(series):
            stamps = series.dt.tz_localize("UTC") if series.dt.tz is None else series.dt.tz_convert("UTC")
        else:
            text = series.astype("string").str.strip()
            stamps = _parse(text, self.formats[0])
            for fmt in self.formats[1:]:
                stamps = stamps.fillna(_parse(text, fmt))
            bad = stamps.isna() & series.notna()
            if bad.any():
                raise ValueError(f"column {self.name!r} has {series[bad].iloc[0]!r}, not a datetime value")
        # in microseconds whatever the parsed resolution (pandas 3 parses to us, pandas 2 to ns)
        return stamps.dt.as_unit("us").astype("int64").where(stamps.notna()) / _DAY_US

    def fit(self, values: pd.Series) -> None:
        super().fit(values)
        days = self.parse(values).dropna().to_numpy(float)
        self.whole_days = bool(np.allclose(days, np.round(days)))

    def _to_raw(self, values: np.ndarray, noise: np.ndarray) -> np.ndarray:
        return values

    def _from_raw(self, x: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        import pandas as pd

        days = self._clip(x, self.low, self.high, options, repairs)
        if options.enforce_rounding and self.whole_days:  # not dequantized: the nearest day
            days = np.round(days)
        return pd.Series(pd.to_datetime(np.round(days * _DAY_US).astype("int64"), unit="us"))

    def _outside(self, x: np.ndarray) -> np.ndarray:
        return (x < self.low - self._slack) | (x > self.high + (0.5 if self.whole_days else self._slack))

    def written(self, series: pd.Series) -> pd.Series:
        """Dates in the file's (first) format."""
        stamps = series.dt.tz_localize("UTC") if "%z" in self.formats[0] and series.dt.tz is None else series
        return stamps.dt.strftime(self.formats[0]).astype(object).where(series.notna())

    def _day(self, days: float) -> str:
        import pandas as pd

        return self.written(pd.Series(pd.to_datetime([round(days * _DAY_US)], unit="us"))).iloc[0]

    def describe(self) -> Column:
        return self._column(low=self._day(self.low), high=self._day(self.high), format=self.formats[0])
