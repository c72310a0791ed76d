"""The project's `column_shapes` / `column_pairs` equal SDMetrics' on two real tables (penguins, and
scikit-learn's diabetes data written as a mixed CSV with a date and gaps), for real, noisy, shuffled
and generated rows. SDMetrics pins pandas<3, so it is checked here, in the SDV venv (sdv installs
it), not in the core environment; `benchmarks/sdmetrics_agreement.py` prints the same numbers."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: both compute the same sums in another order (SDMetrics' TVComplement also smooths unseen levels by 1e-6)
TOLERANCE = 1e-6


def _benchmark():
    spec = importlib.util.spec_from_file_location("sdmetrics_agreement", ROOT / "benchmarks" / "sdmetrics_agreement.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCHMARK = _benchmark()


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    from advisor.data.user import load_user_data
    from advisor.plugins import load_registry

    diabetes = BENCHMARK.diabetes_csv(tmp_path_factory.mktemp("tables") / "diabetes.csv")
    return {"penguins": load_registry().dataset("penguins")(), "diabetes": load_user_data(diabetes)}


@pytest.mark.parametrize("table", ["penguins", "diabetes"])
def test_quality_report_numbers_equal_the_projects(tables, table):
    rows = {row["set"]: row for row in BENCHMARK.agreement(tables[table], "smoke", 0, ["gmm"])}
    assert list(rows) == ["training rows", "noise 0.5 sd", "shuffled", "gmm"]
    for row in rows.values():
        assert row["shapes"] == pytest.approx(row["sdmetrics_shapes"], abs=TOLERANCE), row
        assert row["pairs"] == pytest.approx(row["sdmetrics_pairs"], abs=TOLERANCE), row
    assert rows["shuffled"]["pairs"] < rows["training rows"]["pairs"] - 0.1  # the sets differ where they should
    assert rows["shuffled"]["shapes"] == rows["training rows"]["shapes"]


def test_every_pair_counted_equals_the_column_pair_trends_property(tables):
    """Thresholds of 0 give SDMetrics' ColumnPairTrends property on its own (every pair scored)."""
    from sdmetrics.reports.single_table._properties import ColumnPairTrends

    from advisor.metrics.tabular import column_pairs, table_view

    for dataset in tables.values():
        for ctx in BENCHMARK.contexts(dataset, "smoke", 0, []).values():
            view = table_view(ctx)
            metadata = {"columns": {name: {"sdtype": kind} for name, kind in view.sdtypes.items()}}
            expected = ColumnPairTrends().get_score(
                BENCHMARK.as_read(view.real), BENCHMARK.as_read(view.synthetic), metadata
            )
            assert column_pairs(view.real, view.synthetic, view.sdtypes, 0, 0) == pytest.approx(expected, abs=TOLERANCE)
