"""Category columns: text levels, true/false, and ordered labels.

- categorical: one-hot, dequantized: the level's coordinate 1 + U[0, 1), the others U[0, 1), so each
  level owns a unit box and the largest coordinate decodes it. A gap is its own level, "(missing)",
  decoded at the column's own rate (see `gap_rows`). A column with more than `MAX_LEVELS` levels
  keeps its `MAX_LEVELS - 1` most frequent ones; the rest share the level "(other)", decoded as one
  of them drawn by their frequency in the file (stated in the column's reason);
- boolean: a categorical of two levels, in the file's own spelling;
- ordinal: labels in an order (`--ordinal COL`, ordered by the numbers they hold, then as text:
  1st < 2nd < 10th), encoded as their rank, dequantized like a whole number.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from advisor._lazy import lazy_import
from advisor.data.codec.base import ColumnCodec, DecodeOptions, Repairs, gap_rows
from advisor.data.codec.scalar import ScalarCodec
from advisor.data.schema import MISSING_LEVEL, Column

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["Categorical", "Boolean", "Ordinal", "MAX_LEVELS", "OTHER_LEVEL", "as_text"]

#: most one-hot levels a categorical gets (the rarest share one, "(other)")
MAX_LEVELS = 50
OTHER_LEVEL = "(other)"


def as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped text (missing cells missing); a category column's text is stripped once per
    level and shared by its cells (a large table's text is never copied cell by cell)."""
    import pandas as pd

    if not isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype("string").str.strip()
    levels = np.append(series.cat.categories.astype("string").str.strip().to_numpy(object), None)
    return pd.Series(levels[series.cat.codes.to_numpy()], index=series.index, dtype="string")


