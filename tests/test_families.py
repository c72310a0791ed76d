import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.data.toys import Grid25, Ring8
from advisor_plugins.gmm import GaussianMixtureFamily
from advisor_plugins.kde import KernelDensityFamily

SMOKE = get_budget("smoke")
FAMILIES = [GaussianMixtureFamily, KernelDensityFamily]


def _fit(family_cls, dataset, seed=0):
    split = dataset.split(SMOKE, seed)
    family = family_cls()
    family.fit(split.train, split.train_labels, SMOKE, seed, "cpu")
    return family, split


@pytest.mark.slow
@pytest.mark.parametrize("family_cls", FAMILIES)
@pytest.mark.parametrize("dataset", [Ring8(), Grid25()])
def test_fit_recovers_the_density(family_cls, dataset):
    family, split = _fit(family_cls, dataset)
    kl = float((dataset.log_density(split.test) - family.log_prob(split.test)).mean())
    # 2,000 training points (smoke); the quick budget targets (<= 0.01 / 0.03) are in the issue notes.
    assert 0 <= kl + 0.02 and kl < 0.15


@pytest.mark.slow
@pytest.mark.parametrize("family_cls", FAMILIES)
def test_samples_shape_dtype_and_seed_reproducibility(family_cls):
    a, _ = _fit(family_cls, Ring8(), seed=4)
    b, _ = _fit(family_cls, Ring8(), seed=4)
    xa, xb = a.sample(500), b.sample(500)
    assert xa.shape == (500, 2) and xa.dtype == np.float32
    np.testing.assert_array_equal(xa, xb)
    assert not np.array_equal(a.sample(500), xa), "successive calls must give fresh samples"


@pytest.mark.slow
def test_gmm_selects_enough_components_for_every_mode():
    family, _ = _fit(GaussianMixtureFamily, Grid25())
    assert family.model.n_components >= 25


@pytest.mark.slow
def test_gmm_samples_are_shuffled_across_components():
    family, _ = _fit(GaussianMixtureFamily, Ring8())
    head = family.sample(200)
    nearest = ((head[:, None] - Ring8.modes()[None]) ** 2).sum(-1).argmin(1)
    assert len(set(nearest[:50])) >= 6


def test_kde_bandwidth_selected_on_validation_is_small_for_sharp_modes():
    family, _ = _fit(KernelDensityFamily, Grid25())
    # Silverman's rule gives ~0.2 here and smears the 0.05-std modes; validation picks far less.
    assert family.model.bandwidth < 0.08
