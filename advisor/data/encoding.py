"""One shared encoding of a mixed table, the same for every family, and its exact inverse for samples.

Every family (built-in or plugin) sees the same real-valued array, so their numbers stay comparable:

- continuous: the value;
- integer: dequantized, value - low + U[0, 1) (as 8x8 digits are): rounding down decodes it;
- categorical with K levels: one-hot, dequantized: the level's coordinate 1 + U[0, 1), the others
  U[0, 1), so each level owns a unit box and the largest coordinate decodes it;
- datetime: days since 1970-01-01 (fractional when times of day occur), decoded to the same resolution;

then every encoded column is standardized with the training rows' mean and standard deviation. A
likelihood is therefore a density in this encoded space (nats per encoded dimension), which answers
name. `decode` turns generated rows back into the user's columns, names, order and types, with the
left-out columns restored (a constant its value, a duplicate its twin, an identifier numbered anew)
and missing cells where a "(missing)" level or indicator says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.data.schema import MISSING_LEVEL, Column, TableSchema, indicator_name

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["TableEncoder", "clean_table", "missing_fills"]

_DAY_US = 86_400 * 10**6


def clean_table(frame: pd.DataFrame, schema: TableSchema, fills: dict[str, float] | None = None) -> pd.DataFrame:
    """The modelled columns (and indicators) of `frame` with the missing-value policy applied.

    Categoricals become text (missing: the "(missing)" level), datetimes days since the epoch,
    numbers floats (missing: the median, marked in the indicator column; `fills`, where given, is
    the value standing in a column's gaps instead, so that generated rows are filled as the file's
    were). Under `drop`, rows with a missing modelled cell are removed (the label column, if any, is
    kept aligned).
    """
    import pandas as pd

    modelled = [c for c in schema.modelled if c.name in frame.columns]
    label = schema.label if schema.label in frame.columns else None  # generated rows come without it
    keep = [c.name for c in modelled] + ([label] if label else [])
    frame = frame[keep]
    if schema.missing_policy == "drop":
        frame = frame.dropna(subset=[c.name for c in modelled])
    out = pd.DataFrame(index=frame.index)
    for column in modelled:
        series = frame[column.name]
        if column.kind == "categorical":
            text = series.astype("string").str.strip()
            out[column.name] = text.fillna(MISSING_LEVEL).astype(str)
            continue
        if column.kind == "datetime":
            series = _days(series)
        series = pd.to_numeric(series, errors="coerce").astype(float)
        if column.missing and schema.missing_policy == "indicator":
            fill = (fills or {}).get(column.name, series.median())
            out[column.name] = series.fillna(0.0 if pd.isna(fill) else fill)
            out[indicator_name(column.name)] = series.isna().astype(int).astype(str)
        else:
            out[column.name] = series
    if label:
        out[label] = frame[label].astype("string").str.strip()
    return out


def missing_fills(cleaned: pd.DataFrame, schema: TableSchema) -> dict[str, float]:
    """The value standing in each number column's gaps in a cleaned table (`clean_table` output)."""
    fills = {}
    for column in schema.modelled:
        marker = cleaned.get(indicator_name(column.name))
        if column.kind != "categorical" and marker is not None and (marker == "1").any():
            fills[column.name] = float(cleaned.loc[marker == "1", column.name].iloc[0])
    return fills


def _days(series: pd.Series) -> pd.Series:
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stamps = pd.to_datetime(series.astype("string").str.strip(), errors="coerce", format="mixed", utc=True)
    # in microseconds whatever the parsed resolution (pandas 3 parses to us, pandas 2 to ns)
    return stamps.dt.as_unit("us").astype("int64").where(stamps.notna()) / _DAY_US


@dataclass
class _Block:
    """The encoded columns of one table column: where they sit and how to undo them."""

    column: Column
    start: int
    width: int


