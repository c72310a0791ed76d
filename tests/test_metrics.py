import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.cards import FamilyCard
from advisor.data.toys import Grid25, Ring8
from advisor.metrics import EvaluationContext, get_metric

SMOKE = get_budget("smoke")
CARD = FamilyCard(name="oracle", title="oracle", likelihood="exact", latent="none", training="mle", sampling="one-shot")


def _context(dataset, samples, log_prob):
    split = dataset.split(SMOKE, 0)
    return EvaluationContext(dataset, split, CARD, samples, log_prob(split.test) if log_prob else None)


def test_true_density_has_zero_kl_and_entropy_as_nll():
    ring = Ring8()
    ctx = _context(ring, ring.split(SMOKE, 1).train, ring.log_density)
    assert get_metric("kl_to_truth").compute(ctx) == pytest.approx(0.0, abs=1e-12)
    # NLL per dim of the truth is half the entropy (0.324 nats over 2 dims), up to test-set noise.
    assert get_metric("test_nll").compute(ctx) == pytest.approx(0.162, abs=0.03)


def test_kl_of_a_wrong_model_is_positive():
    ring = Ring8()

    def broad(x):  # a single wide Gaussian: far from the ring
        return -0.5 * (x**2).sum(1) / 4 - np.log(2 * np.pi * 4)

    assert get_metric("kl_to_truth").compute(_context(ring, ring.split(SMOKE, 1).train, broad)) > 1.0


def test_likelihood_metrics_do_not_apply_without_a_log_density():
    ring = Ring8()
    ctx = _context(ring, ring.split(SMOKE, 1).train, None)
    assert "gives no log-density for 'ring8'" in get_metric("test_nll").not_applicable(ctx)
    ctx.family_card = CARD.model_copy(update={"likelihood": "none"})
    assert "has no likelihood" in get_metric("kl_to_truth").not_applicable(ctx)


@pytest.mark.parametrize("dataset", [Ring8(), Grid25()])
def test_true_samples_cover_every_mode_with_high_quality(dataset):
    x, _ = dataset.sample(10_000, np.random.default_rng(0))
    options = {"modes": dataset.modes(), "std": dataset.std}
    assert get_metric("modes_covered")(x, x, **options) == dataset.card.classes
    # A 3-std disc holds 1 - exp(-4.5) = 98.9% of a 2-D Gaussian.
    assert get_metric("hq_rate")(x, x, **options) == pytest.approx(1 - np.exp(-4.5), abs=0.005)


def test_collapsed_samples_cover_one_mode():
    ring = Ring8()
    collapsed = ring.modes()[[3]] + 0.1 * np.random.default_rng(0).standard_normal((1000, 2))
    options = {"modes": ring.modes(), "std": ring.std}
    assert get_metric("modes_covered")(collapsed, collapsed, **options) == 1
    noise = np.random.default_rng(0).uniform(-3, 3, (1000, 2))
    assert get_metric("hq_rate")(noise, noise, **options) < 0.1


def test_sample_metric_accepts_tensors():
    torch = pytest.importorskip("torch")
    ring = Ring8()
    x = torch.from_numpy(ring.modes()).repeat(20, 1)
    assert get_metric("modes_covered")(x, x, modes=ring.modes(), std=ring.std) == 8


@pytest.mark.parametrize("seed", range(3))
def test_cond_accuracy_gives_real_rows_of_a_small_table_their_labels_and_sees_wrong_ones(seed):
    from advisor.data.bundled import Wine

    split = Wine().split(SMOKE, seed)  # 142 training rows
    cond_accuracy = get_metric("cond_accuracy")

    def reading(labels):  # the held-out rows as if they were samples asked for `labels`
        ctx = EvaluationContext(Wine(), split, CARD, split.train, conditional=(split.test, labels))
        return cond_accuracy.compute(ctx)

    # with early stopping on a tenth of 142 rows the classifier got 0.81 / 0.69 / 0.97 of these right
    assert reading(split.test_labels) >= 0.9
    shuffled = np.random.default_rng(seed).permutation(split.test_labels)
    assert reading(shuffled) < 0.6  # samples of the wrong class (3 classes: chance is 1/3)


@pytest.mark.slow
def test_frechet_on_digits_uses_the_reference_classifier_features():
    from advisor.data.bundled import Digits
    from advisor.metrics.reference import HIDDEN_UNITS, hidden_features, reference_classifier

    split = Digits().split(SMOKE, 0)
    classifier = reference_classifier(split)
    assert hidden_features(classifier, split.test).shape == (len(split.test), HIDDEN_UNITS)
    frechet = get_metric("frechet")
    noise = np.random.default_rng(0).uniform(0, 17, split.test.shape)
    same = frechet(split.test, split.train[: len(split.test)], classifier=classifier)
    assert same * 100 < frechet(split.test, noise, classifier=classifier)
    ctx = _context(Digits(), split.train[:360], None)
    assert "classifier" in frechet.options(ctx)
