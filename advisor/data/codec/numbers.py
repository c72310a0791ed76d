"""Number columns: continuous values, whole numbers, and whole numbers kept to the few values seen.

- continuous: encoded as the value; decoded clipped to the file's range and rounded to the decimals
  the file writes, learned robustly: the fewest decimals that write at least 95% of the values
  exactly (a few values carrying float noise do not make 13 decimals), as RDT's `learn_rounding_scheme`
  does with all of them;
- integer: dequantized, value - low + U[0, 1) (as 8x8 digits are): rounding down decodes it;
- discrete: whole numbers with few distinct values that are not a run (loan terms 6, 12, ..., 72):
  each value owns the box up to the next one, value + U * gap, so the model sees the numbers' own
  spacing and rounding down to the set decodes it; a decoded value is always one of the set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from advisor._lazy import lazy_import
from advisor.data.codec.base import DecodeOptions, Repairs
from advisor.data.codec.scalar import ScalarCodec
from advisor.data.schema import Column

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["Continuous", "Integer", "Discrete", "learn_decimals", "ROUNDING_SHARE"]

#: decimals are those that write at least this share of a column's values exactly
ROUNDING_SHARE = 0.95
_MOST_DECIMALS = 6


def learn_decimals(values: np.ndarray, share: float = ROUNDING_SHARE, most: int = _MOST_DECIMALS) -> int | None:
    """The fewest decimal places that write at least `share` of `values` exactly (None: more than `most`)."""
    for places in range(most + 1):
        scaled = values * 10**places
        if np.isclose(scaled, np.round(scaled), rtol=0, atol=1e-6).mean() >= share:
            return places
    return None


class Continuous(ScalarCodec):
    """Real numbers: the value itself; decoded in the file's range at the file's decimals."""

    kind = "continuous"
    sdtype = "numerical"
    phrase = "{} continuous"

    def fit(self, values: pd.Series) -> None:
        super().fit(values)
        self.decimals = learn_decimals(self.parse(values).dropna().to_numpy(float))

    def _to_raw(self, values: np.ndarray, noise: np.ndarray) -> np.ndarray:
        return values

    def _from_raw(self, x: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        import pandas as pd

        x = self._clip(x, self.low, self.high, options, repairs)
        if options.enforce_rounding and self.decimals is not None:
            x = np.round(x, self.decimals)
        return pd.Series(x)

    def _outside(self, x: np.ndarray) -> np.ndarray:
        return (x < self.low - self._slack) | (x > self.high + self._slack)

    def describe(self) -> Column:
        return self._column(low=self.low, high=self.high, decimals=self.decimals)


class Integer(ScalarCodec):
    """Whole numbers: dequantized (value - low + U[0, 1)); rounding down decodes them."""

    kind = "integer"
    sdtype = "numerical"
    phrase = "{} integer (dequantized)"
    dequantized: ClassVar[bool] = True

    def _to_raw(self, values: np.ndarray, noise: np.ndarray) -> np.ndarray:
        return values - self.low + noise

    def _from_raw(self, x: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        import pandas as pd

        whole = self._clip(np.floor(x) + self.low, self.low, self.high, options, repairs)
        return pd.Series(whole.astype(np.int64), dtype="Int64")

    def _requantize_value(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(x), 0, self.high - self.low)

    def _outside(self, x: np.ndarray) -> np.ndarray:
        return (x < -self._slack) | (x >= self.high - self.low + 1 + self._slack)

    def describe(self) -> Column:
        return self._column(low=self.low, high=self.high, decimals=0)


class Discrete(ScalarCodec):
    """Whole numbers kept to the few values seen: each value owns the box up to the next one."""

    kind = "discrete"
    sdtype = "numerical"
    phrase = "{} discrete (dequantized to the next value)"
    dequantized: ClassVar[bool] = True

    def fit(self, values: pd.Series) -> None:
        super().fit(values)
        self.values = np.unique(self.parse(values).dropna().to_numpy(float))
        gaps = np.diff(self.values)
        self.widths = np.append(gaps, gaps[-1] if len(gaps) else 1.0)

    def _index(self, x: np.ndarray) -> np.ndarray:
        """The position of the set's value whose box holds `x` (-1 below the first, len past the last)."""
        index = np.searchsorted(self.values, x, side="right") - 1
        beyond = (index == len(self.values) - 1) & (x >= self.values[-1] + self.widths[-1])
        return np.where(beyond, len(self.values), index)

    def _to_raw(self, values: np.ndarray, noise: np.ndarray) -> np.ndarray:
        index = np.clip(np.searchsorted(self.values, values), 0, len(self.values) - 1)
        return values + noise * self.widths[index]

    def _from_raw(self, x: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        import pandas as pd

        index = self._index(x)
        outside = (index < 0) | (index >= len(self.values))
        if repairs is not None and outside.any():
            span = self.values[-1] + self.widths[-1] - self.values[0]
            far = np.maximum(self.values[0] - x, x - self.values[-1] - self.widths[-1])[outside].max()
            repairs.clip(self.name, int(outside.sum()), float(far) / span)
        # outside the set's boxes: its nearest end (a value of the set, whatever the options)
        values = self.values[np.clip(index, 0, len(self.values) - 1)]
        return pd.Series(values.astype(np.int64), dtype="Int64")

    def _requantize_value(self, x: np.ndarray) -> np.ndarray:
        return self.values[np.clip(self._index(x), 0, len(self.values) - 1)]

    def _outside(self, x: np.ndarray) -> np.ndarray:
        return (x < self.values[0] - self._slack) | (x >= self.values[-1] + self.widths[-1] + self._slack)

    def describe(self) -> Column:
        return self._column(low=self.low, high=self.high, decimals=0, values=tuple(self.values.tolist()))
