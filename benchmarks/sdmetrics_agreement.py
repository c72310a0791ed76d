"""The project's `column_shapes` / `column_pairs` beside SDMetrics' QualityReport on the same rows.

    tmp/sdv-venv/bin/python benchmarks/sdmetrics_agreement.py [--budget smoke] [--seed 0] [-f gmm -f kde ...]

Runs where `sdmetrics` is installed: the SDV venv (`make sdv-venv`), since SDMetrics pins pandas<3
and so stays out of the core environment. Two real tables: penguins (shipped) and scikit-learn's
diabetes data (442 patients) written as a mixed CSV (`diabetes_csv`: sex as text, a visit date, a
few gaps). On each, the run's real test rows are set against several synthetic sets: training rows
(real), the same with noise, the same with each column shuffled (`shuffled_columns`), and samples
of each family fitted at the budget. Prints, per table and set, the project's numbers and
SDMetrics' Column Shapes and Column Pair Trends (its QualityReport's default thresholds).
`contrib/advisor-sdv/tests/test_sdmetrics_agreement.py` asserts they are equal.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from advisor.data.base import Dataset, Split
    from advisor.metrics.base import EvaluationContext
    from advisor.metrics.tabular import TableView

#: the share of cells left empty in two of the diabetes table's columns
DIABETES_GAPS = 0.03


def diabetes_csv(path: Path) -> Path:
    """scikit-learn's diabetes data (raw units) as a mixed CSV at `path`: sex as text, a visit date
    tied to age (a strong numerical-datetime pair), 3% of the bmi and sex cells empty."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(scaled=False, as_frame=True).frame
    rng = np.random.default_rng(0)
    frame["sex"] = frame["sex"].map({1.0: "group 1", 2.0: "group 2"})
    days = (frame["age"] * 120 + rng.integers(0, 900, len(frame))).astype(int)
    frame["visit"] = (np.datetime64("1990-01-01") + days.to_numpy().astype("timedelta64[D]")).astype(str)
    for name in ("bmi", "sex"):
        frame.loc[rng.random(len(frame)) < DIABETES_GAPS, name] = None
    frame.to_csv(path, index=False)
    return path


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as a user reading it back from a CSV has it: whole numbers with gaps as floats."""
    return frame.apply(lambda column: column.astype(float) if column.dtype == "Int64" else column)


def sdmetrics_scores(view: TableView) -> tuple[float, float]:
    """SDMetrics' QualityReport (Column Shapes, Column Pair Trends) on `view`'s rows (`as_read`)."""
    from sdmetrics.reports import QualityReport

    metadata = {"tables": {"table": {"columns": {name: {"sdtype": kind} for name, kind in view.sdtypes.items()}}}}
    report = QualityReport()
    report.generate({"table": as_read(view.real)}, {"table": as_read(view.synthetic)}, metadata, verbose=False)
    scores = report.get_properties().set_index("Property")["Score"]
    return float(scores["Column Shapes"]), float(scores["Column Pair Trends"])


def synthetic_sets(
    dataset: Dataset, split: Split, budget: str, seed: int, families: list[str]
) -> dict[str, np.ndarray]:
    """Encoded synthetic rows per set name: real training rows, noisy, shuffled, then each family's samples."""
    from advisor.budgets import get_budget
    from advisor.evaluate.columns import for_split
    from advisor.metrics.calibration import shuffled_columns
    from advisor.plugins import load_registry

    rng = np.random.default_rng(seed)
    train = split.train
    sets = {
        "training rows": train,
        "noise 0.5 sd": (train + 0.5 * train.std(axis=0) * rng.standard_normal(train.shape)).astype(np.float32),
        "shuffled": shuffled_columns(split, train, rng),
    }
    registry = load_registry()
    for name in families:
        model = for_split(registry.family(name)(), split, seed)
        model.fit(split.train, None, get_budget(budget), seed, "cpu")
        sets[name] = np.asarray(model.sample(len(split.train), None, registry.family(name).card.samplers[0]))
    return sets


def contexts(dataset: Dataset, budget: str, seed: int, families: list[str]) -> dict[str, EvaluationContext]:
    """An evaluation context per synthetic set (`synthetic_sets`) against the split's real test rows."""
    from advisor.budgets import get_budget
    from advisor.cards import FamilyCard
    from advisor.metrics.base import EvaluationContext

    split = dataset.split(get_budget(budget), seed)
    card = FamilyCard(name="set", title="set", likelihood="none", latent="none", training="mle", sampling="one-shot")
    sets = synthetic_sets(dataset, split, budget, seed, families)
    return {name: EvaluationContext(dataset, split, card, samples) for name, samples in sets.items()}


def agreement(dataset: Dataset, budget: str, seed: int, families: list[str]) -> list[dict[str, object]]:
    """Per synthetic set: the project's column_shapes and column_pairs, and SDMetrics' beside them."""
    from advisor.metrics.tabular import ColumnPairs, ColumnShapes, table_view

    rows = []
    for name, ctx in contexts(dataset, budget, seed, families).items():
        shapes, pairs = sdmetrics_scores(table_view(ctx))
        rows.append(
            {
                "set": name,
                "shapes": ColumnShapes().compute(ctx),
                "sdmetrics_shapes": shapes,
                "pairs": ColumnPairs().compute(ctx),
                "sdmetrics_pairs": pairs,
            }
        )
    return rows


def main() -> None:
    """Print the comparison for penguins and the diabetes table."""
    from advisor.data.user import load_user_data
    from advisor.plugins import load_registry

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="smoke")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-f", "--family", action="append", dest="families", help="default: gmm, kde, flow")
    args = parser.parse_args()
    families = args.families or ["gmm", "kde", "flow"]
    with tempfile.TemporaryDirectory() as folder:
        tables = {
            "penguins": load_registry().dataset("penguins")(),
            "diabetes": load_user_data(diabetes_csv(Path(folder) / "diabetes.csv")),
        }
        print(f"{'table':<10} {'set':<14} {'shapes':>8} {'SDMetrics':>10} {'pairs':>8} {'SDMetrics':>10}")
        for table, dataset in tables.items():
            for row in agreement(dataset, args.budget, args.seed, families):
                print(
                    f"{table:<10} {row['set']:<14} {row['shapes']:8.4f} {row['sdmetrics_shapes']:10.4f} "
                    f"{row['pairs']:8.4f} {row['sdmetrics_pairs']:10.4f}"
                )


if __name__ == "__main__":
    main()
