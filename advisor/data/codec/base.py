"""The contract of one column's codec, and what decoding may repair.

A `ColumnCodec` is fitted on the file's column (its values as read) and then turns typed values
(`parse`) into encoded columns (`encode`), encoded columns back into the column's values (`decode`,
valid by default: each repair switchable and counted), takes the dequantization noise out
(`requantize`), says which encoded rows break what the file holds (`violations`), writes values as
the file wrote them (`written`) and describes itself (`describe`). Encoded values here are in raw
units (before the table's standardization). A codec that is not `modelled` has no encoded columns:
it `restore`s its column from nothing (a constant, a twin, new identifiers).

Gaps (under the `indicator` policy): a number-like column with missing cells is followed by a 0/1
indicator, one-hot and dequantized like a two-level category; decoding puts gaps where the model
says, unless their count is far (beyond three binomial standard deviations) from the column's own
rate, when the rows the model marks most strongly get the gaps, as many as the rate says
(`gap_rows`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.data.schema import MISSING_LEVEL, Column

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["ColumnCodec", "DecodeOptions", "Repairs", "gap_rows", "indicator_names", "INDICATOR_PHRASE"]

#: how a gap indicator is counted in a table's encoding (as a two-level categorical)
INDICATOR_PHRASE = "{} categorical (one-hot, dequantized)"

#: gaps decoded by the model are kept when their count is within this many binomial standard
#: deviations (plus one cell) of the column's own rate
GAP_TOLERANCE_SD = 3.0


@dataclass(frozen=True)
class DecodeOptions:
    """Which repairs decoding makes (each as SDV's synthesizers switch theirs)."""

    enforce_min_max_values: bool = True  # numbers and dates clipped to the range the file holds
    enforce_rounding: bool = True  # numbers at the decimals the file writes, dates at its resolution
    enforce_gap_rate: bool = True  # gaps at each column's own rate (when the model's are far from it)


@dataclass
class Repairs:
    """What decoding changed in generated rows, per column: cells clipped into the seen range (and the
    largest overshoot, as a share of the range's width) and gaps moved to the column's rate."""

    rows: int = 0
    clipped: dict[str, int] = field(default_factory=dict)
    overshoot: dict[str, float] = field(default_factory=dict)
    gaps: dict[str, tuple[int, int]] = field(default_factory=dict)  # column -> (the model's gaps, decoded)

    def clip(self, column: str, count: int, overshoot: float) -> None:
        """Record `count` cells of `column` clipped, the farthest `overshoot` range widths outside."""
        if count:
            self.clipped[column] = self.clipped.get(column, 0) + int(count)
            self.overshoot[column] = max(self.overshoot.get(column, 0.0), float(overshoot))

    @property
    def cells(self) -> int:
        """Cells changed by the repairs."""
        return sum(self.clipped.values()) + sum(abs(a - b) for a, b in self.gaps.values())

    def lines(self) -> list[str]:
        """One line per repaired column, for a person."""
        out = [
            f"{name!r}: {count} of {self.rows} values clipped into the file's range "
            f"(at most {self.overshoot[name]:.0%} of its width outside)"
            for name, count in self.clipped.items()
        ]
        out += [
            f"{name!r}: the model put {model} gaps in {self.rows} rows; {decoded} kept, at the column's own rate"
            for name, (model, decoded) in self.gaps.items()
        ]
        return out


def gap_rows(score: np.ndarray, model_gaps: np.ndarray, rate: float, enforce: bool) -> np.ndarray:
    """Which rows are gaps: the model's (`model_gaps`) unless their count is far from `rate`; then the
    rows with the highest `score`, as many as the rate says."""
    import numpy as np

    n = len(score)
    expected = rate * n
    if not enforce or abs(int(model_gaps.sum()) - expected) <= GAP_TOLERANCE_SD * np.sqrt(n * rate * (1 - rate)) + 1:
        return model_gaps
    gaps = np.zeros(n, dtype=bool)
    gaps[np.argsort(-score, kind="stable")[: int(round(expected))]] = True
    return gaps


def indicator_names(name: str) -> list[str]:
    """The encoded columns of the 0/1 indicator marking where `name` was missing."""
    return [f"{name} {MISSING_LEVEL}=0", f"{name} {MISSING_LEVEL}=1"]


class ColumnCodec(ABC):
    """One column of a table: fitted on the file's values, then encoded and decoded."""

    kind: ClassVar[str]
    #: the column's type as SDMetrics names it ('numerical' | 'datetime' | 'categorical' | 'boolean' | 'id')
    sdtype: ClassVar[str]
    modelled: ClassVar[bool] = True
    #: how `TableCodec.describe` counts this kind, e.g. "{} integer (dequantized)"
    phrase: ClassVar[str] = "{} column"

    def __init__(self, name: str, reason: str, missing: int = 0, rows: int = 0) -> None:
        self.name, self.reason, self.missing, self.rows = name, reason, missing, rows
        self.gaps = False  # whether encoded gaps are modelled (set by the table for its missing policy)
        #: text the file writes in some cells instead of a number ('?', '-', 'n/a'): read as gaps
        self.stray: frozenset[str] = frozenset()
        #: what fitting decided that the answer should say (e.g. levels grouped)
        self.notes: list[str] = []

    def gap_mask(self, series: pd.Series) -> pd.Series:
        """The file's cells that are gaps in this column (missing, or a stray token)."""
        gaps = series.isna()
        return gaps | series.astype("string").str.strip().isin(self.stray) if self.stray else gaps

    @property
    def rate(self) -> float:
        """The share of the file's rows missing in this column."""
        return self.missing / self.rows if self.rows else 0.0

    @abstractmethod
    def fit(self, values: pd.Series) -> None:
        """Learn what the column holds from the file's non-missing values (typed by `parse`)."""

    def parse(self, series: pd.Series) -> pd.Series:
        """The column's cells as typed values (missing cells missing); ValueError names a foreign value."""
        return series

    @property
    def width(self) -> int:
        """Encoded columns."""
        return len(self.names)

    @property
    def names(self) -> list[str]:
        """The encoded columns' names."""
        return []

    @property
    def noisy(self) -> list[bool]:
        """Per encoded column, whether it carries dequantization noise."""
        return [True] * self.width

    @property
    def phrases(self) -> list[str]:
        """How `TableCodec.describe` counts this column's encoded parts."""
        return [self.phrase]

    def encode(self, values: pd.Series, noise: np.ndarray) -> np.ndarray:
        """Typed values (see `parse`) as encoded columns, dequantized with `noise` (zeros: not)."""
        raise NotImplementedError(f"{self.kind} columns are not modelled")

    def decode(self, raw: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.Series:
        """Encoded columns back as the column's values, repaired as `options` say (counted in `repairs`)."""
        raise NotImplementedError(f"{self.kind} columns are not modelled")

    def requantize(self, raw: np.ndarray) -> np.ndarray:
        """Encoded columns with the dequantization noise taken out (the same shape)."""
        return raw

    def violations(self, raw: np.ndarray) -> np.ndarray:
        """Rows whose value breaks the file's range or value set before any repair."""
        import numpy as np

        return np.zeros(len(raw), dtype=bool)

    def restore(self, rows: int, decoded: dict[str, pd.Series]) -> pd.Series | None:
        """A left-out column's values for `rows` generated rows (None: the column is absent)."""
        return None

    def written(self, series: pd.Series) -> pd.Series:
        """Values as the file writes them."""
        return series

    @abstractmethod
    def describe(self) -> Column:
        """The column as `advisor data describe` shows it."""

    def _column(self, **fields: Any) -> Column:
        return Column(
            self.name, self.kind, self.sdtype, self.missing, modelled=self.modelled, reason=self.reason, **fields
        )
