"""Column shapes and column pairs see what they are for: broken pairs lower the pair score only."""

import numpy as np

from advisor.budgets import get_budget
from advisor.metrics.base import EvaluationContext
from advisor.metrics.tabular import ColumnPairs, ColumnShapes
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


def test_a_missing_category_cell_is_a_level_a_generator_must_match():
    import numpy as np
    import pandas as pd

    from advisor.metrics.tabular import _tv_complement

    real = pd.Series(["a"] * 5 + ["b"] * 4 + [np.nan], dtype=object)  # 10% gaps
    no_gaps = pd.Series(["a"] * 5 + ["b"] * 5, dtype=object)
    assert _tv_complement(real, real.copy()) == 1.0
    assert abs(_tv_complement(real, no_gaps) - 0.9) < 1e-12  # the 10% of gaps it never emits count
    assert _tv_complement(real.astype("str"), no_gaps) == _tv_complement(real, no_gaps)  # pandas' string dtype too
