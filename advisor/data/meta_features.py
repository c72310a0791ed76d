"""A table described by a few numbers (meta-features), so that tables like a user's can be found.

Computed once when a table is read (users' files, the corpus, the bundled tables) and kept in its
dataset card (`DatasetCard.meta`), so the store can say which measured tables a new one resembles
without the tables themselves (the corpus's GPL tables never enter the shipped store). Each number is
on a scale where a difference means about the same everywhere: sizes as log10, shares in [0, 1]
(auto-sklearn's meta-learning uses the same kind of description; Feurer et al. 2015).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from advisor.data.codec.table import TableCodec

__all__ = ["META_FEATURES", "table_meta_features"]

#: the meta-features, in the order the prior weighs them equally (after standardizing each across tables)
META_FEATURES = (
    "log_rows",
    "log_columns",
    "log_encoded_dims",
    "share_categorical",
    "share_integer",
    "share_missing",
    "mean_abs_skew",
    "mean_abs_correlation",
)


#: column kinds counted as categorical, and as whole numbers
_CATEGORICAL = frozenset({"categorical", "ordinal", "boolean"})
_WHOLE = frozenset({"integer", "discrete"})


def table_meta_features(codec: TableCodec, typed: pd.DataFrame) -> dict[str, float]:
    """The meta-features of a table: its modelled columns' `typed` values (gaps missing) and their `codec`."""
    import numpy as np

    kinds = [column.kind for column, _ in codec.blocks]
    numerical = [name for name, sdtype in codec.sdtypes.items() if sdtype == "numerical"]
    numeric = typed[numerical].astype(float).to_numpy() if numerical else np.empty((len(typed), 0))
    columns = max(len(kinds), 1)
    skews, correlation = [], 0.0
    filled = numeric[~np.isnan(numeric).any(axis=1)]
    if filled.shape[0] > 2 and filled.shape[1]:
        centred = filled - filled.mean(axis=0)
        std = centred.std(axis=0)
        varying = std > 0
        if varying.any():
            z = centred[:, varying] / std[varying]
            skews = np.abs((z**3).mean(axis=0)).tolist()
            if z.shape[1] > 1:
                upper = np.corrcoef(z, rowvar=False)[np.triu_indices(z.shape[1], k=1)]
                correlation = float(np.nanmean(np.abs(upper)))
    cells = typed.size
    return {
        "log_rows": math.log10(max(len(typed), 1)),
        "log_columns": math.log10(columns),
        "log_encoded_dims": math.log10(max(codec.dims, 1)),
        "share_categorical": sum(k in _CATEGORICAL for k in kinds) / columns,
        "share_integer": sum(k in _WHOLE for k in kinds) / columns,
        "share_missing": float(typed.isna().to_numpy().sum() / cells) if cells else 0.0,
        "mean_abs_skew": float(np.mean(skews)) if skews else 0.0,
        "mean_abs_correlation": correlation,
    }
