"""The autoregressive family: chain-rule likelihoods, discrete detection, sequential NFE, divergence, labels."""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from advisor.budgets import get_budget  # noqa: E402
from advisor.torchkit import DivergenceError  # noqa: E402
from advisor_plugins.autoregressive import AutoregressiveFamily, looks_dequantized  # noqa: E402

SMALL = get_budget("smoke").model_copy(
    update={"name": "test", "train_steps": 400, "n_stored_samples": 0, "time_limit_s": 60}
)


def _two_blobs(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    x = np.where(labels[:, None] == 0, [-2.0, 1.0], [2.0, -1.0]) + 0.3 * rng.normal(size=(n, 2))
    return x.astype(np.float32), labels


def _true_log_prob(x):
    means = torch.tensor([[-2.0, 1.0], [2.0, -1.0]], dtype=torch.float64)
    normal = torch.distributions.Normal(means, 0.3)
    per_mode = normal.log_prob(torch.as_tensor(x, dtype=torch.float64)[:, None, :]).sum(-1)
    return torch.logsumexp(per_mode, -1) - np.log(2)


def test_mixture_conditionals_reach_the_true_likelihood():
    x, _ = _two_blobs(2_000, 0)
    family = AutoregressiveFamily()
    report = family.fit(x, None, SMALL, 0, "cpu")
    assert not family.categorical and report.steps <= SMALL.train_steps
    test, _ = _two_blobs(1_000, 1)
    gap = (_true_log_prob(test) - torch.as_tensor(family.log_prob(test), dtype=torch.float64)).mean().item()
    assert -0.05 < gap < 0.1, f"KL estimate {gap:.3f} nats"


def test_discreteness_rule():
    rng = np.random.default_rng(0)
    levels = rng.integers(0, 17, size=(500, 8)).astype(np.float32)
    assert looks_dequantized(levels + rng.random(levels.shape))
    assert not looks_dequantized(levels)  # integers without dequantization noise
    assert not looks_dequantized(rng.normal(size=(500, 8)))  # negative values
    assert not looks_dequantized(rng.uniform(0, 100, size=(500, 8)))  # too many levels per column
    assert not looks_dequantized(levels[:10] + rng.random((10, 8)))  # too few values to tell


def test_categorical_conditionals_sum_to_one_over_levels_and_samples_are_dequantized():
    rng = np.random.default_rng(0)
    levels = np.stack([rng.integers(0, 3, 3_000), rng.integers(0, 2, 3_000), rng.integers(0, 3, 3_000)], 1)
    levels[:, 2] = np.minimum(levels[:, 0] + levels[:, 1], 2)  # a dependent column
    x = (levels + rng.random(levels.shape)).astype(np.float32)
    family = AutoregressiveFamily()
    family.fit(x, None, SMALL.model_copy(update={"train_steps": 100}), 0, "cpu")
    assert family.categorical and family.levels == 3
    cells = np.array(list(itertools.product(range(3), repeat=3)), dtype=np.float32)
    total = np.exp(np.asarray(family.log_prob(cells + 0.5))).sum()
    assert total == pytest.approx(1.0, abs=1e-4)  # a density of 1 per unit cell: P(floor(x))
    np.testing.assert_allclose(family.log_prob(cells + 0.01), family.log_prob(cells + 0.99), rtol=1e-6)
    samples = np.asarray(family.sample(500))
    assert samples.min() >= 0 and samples.max() < 3 and len(np.unique(samples)) == samples.size


def test_a_level_unseen_in_a_constant_training_column_costs_nats_not_thousands():
    # digits: a corner pixel can be 0 in every training image and 1 in a test image
    rng = np.random.default_rng(0)
    levels = np.stack([rng.integers(0, 5, 3_000), np.zeros(3_000), rng.integers(0, 5, 3_000)], 1)
    x = (levels + rng.random(levels.shape)).astype(np.float32)
    family = AutoregressiveFamily()
    family.fit(x, None, SMALL.model_copy(update={"train_steps": 100}), 0, "cpu")
    seen, unseen = np.array([[2.5, 0.5, 2.5]], np.float32), np.array([[2.5, 1.5, 2.5]], np.float32)
    # the constant column's next level gets little mass, but the column after it stays sane
    gap = float(family.log_prob(seen)[0] - family.log_prob(unseen)[0])
    assert 0 < gap < 30, f"one unseen level cost {gap:.1f} nats"


def test_nfe_is_one_network_evaluation_per_dimension():
    x = np.random.default_rng(0).normal(size=(500, 5)).astype(np.float32)
    family = AutoregressiveFamily()
    family.fit(x, None, SMALL.model_copy(update={"train_steps": 5}), 0, "cpu")
    calls = []
    family.net["made"].register_forward_hook(lambda *_: calls.append(1))
    family.sample(10)
    assert family.nfe() == 5 == len(calls)


@pytest.mark.slow
def test_conditional_samples_and_marginal_log_prob():
    x, labels = _two_blobs(2_000, 0)
    family = AutoregressiveFamily()
    family.fit(x, labels, SMALL, 0, "cpu")
    right = np.asarray(family.sample(300, np.ones(300, dtype=int)))
    assert (right[:, 0] > 0).mean() > 0.95
    np.testing.assert_allclose(family.log_prob(x[:50], labels[:50]), family.log_prob(x[:50]), rtol=1e-6)


def test_absurd_learning_rate_diverges():
    x, _ = _two_blobs(500, 0)
    with pytest.raises(DivergenceError, match="training diverged"):
        AutoregressiveFamily(learning_rate=1e8).fit(x, None, SMALL, 0, "cpu")
