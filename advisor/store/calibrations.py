"""Writing calibration readings: each quality metric on reference sample sets of known quality.

`advisor metrics calibrate --db` stores what it measured here, so that `advisor table` and the
answers can grade a family's numbers against the reference sets without recomputing them (and
without torch). A dataset's readings at a budget are replaced as a whole, in one transaction.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert

from advisor.store.schema import calibration

if TYPE_CHECKING:
    from advisor.metrics.calibration import Calibration
    from advisor.store.engine import Store

__all__ = ["save_calibration"]


def save_calibration(store: Store, result: Calibration) -> int:
    """Replace the stored readings of `result`'s dataset and budget with `result`'s finite values;
    returns the rows written (a NaN or infinite reading is not a point on any scale)."""
    steps = {level.name: step for step, level in enumerate(result.levels)}
    rows = [
        {
            "dataset": result.dataset,
            "budget": result.budget,
            "metric": metric,
            "reference_set": name,
            "ladder_step": steps.get(name),
            "seed": seed,
            "value": value,
        }
        for metric, sets in result.readings.items()
        for name, reading in sets.items()
        for seed, value in zip(reading.seeds, reading.values, strict=True)
        if math.isfinite(value)
    ]
    with store.session() as session:
        session.execute(
            delete(calibration).where(calibration.c.dataset == result.dataset, calibration.c.budget == result.budget)
        )
        if rows:
            session.execute(insert(calibration), rows)
    return len(rows)
