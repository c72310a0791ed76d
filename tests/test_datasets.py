import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.data.toys import Grid25, Ring8

SMOKE = get_budget("smoke")


@pytest.mark.parametrize("dataset_cls", [Ring8, Grid25])
def test_split_is_reproducible_and_seed_dependent(dataset_cls):
    a, b = dataset_cls().split(SMOKE, 0), dataset_cls().split(SMOKE, 0)
    assert a.data_hash == b.data_hash
    assert dataset_cls().split(SMOKE, 1).data_hash != a.data_hash
    assert a.train.shape == (SMOKE.n_train, 2) and a.test.shape == (SMOKE.n_test, 2)
    assert a.train.dtype == np.float32
    assert set(np.unique(a.train_labels)) == set(range(dataset_cls.card.classes))


@pytest.mark.slow
@pytest.mark.parametrize("dataset_cls", [Ring8, Grid25])
def test_log_density_integrates_to_one(dataset_cls):
    axis = np.linspace(-3, 3, 1201)
    grid = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)
    mass = np.exp(dataset_cls().log_density(grid)).sum() * (axis[1] - axis[0]) ** 2
    assert mass == pytest.approx(1.0, abs=1e-3)


def test_ring8_entropy_matches_calibration():
    # the true entropy of ring8 (8 Gaussians of std 0.1 on a circle of radius 2) is 0.324 nats, both dims
    x, _ = Ring8().sample(200_000, np.random.default_rng(0))
    assert -Ring8().log_density(x).mean() == pytest.approx(0.324, abs=0.01)


def test_labels_are_the_mixture_components():
    split = Ring8().split(SMOKE, 3)
    nearest = ((split.train[:, None] - Ring8.modes()[None]) ** 2).sum(-1).argmin(1)
    assert (nearest == split.train_labels).mean() > 0.999


@pytest.mark.parametrize("name", ["checkerboard", "moons", "swissroll", "digits", "wine", "breast-cancer"])
def test_every_builtin_dataset_is_reproducible_and_matches_its_card(name):
    from advisor.plugins import load_registry

    dataset = load_registry().dataset(name)()
    a, b, c = dataset.split(SMOKE, 0), dataset.split(SMOKE, 0), dataset.split(SMOKE, 1)
    assert a.data_hash == b.data_hash != c.data_hash
    assert a.train.shape[1] == a.test.shape[1] == dataset.card.dims
    assert a.train.dtype == np.float32 and np.isfinite(a.train).all()
    if dataset.card.classes:
        assert set(np.unique(a.train_labels)) == set(range(dataset.card.classes))
    else:
        assert a.train_labels is None
    if dataset.card.size:
        assert len(a.train) + len(a.test) == dataset.card.size
        assert len(a.test) == pytest.approx(0.2 * dataset.card.size, abs=1)


def test_checkerboard_density_is_uniform_on_dark_squares():
    from advisor.data.toys import Checkerboard

    board = Checkerboard()
    x, _ = board.sample(5000, np.random.default_rng(0))
    assert np.allclose(board.log_density(x), -np.log(32))
    assert np.isneginf(board.log_density(np.array([[0.5, -0.5], [5.0, 0.0]]))).all()


def test_digits_are_dequantized_pixels():
    from advisor.data.bundled import Digits

    split = Digits().split(SMOKE, 0)
    assert split.train.min() >= 0 and split.train.max() < 17
    levels = np.floor(split.train)
    assert set(np.unique(levels)) <= set(range(17))
    assert not np.allclose(split.train, levels), "noise must be added"


def test_tabular_sets_are_standardized_with_training_statistics_only():
    from advisor.data.bundled import Wine

    split = Wine().split(SMOKE, 0)
    np.testing.assert_allclose(split.train.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(split.train.std(0), 1, atol=1e-4)
    assert np.abs(split.test.mean(0)).max() > 1e-3  # test statistics were not used
