"""The GAN family: learns a Gaussian, divergence becomes a FAILED run with the reason, cost numbers;
the recipe's pieces: packing, the zero-centred R1 penalty, the smoothing of small real data."""

import dataclasses

import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.data.toys import Ring8
from advisor.evaluate import evaluate_cell
from advisor.family import Family
from advisor.plugins import Registered, load_registry

torch = pytest.importorskip("torch")

from advisor.torchkit import DivergenceError  # noqa: E402
from advisor_plugins.gan import (  # noqa: E402
    GenerativeAdversarialFamily,
    nearest_neighbour_spacing,
    pack,
    r1_penalty,
)
from tests.conftest import tiny_budget  # noqa: E402

SMOKE = get_budget("smoke")


class AbsurdLearningRateGAN(GenerativeAdversarialFamily):
    def __init__(self) -> None:
        super().__init__(learning_rate=1e6)


@pytest.mark.slow
def test_gan_lands_on_a_gaussian():
    rng = np.random.default_rng(0)
    train = rng.normal([3.0, -1.0], [0.5, 2.0], size=(2000, 2)).astype(np.float32)
    family = GenerativeAdversarialFamily()
    report = family.fit(train, None, SMOKE.model_copy(update={"train_steps": 1000}), 0, "cpu")
    x = family.sample(4000).numpy()
    # A GAN is imprecise on the spread after 1,000 steps (measured: std 0.46 and 5.6 for 0.5 and 2.0)
    # but centres its samples on the data (measured: mean 2.89, -0.36, within 0.3 data std of the truth).
    assert (np.abs(x.mean(0) - [3.0, -1.0]) < 0.5 * np.array([0.5, 2.0])).all()
    assert (x.std(0) > 0.5 * np.array([0.5, 2.0])).all() and (x.std(0) < 4 * np.array([0.5, 2.0])).all()
    assert report.steps == 1000 and report.selected["conditional"] is False
    assert family.nfe() == 1
    assert (
        family.num_parameters() == report.selected["generator_parameters"] + report.selected["discriminator_parameters"]
    )


def test_gan_has_no_likelihood():
    assert GenerativeAdversarialFamily.card.likelihood == "none"
    assert GenerativeAdversarialFamily.log_prob is Family.log_prob


def test_absurd_learning_rate_raises_divergence():
    split = Ring8().split(SMOKE, 0)
    with pytest.raises(DivergenceError, match="diverged at step"):
        AbsurdLearningRateGAN().fit(split.train, split.train_labels, SMOKE, 0, "cpu")


def test_harness_records_a_divergent_gan_as_failed_with_the_reason():
    registry = load_registry()
    families = dict(registry.families)
    families["gan"] = Registered(AbsurdLearningRateGAN, registry.families["gan"].plugin)
    [outcome] = evaluate_cell(dataclasses.replace(registry, families=families), "gan", Ring8(), SMOKE, 0, "cpu")
    assert outcome.status == "FAILED"
    assert "fit raised DivergenceError: training diverged at step" in outcome.error
    assert outcome.metrics == []


def test_pack_concatenates_consecutive_samples():
    x = torch.arange(24.0).reshape(12, 2)
    packed = pack(x, 4)
    assert packed.shape == (3, 8)
    torch.testing.assert_close(packed[1], torch.cat([x[4], x[5], x[6], x[7]]))
    with pytest.raises(ValueError, match="whole packs of 5"):
        pack(x, 5)


def test_r1_penalty_is_zero_centred_on_real_data():
    torch.manual_seed(0)
    real = torch.randn(12, 2, requires_grad=True)
    w = torch.randn(8, requires_grad=True)
    # a linear D on packs of 4: every pack's input gradient is w, so the penalty is ||w||^2
    penalty = r1_penalty(pack(real, 4) @ w, real, 4)
    torch.testing.assert_close(penalty, w.pow(2).sum())
    penalty.backward()  # differentiable in D's weights: d||w||^2 / dw = 2w
    torch.testing.assert_close(w.grad, 2 * w.detach())
    # zero-centred: a D flat on the data pays nothing (a one-centred penalty, WGAN-GP's, would pay 1 a pack)
    flat = r1_penalty((pack(real, 4) * 0.0).sum(1), real, 4)
    assert flat.item() == 0.0


def test_nearest_neighbour_spacing_in_blocks():
    grid = torch.stack(torch.meshgrid(torch.arange(5.0), torch.arange(7.0), indexing="ij"), -1).reshape(-1, 2)
    assert nearest_neighbour_spacing(0.5 * grid, torch.Generator(), block=4) == 0.5
    x = torch.randn(300, 3, generator=torch.Generator().manual_seed(0))
    brute = float((torch.cdist(x, x) + torch.diag(torch.full((300,), float("inf")))).min(1).values.median())
    assert nearest_neighbour_spacing(x, torch.Generator(), block=64) == pytest.approx(brute)
    assert nearest_neighbour_spacing(x, torch.Generator().manual_seed(0), max_rows=100) >= brute  # an upper bound


def test_packed_conditional_gan_trains_with_r1_and_smoothed_data():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=500)
    train = (rng.normal(size=(500, 2)) + 4.0 * labels[:, None]).astype(np.float32)
    budget = tiny_budget(20).model_copy(update={"batch_size": 130})  # 130 = 32 packs of 4 and 2 left over
    family = GenerativeAdversarialFamily(pack=4, data_noise=0.5)
    report = family.fit(train, labels, budget, 0, "cpu")
    selected = report.selected
    assert report.steps == 20 and selected["pack"] == 4 and selected["conditional"] is True
    assert {"d_loss", "g_loss", "r1"} <= set(selected["final_losses"])
    assert selected["r1_gamma"] == 0.1 and selected["spectral_norm"] is False
    # the discriminator reads 4 samples at once and embeds each position's label on its own
    assert family.d["phi"][0].in_features == 4 * 2
    assert family.d["embed"].num_embeddings == 4 * 3
    x = torch.randn(8, 2)
    assert family._discriminate(x, torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])).shape == (2,)
    # smoothing at half the standardized training data's nearest-neighbour spacing, over sqrt(dims)
    z = family.standardizer.forward(torch.as_tensor(train))
    spacing = nearest_neighbour_spacing(z, torch.Generator())
    assert selected["data_noise_std"] == pytest.approx(0.5 * spacing / np.sqrt(2), rel=1e-5)
    assert family.sample(30, np.array([2] * 30)).shape == (30, 2)


def test_unregularized_unpacked_gan_reports_no_penalty():
    split = Ring8().split(SMOKE, 0)
    family = GenerativeAdversarialFamily(r1_gamma=0.0, data_noise=0.0, spectral_norm=True, discriminator_gain=2.0)
    report = family.fit(split.train, None, tiny_budget(5), 0, "cpu")
    assert "r1" not in report.selected["final_losses"] and report.selected["data_noise_std"] == 0.0
    assert family.d["phi"][0].in_features == 2 and hasattr(family.d["phi"][0], "parametrizations")


@pytest.mark.parametrize("pack", [0, 600])
def test_a_pack_that_no_batch_can_hold_is_refused_before_training(pack):
    split = Ring8().split(SMOKE, 0)
    with pytest.raises(ValueError, match=f"pack = {pack}: the discriminator judges packs of 1 up to"):
        GenerativeAdversarialFamily(pack=pack).fit(split.train, None, tiny_budget(5), 0, "cpu")
