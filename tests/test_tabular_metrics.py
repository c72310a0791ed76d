"""Column shapes and column pairs see what they are for (broken pairs lower the pair score only), with
SDMetrics' definitions; contrib/advisor-sdv/tests/test_sdmetrics_agreement.py checks them against SDMetrics."""

import numpy as np
import pandas as pd
import pytest

from advisor.budgets import get_budget
from advisor.metrics.base import EvaluationContext
from advisor.metrics.tabular import ColumnPairs, ColumnShapes, column_pairs, column_shapes
from advisor.plugins import load_registry


def _scores(dataset, split, fake):
    ctx = EvaluationContext(dataset, split, load_registry().family("gmm").card, fake)
    return ColumnShapes().compute(ctx), ColumnPairs().compute(ctx)


def test_shuffled_columns_keep_shapes_and_break_pairs():
    dataset = load_registry().dataset("penguins")()
    split = dataset.split(get_budget("smoke"), 0)
    rng = np.random.default_rng(0)
    real = split.train
    shuffled = np.stack([rng.permutation(real[:, i]) for i in range(real.shape[1])], axis=1)
    real_shapes, real_pairs = _scores(dataset, split, real)
    shuffled_shapes, shuffled_pairs = _scores(dataset, split, shuffled)
    assert abs(shuffled_shapes - real_shapes) < 0.03  # the same marginals
    assert shuffled_pairs < real_pairs - 0.05  # the dependence between columns is gone
    one_column = np.repeat(real[:1], len(real), axis=0)  # every row a copy of one penguin
    assert _scores(dataset, split, one_column)[0] < real_shapes - 0.3


def test_not_applicable_off_tables():
    dataset = load_registry().dataset("ring8")()
    split = dataset.split(get_budget("smoke"), 0)
    ctx = EvaluationContext(dataset, split, load_registry().family("gmm").card, split.test)
    assert "not a table" in ColumnShapes().not_applicable(ctx)


def test_category_frequencies_leave_gaps_out_as_sdmetrics_tvcomplement_does():
    real = pd.Series(["a"] * 5 + ["b"] * 4 + [np.nan], dtype=object)  # 10% gaps
    no_gaps = pd.Series(["a"] * 5 + ["b"] * 5, dtype=object)
    sdtypes = {"c": "categorical"}
    assert column_shapes(real.to_frame("c"), real.to_frame("c"), sdtypes) == 1.0
    assert column_shapes(real.to_frame("c"), no_gaps.to_frame("c"), sdtypes) == pytest.approx(1 - 1 / 18)  # 5/9, 4/9
    assert column_shapes(real.astype("str").to_frame("c"), no_gaps.to_frame("c"), sdtypes) < 1  # pandas' string dtype


def test_dates_compare_as_instants_and_an_empty_column_is_left_out():
    days = pd.Series(pd.date_range("2024-01-01", periods=100, freq="D"))
    real = pd.DataFrame({"when": days, "x": np.arange(100.0)})
    later = real.assign(when=days + pd.Timedelta(days=10), x=np.nan)  # 10 of 100 days past the real ones
    assert column_shapes(real, later, {"when": "datetime", "x": "numerical"}) == pytest.approx(0.9)
    assert column_shapes(real, later, {"when": "datetime", "id": "id"}) == pytest.approx(0.9)  # ids are not scored


def test_only_pairs_associated_in_the_real_rows_count():
    rng = np.random.default_rng(0)
    x, noise, z = rng.normal(size=(3, 2000))
    real = pd.DataFrame({"x": x, "y": x + 0.1 * noise, "z": z})
    lost = real.assign(y=rng.permutation(real["y"]))  # x~y (r = 0.995) lost; the weak pairs stay weak
    sdtypes = dict.fromkeys(real, "numerical")
    r = real["x"].corr(real["y"])
    assert column_pairs(real, real, sdtypes) == 1.0
    assert column_pairs(real, lost, sdtypes) == pytest.approx(1 - abs(r - lost["x"].corr(lost["y"])) / 2)
    assert column_pairs(real, lost, sdtypes) < 0.55  # the one strong pair, the only one counted
    assert column_pairs(real, lost, sdtypes, 0, 0) > 0.8  # every pair: the two weak ones dilute the loss
    independent = real.assign(y=noise)
    assert np.isnan(column_pairs(independent, independent, sdtypes))  # no pair counts


def test_a_number_beside_a_category_is_binned_over_its_own_range_with_gaps_in_the_top_bin():
    real = pd.DataFrame({"x": [*range(10), 9.0], "c": ["lo"] * 5 + ["hi"] * 6})
    sdtypes = {"x": "numerical", "c": "categorical"}
    top_as_gap = real.assign(x=[*range(10), np.nan])  # the same range; 9 is on numpy's last edge, with the gaps
    assert column_pairs(real, top_as_gap, sdtypes) == 1.0
    stretched = real.assign(x=real["x"] * 100)  # each table's own range: the same bins
    assert column_pairs(real, stretched, sdtypes) == 1.0
    swapped = real.assign(c=["hi"] * 5 + ["lo"] * 6)  # the low numbers now "hi"
    assert column_pairs(real, swapped, sdtypes) == 0.0
    assert column_pairs(real, real.assign(c="lo"), sdtypes) == pytest.approx(5 / 11)  # a constant category counts


def test_a_constant_number_leaves_its_correlation_out():
    real = pd.DataFrame({"x": np.arange(10.0), "y": np.arange(10.0) ** 2, "z": -np.arange(10.0)})
    constant = real.assign(y=1.0)
    sdtypes = dict.fromkeys(real, "numerical")
    assert column_pairs(real, constant, sdtypes) == 1.0  # only x~z counts, as in SDMetrics


def test_column_pairs_does_not_apply_where_no_pair_is_associated(tmp_path):
    from advisor.data.user import load_user_data

    rng = np.random.default_rng(0)
    path = tmp_path / "independent.csv"
    pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"]).to_csv(path, index=False)  # 3 dims: a table
    dataset = load_user_data(path)
    split = dataset.split(get_budget("smoke"), 0)
    ctx = EvaluationContext(dataset, split, load_registry().family("gmm").card, split.train)
    assert "no pair of columns is associated in the real rows" in ColumnPairs().not_applicable(ctx)


def test_correlations_without_gaps_take_one_matrix_product_and_equal_the_pairwise_ones():
    import numpy as np
    import pandas as pd

    from advisor.metrics.tabular import _pairwise_correlations

    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(50, 6)), columns=list("abcdef"))
    frame["f"] = 1.0  # constant: no correlation defined
    fast = _pairwise_correlations(frame)
    slow = frame.corr(method="pearson", min_periods=2).to_numpy()
    assert np.allclose(fast, slow, equal_nan=True) and np.isnan(fast[5, 0]) and np.isnan(slow[5, 0])