class TableEncoder:
    """Encodes cleaned tables (see `clean_table`) into standardized float arrays, and decodes samples.

    Fitted on one split's training rows: `fit` learns the standardization; `encode` dequantizes with a
    generator, so train and test draws are reproducible per seed.
    """

    def __init__(self, schema: TableSchema, fills: dict[str, float] | None = None) -> None:
        self.schema = schema
        self.blocks: list[_Block] = []
        start = 0
        for column in schema.columns:
            if column.modelled:
                width = len(column.levels) if column.kind == "categorical" else 1
                self.blocks.append(_Block(column, start, width))
                start += width
        self.dims = start
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.day_resolution: dict[str, bool] = {}  # datetime column -> whole days only
        #: number column with gaps -> the value standing in them (see `missing_fills`)
        self.fills: dict[str, float] = dict(fills or {})

    @property
    def names(self) -> list[str]:
        """The encoded columns' names, e.g. "species=Adelie"."""
        names = []
        for block in self.blocks:
            column = block.column
            names += (
                [f"{column.name}={level}" for level in column.levels] if column.kind == "categorical" else [column.name]
            )
        return names

    def describe(self) -> str:
        """The encoding in one sentence, as runs name it."""
        counts: dict[str, int] = {}
        for block in self.blocks:
            counts[block.column.kind] = counts.get(block.column.kind, 0) + 1
        parts = {
            "continuous": "{} continuous",
            "integer": "{} integer (dequantized)",
            "categorical": "{} categorical (one-hot, dequantized)",
            "datetime": "{} date (days)",
        }
        kinds = ", ".join(parts[kind].format(n) for kind, n in counts.items())
        return f"{self.dims} encoded dims from {kinds}; standardized with the training rows"

    def _raw(self, frame: pd.DataFrame, rng: np.random.Generator | None) -> np.ndarray:
        """Unstandardized encoded rows; without `rng`, not dequantized (each level at its box's corner)."""
        import numpy as np

        out = np.empty((len(frame), self.dims), dtype=np.float64)
        noise = rng.random((len(frame), self.dims)) if rng is not None else np.zeros((len(frame), self.dims))
        for block in self.blocks:
            column, cols = block.column, slice(block.start, block.start + block.width)
            values = frame[column.name]
            if column.kind == "categorical":
                codes = values.map({level: i for i, level in enumerate(column.levels)}).to_numpy()
                one_hot = np.zeros((len(frame), block.width))
                one_hot[np.arange(len(frame)), codes.astype(int)] = 1.0
                out[:, cols] = one_hot + noise[:, cols]
            elif column.kind == "integer":
                out[:, cols] = (values.to_numpy(float) - column.low)[:, None] + noise[:, cols]
            else:
                out[:, cols] = values.to_numpy(float)[:, None]
        return out

    def fit(self, train: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """Learn the standardization from the training rows; returns them encoded."""
        import numpy as np

        raw = self._raw(train, rng)
        self.mean, std = raw.mean(axis=0), raw.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        for block in self.blocks:
            name = block.column.name
            if block.column.kind == "datetime":  # judged on real dates, not the stand-ins of gaps
                marker = train.get(indicator_name(name))
                days = train[name].to_numpy(float)[(marker != "1").to_numpy() if marker is not None else slice(None)]
                self.day_resolution[name] = bool(np.allclose(days, np.round(days)))
        return ((raw - self.mean) / self.std).astype(np.float32)

    def encode(self, frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """Rows of a cleaned table as the fitted encoding (dequantized with `rng`)."""
        if self.mean is None:
            raise RuntimeError("fit the encoder on training rows first")
        return ((self._raw(frame, rng) - self.mean) / self.std).astype("float32")

    def decode(self, array: np.ndarray) -> pd.DataFrame:
        """Encoded rows back in the user's schema: every column, its name, order and type."""
        import numpy as np

        return self._decode_raw(np.asarray(array, dtype=np.float64) * self.std + self.mean)

    @property
    def column_names(self) -> list[str]:
        """The table's own modelled columns, in file order (no indicator columns): what a family that
        models the original columns (`Family.original_columns`) is given and returns."""
        return [c.name for c in self.schema.columns if c.modelled and not c.is_indicator]

    def original_columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Cleaned rows (see `clean_table`) back in the table's own modelled columns and types, exactly:
        text categories, whole numbers, dates, and missing cells missing again."""
        return self._decode_raw(self._raw(frame, None))[self.column_names]

    def encode_columns(self, frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """Rows in the table's own columns (as `original_columns` gives them) encoded like the real rows.

        ValueError names a missing column, a category the table does not have, a value that is not a
        number or date where one belongs, or a gap where the table's missing-value policy has none.
        """
        import numpy as np
        import pandas as pd

        absent = [name for name in self.column_names if name not in frame.columns]
        if absent:
            raise ValueError(f"the rows lack column(s) {', '.join(map(repr, absent))}")
        frame = frame[self.column_names]
        for column in self.schema.modelled:
            if column.is_indicator:
                continue  # made from the gaps of the column it marks
            if column.kind == "categorical":
                known = set(column.levels)
                text = frame[column.name].astype("string").str.strip()
                unknown = sorted(set(text.dropna()) - known)
                if unknown:
                    raise ValueError(f"column {column.name!r} has {unknown[0]!r}, not one of its levels")
                if text.isna().any() and MISSING_LEVEL not in known:
                    raise ValueError(f"column {column.name!r} has missing cells; the table's has none")
                continue
            values = frame[column.name]
            coerced = _days(values) if column.kind == "datetime" else pd.to_numeric(values, errors="coerce")
            coerced = coerced.astype(float)
            bad = (coerced.isna() & values.notna()) | np.isinf(coerced)
            if bad.any():
                raise ValueError(f"column {column.name!r} has {values[bad].iloc[0]!r}, not a {column.kind} value")
            if coerced.isna().any() and not (column.missing and self.schema.missing_policy == "indicator"):
                raise ValueError(f"column {column.name!r} has missing cells; the table's has none")
        return self.encode(clean_table(frame, self.schema, self.fills), rng)

    def requantized(self, array: np.ndarray) -> np.ndarray:
        """Encoded rows with the dequantization noise taken out, in the same standardized space: each
        category at its level's one-hot corner, each whole number at its value. Rows that decode to
        the same table row become the same point, so distances compare rows, not noise."""
        import numpy as np

        raw = np.asarray(array, dtype=np.float64) * self.std + self.mean
        for block in self.blocks:
            column, cols = block.column, slice(block.start, block.start + block.width)
            if column.kind == "categorical":
                levels = raw[:, cols].argmax(axis=1)
                raw[:, cols] = np.eye(block.width)[levels]
                if column.is_indicator and column.same_as in self.fills:  # a gap: its number stands at the fill
                    number = next(b for b in self.blocks if b.column.name == column.same_as)
                    gap = np.asarray(column.levels)[levels] == "1"
                    raw[gap, number.start] = self._fill_raw(number.column)
            elif column.kind == "integer":
                raw[:, cols] = np.clip(np.floor(raw[:, cols]), 0, column.high - column.low)
        return (raw - self.mean) / self.std

    def _fill_raw(self, column: Column) -> float:
        """The fill of `column` in unstandardized encoded units (an integer's offset from its low)."""
        fill = self.fills[column.name]
        return fill - column.low if column.kind == "integer" else fill

    def _decode_raw(self, raw: np.ndarray) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        decoded: dict[str, pd.Series] = {}
        for block in self.blocks:
            column, values = block.column, raw[:, block.start : block.start + block.width]
            if column.kind == "categorical":
                decoded[column.name] = pd.Series(np.asarray(column.levels, dtype=object)[values.argmax(axis=1)])
            elif column.kind == "integer":
                whole = np.clip(np.floor(values[:, 0]) + column.low, column.low, column.high)
                decoded[column.name] = pd.Series(whole.astype(np.int64), dtype="Int64")
            elif column.kind == "datetime":
                days = values[:, 0]
                if self.day_resolution.get(column.name, True):
                    days = np.floor(days)
                decoded[column.name] = pd.Series(pd.to_datetime(np.round(days * _DAY_US).astype("int64"), unit="us"))
            else:
                column_values = values[:, 0] if column.decimals is None else np.round(values[:, 0], column.decimals)
                decoded[column.name] = pd.Series(column_values)
        return self._restore(decoded, len(raw))

    def _restore(self, decoded: dict[str, pd.Series], rows: int) -> pd.DataFrame:
        """Put back missing cells and the left-out columns, in the file's column order."""
        import pandas as pd

        out = {}
        for column in self.schema.columns:
            if column.is_indicator:
                continue  # applied to the column it marks
            if column.modelled:
                series = decoded[column.name]
                indicator = decoded.get(indicator_name(column.name))
                if indicator is not None:
                    series = series.where(indicator != "1")
                if column.kind == "categorical":
                    series = series.where(series != MISSING_LEVEL)
                out[column.name] = series
            elif column.kind == "duplicate":
                out[column.name] = out[column.same_as]
            elif column.kind == "identifier":
                out[column.name] = pd.Series(range(1, rows + 1))
            else:
                out[column.name] = pd.Series([column.constant] * rows, dtype=object)
        return pd.DataFrame(out)
