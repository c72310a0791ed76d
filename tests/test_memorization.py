"""The memorization metric: share of samples closer to a training row than held-out rows usually are."""

import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.cards import FamilyCard
from advisor.data.bundled import Wine
from advisor.data.toys import Ring8
from advisor.metrics import EvaluationContext, get_metric
from advisor.metrics.memorization import DEFAULT_QUANTILE, closest_distances, memorization

SMOKE = get_budget("smoke")
CARD = FamilyCard(name="copier", title="copier", likelihood="none", latent="none", training="mle", sampling="one-shot")


def test_spec_says_lower_is_better_within_zero_and_one():
    spec = get_metric("memorization").spec
    assert (spec.category, spec.higher_is_better, spec.bounds, spec.reference) == ("quality", False, (0.0, 1.0), None)
    assert "Park et al. 2018" in spec.description


def test_closest_distances_match_brute_force():
    rng = np.random.default_rng(0)
    x, records = rng.standard_normal((50, 3)), rng.standard_normal((70, 3))
    expected = np.sqrt(((x[:, None] - records[None]) ** 2).sum(-1)).min(1)
    assert closest_distances(x, records) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("dataset", [Ring8(), Wine()], ids=["ring8", "wine"])
def test_fresh_rows_score_the_quantile_and_training_copies_score_one(dataset):
    split = dataset.split(SMOKE, 0)
    train, fresh = split.train[: len(split.train) // 2], split.train[len(split.train) // 2 :]
    assert memorization(split.test, fresh, train=train) == pytest.approx(DEFAULT_QUANTILE, abs=0.05)
    assert memorization(split.test, train, train=train) == 1.0
    near_copies = train + 1e-3 * np.random.default_rng(0).standard_normal(train.shape)
    assert memorization(split.test, near_copies, train=train) == 1.0


def test_noise_far_from_the_data_is_not_memorized():
    split = Ring8().split(SMOKE, 0)
    far = np.random.default_rng(0).uniform(-10, 10, split.test.shape)
    assert memorization(split.test, far, train=split.train) < 0.01


def test_the_harness_compares_samples_with_the_training_split():
    ring = Ring8()
    split = ring.split(SMOKE, 0)
    metric = get_metric("memorization")
    assert metric.compute(EvaluationContext(ring, split, CARD, split.train[:500])) == 1.0
    assert metric.compute(EvaluationContext(ring, split, CARD, ring.split(SMOKE, 1).test)) < 0.15


def test_bad_arguments_are_refused():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 2))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        memorization(x, x, train=x, quantile=1.0)
    with pytest.raises(TypeError):
        get_metric("memorization")(x, x)  # the training rows are required


def test_on_a_table_a_copied_row_is_a_copy_however_it_was_encoded():
    """A family modelling penguins' own columns that copies training rows gets them re-dequantized by
    the harness: the noise alone puts them as far from their originals as held-out rows are."""
    from advisor.data.tables import Penguins

    penguins = Penguins()
    split = penguins.split(SMOKE, 0)
    encoder = split.encoder
    table = encoder.original_columns(split.train_table)
    rows = np.random.default_rng(0).integers(0, len(table), 500)
    recoded = encoder.encode_columns(table.iloc[rows].reset_index(drop=True), np.random.default_rng(1))
    assert memorization(split.test, recoded, train=split.train) < 0.15  # in the noisy space: like fresh rows
    metric = get_metric("memorization")
    assert metric.compute(EvaluationContext(penguins, split, CARD, recoded)) == 1.0
    assert metric.compute(EvaluationContext(penguins, split, CARD, split.train[rows])) == 1.0
    half = len(split.train) // 2
    train, fresh = encoder.requantized(split.train[:half]), encoder.requantized(split.train[half:])
    assert memorization(encoder.requantized(split.test), fresh, train=train) == pytest.approx(
        DEFAULT_QUANTILE, abs=0.08
    )


def test_on_a_table_fresh_rows_with_less_dequantization_noise_are_not_memorized():
    """A model whose one-hot and integer noise sits at the boxes' centres is nearer every training row
    in the noisy encoding than held-out rows are, without copying any: the metric must not call it
    memorization (penguins' GAN read 41% that way, 1% on rows)."""
    from advisor.data.tables import Penguins

    penguins = Penguins()
    split = penguins.split(SMOKE, 1)
    encoder = split.encoder
    half = len(split.train) // 2
    train, fresh = split.train[:half], split.train[half:]
    raw = encoder.requantized(fresh) * encoder.std + encoder.mean
    raw[:, encoder.noise_mask] += 0.5  # each dequantized cell at its box's centre
    centred = (raw - encoder.mean) / encoder.std
    assert memorization(split.test, centred, train=train) > 0.2  # the noisy encoding calls it copying
    requantized = memorization(
        encoder.requantized(split.test), encoder.requantized(centred), train=encoder.requantized(train)
    )
    assert requantized == pytest.approx(DEFAULT_QUANTILE, abs=0.05)


def test_on_a_table_whose_rows_repeat_a_copy_cannot_be_told_and_the_metric_says_so(tmp_path):
    """Two text columns and two small counts: most fresh rows repeat a training row exactly."""
    import pandas as pd

    from advisor.data.tables import Penguins
    from advisor.data.user import load_user_data

    rng = np.random.default_rng(0)
    rows = 600
    survey = pd.DataFrame(
        {
            "answer": rng.choice(["yes", "no", "maybe"], rows),
            "region": rng.choice(["north", "south"], rows),
            "children": rng.integers(0, 3, rows),
            "rating": rng.integers(1, 4, rows),
        }
    )
    survey.to_csv(tmp_path / "survey.csv", index=False)
    dataset = load_user_data(tmp_path / "survey.csv")
    split = dataset.split(SMOKE, 0)
    metric = get_metric("memorization")
    reason = metric.not_applicable(EvaluationContext(dataset, split, CARD, split.test))
    assert reason is not None and "repeat a training row exactly" in reason
    penguins = Penguins()
    split = penguins.split(SMOKE, 0)
    assert metric.not_applicable(EvaluationContext(penguins, split, CARD, split.test)) is None
