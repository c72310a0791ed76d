"""The table codec: one shared encoding of a mixed table for every family, and valid rows back from samples.

As RDT's HyperTransformer is for SDV: `TableCodec.infer` gives every column its codec (fitted on the
file's values: levels, ranges, decimals, date formats, the medians standing in gaps), and `fit`
learns the standardization from one split's training rows. Every family (built-in or plugin) sees
the same real-valued array, so their numbers stay comparable; a likelihood is a density in this
encoded space (nats per encoded dimension), which answers name.

`decode` turns generated rows back into the user's columns, names, order and types, valid by
default (each repair switchable, see `DecodeOptions`, and counted in `Repairs`): numbers and dates
in the file's range, numbers at its decimals, whole numbers in their set, gaps at each column's own
rate, identifiers regenerated unique in their own form, constants and duplicates restored, dropped
columns absent. `validity` is the share of generated rows that needed no repair of a range or
value set.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from advisor._lazy import lazy_import
from advisor.data.codec.base import ColumnCodec, DecodeOptions, Repairs
from advisor.data.codec.infer import Typing, infer_codecs
from advisor.data.schema import TableSchema

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

__all__ = ["TableCodec"]

_EXACT = DecodeOptions(enforce_min_max_values=False, enforce_rounding=False, enforce_gap_rate=False)
_VALID = DecodeOptions()
_AS_INFERRED = Typing()


class TableCodec:
    """A table's columns, each with its codec; fitted on a split's training rows, it encodes and decodes."""

    def __init__(self, codecs: list[ColumnCodec], schema: TableSchema) -> None:
        self.codecs, self.schema = codecs, schema
        self.blocks: list[tuple[ColumnCodec, slice]] = []
        start = 0
        for codec in codecs:
            if codec.modelled:
                self.blocks.append((codec, slice(start, start + codec.width)))
                start += codec.width
        self.dims = start
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    @classmethod
    def infer(cls, frame: pd.DataFrame, typing: Typing = _AS_INFERRED) -> TableCodec:
        """Each column of `frame` typed and its codec fitted on the file's values (see `codec.infer`)."""
        return cls(*infer_codecs(frame, typing))

    @property
    def names(self) -> list[str]:
        """The encoded columns' names, e.g. "species=Adelie"."""
        return [name for codec, _ in self.blocks for name in codec.names]

    @property
    def column_names(self) -> list[str]:
        """The table's own modelled columns, in file order: what a family that models the original
        columns (`Family.original_columns`) is given and returns."""
        return [codec.name for codec, _ in self.blocks]

    @property
    def sdtypes(self) -> dict[str, str]:
        """Each modelled column's type as SDMetrics names it ('numerical', 'datetime', 'categorical', ...)."""
        return {codec.name: codec.sdtype for codec, _ in self.blocks}

    @property
    def widths(self) -> dict[str, int]:
        """How many encoded columns each modelled column takes (its one-hot levels, its gap indicator)."""
        return {codec.name: codec.width for codec, _ in self.blocks}

    @property
    def noise_mask(self) -> np.ndarray:
        """Which encoded columns carry dequantization noise."""
        return np.array([noisy for codec, _ in self.blocks for noisy in codec.noisy], dtype=bool)

    def describe(self) -> str:
        """The encoding in one sentence, as runs name it."""
        counts: dict[str, int] = {}
        for codec, _ in self.blocks:
            for phrase in codec.phrases:
                counts[phrase] = counts.get(phrase, 0) + 1
        kinds = ", ".join(phrase.format(n) for phrase, n in counts.items())
        return f"{self.dims} encoded dims from {kinds}; standardized with the training rows"

    def typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The modelled columns of the file's rows as typed values (gaps missing; under `drop`, rows
        with a gap left out), indexed as `frame`."""
        import pandas as pd

        out = pd.DataFrame({codec.name: codec.parse(frame[codec.name]) for codec, _ in self.blocks}, index=frame.index)
        return out.dropna() if self.schema.missing_policy == "drop" else out

    def _raw(self, typed: pd.DataFrame, rng: np.random.Generator | None) -> np.ndarray:
        """Unstandardized encoded rows; without `rng`, not dequantized (each level at its box's corner)."""
        shape = (len(typed), self.dims)
        noise = rng.random(shape) if rng is not None else np.zeros(shape)
        out = np.empty(shape, dtype=np.float64)
        for codec, cols in self.blocks:
            out[:, cols] = codec.encode(typed[codec.name], noise[:, cols])
        return out

    def fit(self, train: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """Learn the standardization from the training rows (typed, see `typed`); returns them encoded."""
        raw = self._raw(train, rng)
        self.mean, std = raw.mean(axis=0), raw.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return ((raw - self.mean) / self.std).astype(np.float32)

    def fitted(self, train: pd.DataFrame, rng: np.random.Generator) -> tuple[TableCodec, np.ndarray]:
        """A copy of this codec fitted on `train` (one split's), and the training rows encoded."""
        codec = copy.copy(self)
        return codec, codec.fit(train, rng)

    def encode(self, typed: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """Typed rows as the fitted encoding (dequantized with `rng`)."""
        if self.mean is None:
            raise RuntimeError("fit the codec on training rows first")
        return ((self._raw(typed, rng) - self.mean) / self.std).astype("float32")

    def _unstandardized(self, array: np.ndarray) -> np.ndarray:
        return np.asarray(array, dtype=np.float64) * self.std + self.mean

    def decode(self, array: np.ndarray, options: DecodeOptions = _VALID) -> pd.DataFrame:
        """Encoded rows back in the user's columns, names, order and types, repaired as `options` say."""
        return self._decode_raw(self._unstandardized(array), options, None)

    def decode_with_repairs(self, array: np.ndarray, options: DecodeOptions = _VALID) -> tuple[pd.DataFrame, Repairs]:
        """`decode`, and what its repairs changed."""
        repairs = Repairs(rows=len(array))
        return self._decode_raw(self._unstandardized(array), options, repairs), repairs

    def validity(self, array: np.ndarray) -> float:
        """Share of encoded rows whose every value lies in the file's range or value set, before repairs."""
        raw = self._unstandardized(array)
        broken = np.zeros(len(raw), dtype=bool)
        for codec, cols in self.blocks:
            broken |= codec.violations(raw[:, cols])
        return float(1.0 - broken.mean()) if len(raw) else 1.0

    def _decode_raw(self, raw: np.ndarray, options: DecodeOptions, repairs: Repairs | None) -> pd.DataFrame:
        import pandas as pd

        decoded = {codec.name: codec.decode(raw[:, cols], options, repairs) for codec, cols in self.blocks}
        out = {}
        for codec in self.codecs:
            series = decoded[codec.name] if codec.modelled else codec.restore(len(raw), decoded)
            if series is not None:
                out[codec.name] = series
        return pd.DataFrame(out)

    def original_columns(self, typed: pd.DataFrame) -> pd.DataFrame:
        """Typed rows (see `typed`) in the table's own modelled columns and types, exactly: text
        categories, whole numbers, dates, and missing cells missing again."""
        return self._decode_raw(self._raw(typed, None), _EXACT, None)[self.column_names]

    def encode_columns(self, frame: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """Rows in the table's own columns (as `original_columns` gives them) encoded like the real rows.

        ValueError names a missing column, a category the table does not have, a value that is not a
        number or date where one belongs, or a gap where the table's missing-value policy has none.
        """
        import pandas as pd

        absent = [name for name in self.column_names if name not in frame.columns]
        if absent:
            raise ValueError(f"the rows lack column(s) {', '.join(map(repr, absent))}")
        typed = {}
        for codec, _ in self.blocks:
            values = codec.parse(frame[codec.name])
            if values.isna().any() and not codec.gaps:
                raise ValueError(f"column {codec.name!r} has missing cells; the table's has none")
            typed[codec.name] = values
        return self.encode(pd.DataFrame(typed, index=frame.index), rng)

    def requantized(self, array: np.ndarray) -> np.ndarray:
        """Encoded rows with the dequantization noise taken out, in the same standardized space: each
        category at its level's one-hot corner, each whole number at its value, a gap's number at its
        fill. Rows that decode to the same table row become the same point, so distances compare
        rows, not noise."""
        raw = self._unstandardized(array)
        for codec, cols in self.blocks:
            raw[:, cols] = codec.requantize(raw[:, cols])
        return (raw - self.mean) / self.std

    def as_written(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Decoded rows as the file writes them (dates in its format)."""
        return frame.assign(**{codec.name: codec.written(frame[codec.name]) for codec, _ in self.blocks})
