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


@pytest.mark.parametrize("dataset_cls", [Ring8, Grid25])
def test_log_density_integrates_to_one(dataset_cls):
    axis = np.linspace(-3, 3, 1201)
    grid = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)
    mass = np.exp(dataset_cls().log_density(grid)).sum() * (axis[1] - axis[0]) ** 2
    assert mass == pytest.approx(1.0, abs=1e-3)


def test_ring8_entropy_matches_calibration():
    # CALIBRATION.md: true entropy of ring8 is 0.324 nats (both dims).
    x, _ = Ring8().sample(200_000, np.random.default_rng(0))
    assert -Ring8().log_density(x).mean() == pytest.approx(0.324, abs=0.01)


def test_labels_are_the_mixture_components():
    split = Ring8().split(SMOKE, 3)
    nearest = ((split.train[:, None] - Ring8.modes()[None]) ** 2).sum(-1).argmin(1)
    assert (nearest == split.train_labels).mean() > 0.999
