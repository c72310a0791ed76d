"""The ebm family: quadrature normalizer, None above 2-D, sampler NFE, reported choices, divergence."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from advisor.torchkit import DivergenceError, Standardizer  # noqa: E402
from advisor_plugins.ebm import EnergyFamily  # noqa: E402
from tests.conftest import tiny_budget  # noqa: E402

TINY = tiny_budget(20)


def _data(n=2000, dims=2, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, dims)) * np.linspace(0.5, 2.0, dims) + 1.0).astype(np.float32)


def test_quadrature_normalizes_a_known_energy():
    family = EnergyFamily()
    report = family.fit(_data(), None, TINY, 0, "cpu")
    assert report.steps == TINY.train_steps
    assert report.selected["sampler_steps"] == {"langevin-100": 100, "langevin-200": 200}
    assert report.selected["step_size"] == family.step_size and report.selected["noise_std"] == family.noise_std
    family.net = torch.nn.Sequential()  # replace the energy: E(z) = |z|^2 / 2, a standard normal in z-space
    family._energy = lambda z: 0.5 * (z**2).sum(-1)
    family.log_normalizer = None
    test = _data(500, seed=1)
    expected = Standardizer.gaussian_log_prob(family.standardizer.forward(torch.as_tensor(test)))
    expected = expected + family.standardizer.log_abs_det
    torch.testing.assert_close(family.log_prob(test), expected, atol=5e-3, rtol=0)


def test_no_log_density_above_two_dimensions_but_samples_and_nfe():
    family = EnergyFamily()
    family.fit(_data(dims=5), None, TINY, 0, "cpu")
    assert family.log_prob(_data(10, dims=5)) is None
    for sampler in family.card.samplers:
        x = family.sample(32, None, sampler)
        assert x.shape == (32, 5) and torch.isfinite(x).all()
    assert family.nfe("langevin-100") == 100 and family.nfe("langevin-200") == 200 and family.nfe() == 100
    assert family.num_parameters() == 5 * 128 + 128 + 2 * (128 * 128 + 128) + 128 + 1
    with pytest.raises(ValueError, match="unknown sampler"):
        family.sample(2, None, "hmc")


def test_samples_stay_in_the_padded_bounding_box_and_reproduce():
    a, b = EnergyFamily(), EnergyFamily()
    for family in (a, b):
        family.fit(_data(), None, TINY, 5, "cpu")
    xa, xb = a.sample(64), b.sample(64)
    torch.testing.assert_close(xa, xb)
    data = torch.as_tensor(_data())
    span = data.max(0).values - data.min(0).values
    assert (xa >= data.min(0).values - 0.11 * span).all() and (xa <= data.max(0).values + 0.11 * span).all()


def test_absurd_learning_rate_diverges():
    with pytest.raises(DivergenceError, match="diverged"):
        EnergyFamily(learning_rate=1e8).fit(_data(), None, TINY, 0, "cpu")


def test_chains_above_two_dimensions_start_from_the_fitted_gaussian():
    # strongly correlated 6-D data: the bounding box is nearly empty, the fitted Gaussian is not
    rng = np.random.default_rng(0)
    shared = rng.standard_normal((2000, 1))
    data = (shared + 0.2 * rng.standard_normal((2000, 6))).astype(np.float32)
    family = EnergyFamily()
    family.fit(data, None, TINY, 0, "cpu")
    starts = family.standardizer.inverse(family._initial(4000, torch.Generator().manual_seed(1))).numpy()
    assert np.corrcoef(starts[:, 0], starts[:, 1])[0, 1] > 0.9  # the data's correlation is 0.96
    np.testing.assert_allclose(starts.std(0), data.std(0), rtol=0.1)
    assert family.sample(64, None, "langevin-100").shape == (64, 6)
