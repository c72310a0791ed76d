"""The spline flows (`flow`, `flow-ar`): likelihood of a Gaussian, exact densities, NFE, divergence, labels."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("zuko")

from advisor.budgets import get_budget  # noqa: E402
from advisor.torchkit import DivergenceError  # noqa: E402
from advisor_plugins.flow import AutoregressiveSplineFlow, CouplingSplineFlow  # noqa: E402

SMALL = get_budget("smoke").model_copy(
    update={"name": "test", "train_steps": 300, "n_stored_samples": 0, "time_limit_s": 60}
)
COVARIANCE = np.array([[4.0, 1.2, 0.0], [1.2, 1.0, 0.3], [0.0, 0.3, 0.25]])


def _gaussian(n, seed):
    return (np.random.default_rng(seed).normal(size=(n, 3)) @ np.linalg.cholesky(COVARIANCE).T + 5).astype(np.float32)


def _true_log_prob(x):
    return torch.distributions.MultivariateNormal(
        torch.full((3,), 5.0, dtype=torch.float64), torch.as_tensor(COVARIANCE)
    ).log_prob(torch.as_tensor(x, dtype=torch.float64))


@pytest.mark.slow
@pytest.mark.parametrize("family_cls", [CouplingSplineFlow, AutoregressiveSplineFlow])
def test_nll_of_a_correlated_gaussian_is_near_the_truth(family_cls):
    family = family_cls()
    report = family.fit(_gaussian(2_000, 0), None, SMALL, 0, "cpu")
    assert report.steps <= SMALL.train_steps and report.selected["transforms"] == 3
    test = _gaussian(1_000, 1)
    gap = (_true_log_prob(test) - torch.as_tensor(family.log_prob(test), dtype=torch.float64)).mean().item()
    assert -0.05 < gap < 0.1, f"KL estimate {gap:.3f} nats: data-space densities are off"
    samples = np.asarray(family.sample(2_000))
    np.testing.assert_allclose(np.cov(samples.T), COVARIANCE, rtol=0.15, atol=0.1)


@pytest.mark.parametrize("family_cls, expected", [(CouplingSplineFlow, 2 * 3), (AutoregressiveSplineFlow, 5 * 3)])
def test_nfe_is_the_number_of_network_passes_sampling_makes(family_cls, expected):
    x = np.random.default_rng(0).normal(size=(500, 5)).astype(np.float32)
    family = family_cls()
    family.fit(x, None, SMALL.model_copy(update={"train_steps": 5}), 0, "cpu")
    calls = []
    for transform in family.flow.transform.transforms:
        transform.hyper.register_forward_hook(lambda *_: calls.append(1))
    family.sample(10)
    assert family.nfe() == expected == len(calls)


@pytest.mark.slow
def test_conditional_density_is_marginalised_and_integrates_to_one():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=2_000)
    x = (np.where(labels[:, None] == 0, -3.0, 3.0) + rng.normal(size=(2_000, 2))).astype(np.float32)
    family = CouplingSplineFlow()
    family.fit(x, labels, SMALL, 0, "cpu")
    grid = np.stack(np.meshgrid(np.linspace(-9, 9, 181), np.linspace(-6, 6, 121)), -1).reshape(-1, 2)
    log_p = np.asarray(family.log_prob(grid.astype(np.float32)))
    assert np.exp(log_p).sum() * 0.1 * 0.1 == pytest.approx(1.0, abs=0.03)
    # the harness passes test labels; the score is still the marginal log p(x)
    np.testing.assert_allclose(family.log_prob(x[:50], labels[:50]), family.log_prob(x[:50]), rtol=1e-6)
    right = np.asarray(family.sample(200, np.ones(200, dtype=int)))
    assert (right[:, 0] > 0).mean() > 0.9


def test_absurd_learning_rate_stays_finite_but_nan_data_diverges():
    x = _gaussian(500, 0)
    family = CouplingSplineFlow(learning_rate=1e8)  # zuko bounds its spline parameters: no blow-up
    family.fit(x, None, SMALL.model_copy(update={"train_steps": 20}), 0, "cpu")
    assert np.isfinite(np.asarray(family.log_prob(x))).all()
    x[3, 1] = np.nan
    with pytest.raises(DivergenceError, match="diverged at step 0"):
        CouplingSplineFlow().fit(x, None, SMALL, 0, "cpu")
