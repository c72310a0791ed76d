"""The VAE family: its bound on a Gaussian is near the truth, early stopping, conditioning, cost numbers."""

import math

import numpy as np
import pytest

from advisor.budgets import Budget, get_budget

torch = pytest.importorskip("torch")

from advisor_plugins.vae import VariationalAutoencoderFamily  # noqa: E402

SMOKE = get_budget("smoke")
COVARIANCE = np.array([[1.0, 0.6], [0.6, 0.5]])


def _gaussian(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.multivariate_normal([1.0, -2.0], COVARIANCE, size=n)).astype(np.float32)


def _true_nll(x):
    inverse, (_, logdet) = np.linalg.inv(COVARIANCE), np.linalg.slogdet(COVARIANCE)
    centred = x - np.array([1.0, -2.0])
    return float(
        (0.5 * np.einsum("ni,ij,nj->n", centred, inverse, centred) + 0.5 * logdet + math.log(2 * math.pi)).mean()
    )


@pytest.mark.slow
def test_iwae_bound_on_a_gaussian_is_near_the_true_nll():
    budget = SMOKE.model_copy(update={"train_steps": 1500})
    family = VariationalAutoencoderFamily()
    report = family.fit(_gaussian(2000, 0), None, budget, 0, "cpu")
    test = _gaussian(1000, 1)
    nll = -family.log_prob(test).mean().item()
    assert nll == pytest.approx(_true_nll(test), abs=0.1)
    assert report.selected["conditional"] is False and report.selected["iwae_samples"] == 100
    # samples (decoder noise included) have the data's moments
    x = family.sample(4000).numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, -2.0], atol=0.1)
    np.testing.assert_allclose(np.cov(x.T), COVARIANCE, atol=0.15)


@pytest.mark.slow
def test_small_data_stops_early_on_validation_and_reports_reconstruction():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(60, 8)).astype(np.float32)
    budget = Budget(**{**SMOKE.model_dump(), "name": "tiny", "train_steps": 3000, "batch_size": 32})
    family = VariationalAutoencoderFamily()
    report = family.fit(train, None, budget, 0, "cpu")
    assert report.steps < 3000 and "stopped early" in report.notes
    assert report.selected["best_step"] <= report.steps
    assert 0.0 < report.selected["reconstruction_mse"] < 2.0


def test_conditional_model_bounds_the_marginal_and_rejects_unseen_labels():
    x = _gaussian(1000, 0)
    labels = (x[:, 0] > 1.0).astype(np.int64) + 3  # label values need not start at 0
    family = VariationalAutoencoderFamily()
    family.fit(x, labels, SMOKE, 0, "cpu")
    test = _gaussian(200, 1)
    torch.testing.assert_close(family.log_prob(test, np.zeros(200, int)), family.log_prob(test))
    assert family.sample(10, np.full(10, 4)).shape == (10, 2)
    with pytest.raises(ValueError, match="not seen in training"):
        family.sample(2, np.array([3, 7]))
    assert family.nfe() == 1
    assert family.num_parameters() == sum(p.numel() for p in family.net.parameters())