class Categorical(ColumnCodec):
    """Text levels, one-hot and dequantized; gaps a "(missing)" level; the rarest grouped past a cap."""

    kind = "categorical"
    sdtype = "categorical"
    phrase = "{} categorical (one-hot, dequantized)"

    def fit(self, values: pd.Series) -> None:
        """The levels (the most frequent `MAX_LEVELS - 1` when there are more, the rest grouped; equal counts
        in the order of the levels' text, so that which are kept never depends on the pandas version)."""
        counts = as_text(values).value_counts()
        counts = counts.iloc[sorted(range(len(counts)), key=lambda i: (-counts.iloc[i], str(counts.index[i])))]
        self.other: dict[str, float] = {}
        if len(counts) > MAX_LEVELS:
            kept, rare = counts.iloc[: MAX_LEVELS - 1], counts.iloc[MAX_LEVELS - 1 :]
            self.other = (rare / rare.sum()).to_dict()
            grouped = (
                f"the {len(kept)} most frequent levels kept, the other {len(rare)} ({rare.sum() / counts.sum():.0%} "
                f"of the rows) share the level {OTHER_LEVEL!r}, decoded as one of them by their frequency"
            )
            self.reason += f"; {grouped}"
            self.notes.append(f"{self.name!r} has {len(counts)} levels: {grouped} (or give --drop {self.name!r})")
            counts = kept
        self.own = tuple(sorted(counts.index.astype(str).tolist())) + ((OTHER_LEVEL,) if self.other else ())

    @property
    def levels(self) -> tuple[str, ...]:
        """The encoded levels, in order (the "(missing)" level last when gaps are modelled)."""
        return self.own + ((MISSING_LEVEL,) if self.gaps else ())

    @property
    def names(self) -> list[str]:
        return [f"{self.name}={level}" for level in self.levels]

    def parse(self, series: pd.Series) -> pd.Series:
        """Cells as text categories (each level's text held once); ValueError names a level the file
        does not have."""
        text = as_text(series).astype("category")
        unknown = sorted(set(text.cat.categories) - set(self.own) - set(self.other))
        if unknown:
            raise ValueError(f"column {self.name!r} has {unknown[0]!r}, not one of its levels")
        return text

    def encode(self, values: pd.Series, noise: np.ndarray) -> np.ndarray:
        index = {level: i for i, level in enumerate(self.levels)}
        index.update({level: index[OTHER_LEVEL] for level in self.other})
        text = values.astype(object).where(values.notna())
        codes = text.map(index).fillna(len(self.levels) - 1).to_numpy(int)  # a gap: the last level
        one_hot = np.zeros((len(values), self.width))
        one_hot[np.arange(len(values)), codes] = 1.0
        return one_hot + noise

    def _codes(self, raw: np.ndarray, options: DecodeOptions | None, repairs: Repairs | None) -> np.ndarray:
        """Each row's level (index into `levels`), gaps at the column's rate where `options` say."""
        codes = raw.argmax(axis=1)
        if not self.gaps or options is None:
            return codes
        gap = len(self.levels) - 1
        best_other = raw[:, :gap].argmax(axis=1)
        score = raw[:, gap] - raw[np.arange(len(raw)), best_other]
        gaps = gap_rows(score, codes == gap, self.rate, options.enforce_gap_rate)
        if repairs is not None and gaps.sum() != (codes == gap).sum():
            repairs.gaps[self.name] = (int((codes == gap).sum()), int(gaps.sum()))
        return np.where(gaps, gap, best_other)

    def decode(self, raw: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        import pandas as pd

        values = np.asarray(self.levels, dtype=object)[self._codes(raw, options, repairs)]
        grouped = values == OTHER_LEVEL
        if grouped.any():  # one of the grouped levels, by their frequency (the same draw for the same rows)
            rng = np.random.default_rng(len(raw))
            values[grouped] = rng.choice(list(self.other), grouped.sum(), p=list(self.other.values()))
        values[values == MISSING_LEVEL] = None
        return pd.Series(values, dtype=object)

    def requantize(self, raw: np.ndarray) -> np.ndarray:
        return np.eye(self.width)[raw.argmax(axis=1)]

    def describe(self) -> Column:
        return self._column(levels=self.levels)


class Boolean(Categorical):
    """True/false in the file's own spelling: a categorical of two levels."""

    kind = "boolean"
    sdtype = "boolean"


def natural_key(label: str) -> tuple:
    """Order labels by the numbers they hold, then as text ("2nd" < "10th")."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", label))


class Ordinal(ScalarCodec):
    """Labels in an order (`--ordinal`), encoded as their rank and dequantized like a whole number."""

    kind = "ordinal"
    sdtype = "categorical"
    phrase = "{} ordinal (rank, dequantized)"
    dequantized: ClassVar[bool] = True

    def fit(self, values: pd.Series) -> None:
        self.order = tuple(sorted(as_text(values).dropna().unique().tolist(), key=natural_key))
        super().fit(values)

    def parse(self, series: pd.Series) -> pd.Series:
        text = as_text(series)
        ranks = text.map({label: float(i) for i, label in enumerate(self.order)}).astype(float)
        unknown = ranks.isna() & text.notna()
        if unknown.any():
            raise ValueError(f"column {self.name!r} has {text[unknown].iloc[0]!r}, not one of its levels")
        return ranks

    def _to_raw(self, values: np.ndarray, noise: np.ndarray) -> np.ndarray:
        return np.floor(values) + noise

    def _from_raw(self, x: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        import pandas as pd

        ranks = self._clip(np.floor(x), 0, len(self.order) - 1, options, repairs)
        ranks = np.clip(ranks, 0, len(self.order) - 1).astype(int)  # a rank, whatever the options
        return pd.Series(np.asarray(self.order, dtype=object)[ranks], dtype=object)

    def _requantize_value(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(x), 0, len(self.order) - 1)

    def _outside(self, x: np.ndarray) -> np.ndarray:
        return (x < -self._slack) | (x >= len(self.order) + self._slack)

    def describe(self) -> Column:
        return self._column(levels=self.order)
