"""A column encoded as one number, followed (when it has gaps) by a 0/1 indicator of where it was missing.

The shared part of every number-like codec (continuous, integer, discrete set, ordinal labels,
dates): the gap's fill (the file's median, kept here, never recovered from the data), the
indicator's encoding and decoding at the column's own rate, clipping into the seen range with the
repair counted, and requantization. A subclass says how a value becomes its encoded number
(`_to_raw`) and back (`_from_raw`), and what is outside the file's values (`_outside`).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, ClassVar

from advisor._lazy import lazy_import
from advisor.data.codec.base import INDICATOR_PHRASE, ColumnCodec, DecodeOptions, Repairs, gap_rows, indicator_names

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["ScalarCodec"]


class ScalarCodec(ColumnCodec):
    """A number-like column: one encoded number, plus a dequantized 0/1 indicator when it has gaps."""

    #: whether the encoded number carries dequantization noise (a whole number's unit box)
    dequantized: ClassVar[bool] = False

    def __init__(self, name: str, reason: str, missing: int = 0, rows: int = 0) -> None:
        super().__init__(name, reason, missing, rows)
        self.low = self.high = self.fill = 0.0

    def fit(self, values: pd.Series) -> None:
        """The range and the median (standing in gaps) of the values."""
        typed = self.parse(values).dropna()
        self.low, self.high = float(typed.min()), float(typed.max())
        self.fill = float(typed.median())

    def parse(self, series: pd.Series) -> pd.Series:
        """Numbers as floats (stray tokens missing); ValueError names a cell that is not one."""
        import pandas as pd

        if not pd.api.types.is_numeric_dtype(series):
            series = series.astype("string").str.strip()
            series = series.where(~series.isin(self.stray)) if self.stray else series
        numbers = pd.to_numeric(series, errors="coerce").astype(float)
        bad = (numbers.isna() & series.notna()) | np.isinf(numbers)
        if bad.any():
            raise ValueError(f"column {self.name!r} has {series[bad].iloc[0]!r}, not a {self.kind} value")
        return numbers

    @property
    def names(self) -> list[str]:
        return [self.name] + (indicator_names(self.name) if self.gaps else [])

    @property
    def noisy(self) -> list[bool]:
        return [self.dequantized] + [True, True] * self.gaps

    @property
    def phrases(self) -> list[str]:
        return [self.phrase] + [INDICATOR_PHRASE] * self.gaps

    @abstractmethod
    def _to_raw(self, values: np.ndarray, noise: np.ndarray) -> np.ndarray:
        """Typed values (no gaps) as the encoded number, dequantized with `noise`."""

    @abstractmethod
    def _from_raw(self, x: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        """Encoded numbers back as typed values (repaired as `options` say)."""

    @abstractmethod
    def _outside(self, x: np.ndarray) -> np.ndarray:
        """Encoded numbers that decode outside the file's range or value set (before any repair)."""

    def _requantize_value(self, x: np.ndarray) -> np.ndarray:
        return x

    def encode(self, values: pd.Series, noise: np.ndarray) -> np.ndarray:
        numbers = values.to_numpy(float)
        missing = np.isnan(numbers)
        out = np.empty((len(numbers), self.width))
        out[:, 0] = self._to_raw(np.where(missing, self.fill, numbers), noise[:, 0])
        if self.gaps:
            out[:, 1:] = np.stack([~missing, missing], axis=1) + noise[:, 1:]
        return out

    def _gaps(self, raw: np.ndarray, options: DecodeOptions | None, repairs: Repairs | None) -> np.ndarray:
        """The rows decoded as gaps (the model's, or at the column's rate; see `gap_rows`)."""
        if not self.gaps:
            return np.zeros(len(raw), dtype=bool)
        model = raw[:, 2] > raw[:, 1]
        if options is None:
            return model
        gaps = gap_rows(raw[:, 2] - raw[:, 1], model, self.rate, options.enforce_gap_rate)
        if repairs is not None and gaps.sum() != model.sum():
            repairs.gaps[self.name] = (int(model.sum()), int(gaps.sum()))
        return gaps

    def decode(self, raw: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        gaps = self._gaps(raw, options, repairs)
        x = np.where(gaps, self._fill_raw, raw[:, 0])  # a gap's number is never shown, so never repaired
        values = self._from_raw(x, options, repairs)
        return values.where(~gaps) if gaps.any() else values

    def requantize(self, raw: np.ndarray) -> np.ndarray:
        out = raw.copy()
        out[:, 0] = self._requantize_value(raw[:, 0])
        if self.gaps:
            gaps = raw[:, 2] > raw[:, 1]
            out[:, 1:] = np.stack([~gaps, gaps], axis=1)
            out[gaps, 0] = self._fill_raw  # a gap: its number at the fill
        return out

    @property
    def _slack(self) -> float:
        """How far outside its range a value may lie and still count as in it: the float32 rounding of
        the standardized encoding, never a model's error."""
        return 1e-5 * max(self.high - self.low, 1.0)

    @property
    def _fill_raw(self) -> float:
        """The fill as an encoded number (noise-free)."""
        return float(self._to_raw(np.array([self.fill]), np.zeros(1))[0])

    def violations(self, raw: np.ndarray) -> np.ndarray:
        return self._outside(raw[:, 0]) & ~self._gaps(raw, None, None)

    def _clip(self, x: np.ndarray, low: float, high: float, options: DecodeOptions, repairs: Repairs | None):
        """`x` clipped into [low, high] when the options say so; the clipped cells counted."""
        if not options.enforce_min_max_values:
            return x
        below, above = x < low - self._slack, x > high + self._slack
        if repairs is not None and (below.any() or above.any()):
            span = max(high - low, 1e-12)
            far = max(float((low - x[below]).max(initial=0.0)), float((x[above] - high).max(initial=0.0)))
            repairs.clip(self.name, int(below.sum() + above.sum()), far / span)
        return np.clip(x, low, high)
