"""A table described by a few numbers (meta-features), so that tables like a user's can be found.

Computed once when a table is read (users' files, the corpus, the bundled tables) and kept in its
dataset card (`DatasetCard.meta`), so the store can say which measured tables a new one resembles
without the tables themselves (the corpus's GPL tables never enter the shipped store). Each number is
on a scale where a difference means about the same everywhere: sizes as log10, shares in [0, 1]
(auto-sklearn's meta-learning uses the same kind of description; Feurer et al. 2015).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

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


def table_meta_features(
    numeric: np.ndarray, kinds: Sequence[str], missing_cells: float, encoded_dims: int
) -> dict[str, float]:
    """The meta-features of a table with `numeric` (rows x numeric columns, gaps as NaN) and one column kind
    per modelled column (`kinds`: "categorical", "integer", "continuous", "datetime", ...), `missing_cells`
    the share of its modelled cells that are gaps, and `encoded_dims` the width of its shared encoding."""
    import numpy as np

    rows = len(numeric)
    columns = max(len(kinds), 1)
    counts: Mapping[str, int] = {kind: sum(1 for k in kinds if k == kind) for kind in set(kinds)}
    skews, correlation = [], 0.0
    filled = numeric[~np.isnan(numeric).any(axis=1)] if numeric.size else numeric
    if filled.ndim == 2 and filled.shape[0] > 2:
        centred = filled - filled.mean(axis=0)
        std = centred.std(axis=0)
        varying = std > 0
        if varying.any():
            z = centred[:, varying] / std[varying]
            skews = np.abs((z**3).mean(axis=0)).tolist()
            if z.shape[1] > 1:
                matrix = np.corrcoef(z, rowvar=False)
                upper = matrix[np.triu_indices_from(matrix, k=1)]
                correlation = float(np.nanmean(np.abs(upper)))
    return {
        "log_rows": math.log10(max(rows, 1)),
        "log_columns": math.log10(columns),
        "log_encoded_dims": math.log10(max(encoded_dims, 1)),
        "share_categorical": (counts.get("categorical", 0) + counts.get("ordinal", 0) + counts.get("boolean", 0))
        / columns,
        "share_integer": (counts.get("integer", 0) + counts.get("discrete", 0)) / columns,
        "share_missing": float(missing_cells),
        "mean_abs_skew": float(np.mean(skews)) if len(skews) else 0.0,
        "mean_abs_correlation": correlation,
    }
