"""Sample-quality metrics checked against reference implementations and closed forms."""

import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.spatial.distance import cdist, pdist
from scipy.stats import wasserstein_distance

from advisor.metrics import get_metric
from advisor.metrics import manifold as manifold_module
from advisor.metrics.distances import median_bandwidth, mmd2, random_directions, sliced_wasserstein
from advisor.metrics.manifold import prdc

RNG = np.random.default_rng(0)
REAL = RNG.standard_normal((1000, 4))
SAME = RNG.standard_normal((1000, 4))
SHIFTED = SAME + 2.0
COLLAPSED = 0.1 * SAME  # mode collapse onto the centre: high fidelity, no diversity

# name -> (value for a perfect generator, tolerance on 1,000 samples, hurt by collapse)
PERFECT = {
    "precision": (1.0, 0.05, False),
    "recall": (1.0, 0.05, True),
    "density": (1.0, 0.1, False),
    "coverage": (1.0, 0.06, True),
    "c2st": (0.5, 0.05, True),
    "mmd": (0.0, 0.005, True),
    "sliced_wasserstein": (0.0, 0.15, True),
    "frechet": (0.0, 0.05, True),
}


def _with_moments(mean, cov, n, seed):
    """n points whose sample mean and (unbiased) covariance are exactly `mean` and `cov`."""
    z = np.random.default_rng(seed).standard_normal((n, len(mean)))
    z -= z.mean(0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    return mean + z @ np.linalg.cholesky(cov).T


def test_new_metrics_are_registered_as_quality_metrics():
    for name, (perfect, _, _) in PERFECT.items():
        spec = get_metric(name).spec
        assert spec.category == "quality"
        assert spec.higher_is_better == (perfect == 1.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PERFECT))
def test_same_distribution_is_near_perfect_and_a_shift_is_clearly_worse(name):
    perfect, tolerance, hurt_by_collapse = PERFECT[name]
    metric = get_metric(name)
    assert metric(REAL, SAME) == pytest.approx(perfect, abs=tolerance)
    assert abs(metric(REAL, SHIFTED) - perfect) > 5 * tolerance
    if hurt_by_collapse:
        assert abs(metric(REAL, COLLAPSED) - perfect) > 5 * tolerance


@pytest.mark.parametrize("k", [3, 5])
def test_prdc_matches_the_reference_package(k):
    reference = pytest.importorskip("prdc")
    rng = np.random.default_rng(1)
    real = rng.standard_normal((1000, 8))
    fake = rng.standard_normal((900, 8)) + 0.5
    expected = reference.compute_prdc(real, fake, nearest_k=k)
    ours = prdc(real, fake, k=k)
    for name in ("precision", "recall", "density", "coverage"):
        assert ours[name] == pytest.approx(expected[name], abs=1e-4), name


def test_prdc_distances_are_computed_once_for_the_four_metrics(monkeypatch):
    calls = []
    radii = manifold_module._squared_knn_radii

    def counted(x, k):
        calls.append(len(x))
        return radii(x, k)

    monkeypatch.setattr(manifold_module, "_squared_knn_radii", counted)
    monkeypatch.setattr(manifold_module, "_cache", type(manifold_module._cache)())
    real, fake = REAL + 0.0, SHIFTED + 0.0  # fresh arrays, not cached by other tests
    values = [get_metric(name)(real, fake) for name in ("precision", "recall", "density", "coverage")]
    assert len(calls) == 2  # one k-NN pass over the real, one over the fake samples
    assert values == [prdc(real, fake)[name] for name in ("precision", "recall", "density", "coverage")]


def test_prdc_subsamples_to_max_points():
    ours = prdc(REAL, SHIFTED, max_points=300)
    assert ours != prdc(REAL, SHIFTED)
    assert ours["density"] == pytest.approx(prdc(REAL, SHIFTED)["density"], abs=0.05)


@pytest.mark.parametrize("p", [1, 2])
def test_sliced_wasserstein_matches_pot_with_the_same_directions(p):
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(2)
    real, fake = rng.standard_normal((500, 5)), rng.standard_normal((500, 5)) * 1.5 + 0.3
    expected = ot.sliced_wasserstein_distance(real, fake, projections=random_directions(5, 256, 0), p=p)
    assert sliced_wasserstein(real, fake, p=p) == pytest.approx(expected, rel=1e-10)


def test_sliced_wasserstein_in_one_dimension_is_exact():
    rng = np.random.default_rng(3)
    real, fake = rng.standard_normal((700, 1)), rng.exponential(size=(700, 1))
    assert sliced_wasserstein(real, fake, p=1) == pytest.approx(wasserstein_distance(real[:, 0], fake[:, 0]))
    w2 = np.sqrt(np.mean((np.sort(real[:, 0]) - np.sort(fake[:, 0])) ** 2))
    assert get_metric("sliced_wasserstein")(real, fake) == pytest.approx(w2, rel=1e-12)


def test_mmd_matches_the_direct_formula_with_the_median_bandwidth():
    rng = np.random.default_rng(4)
    real, fake = rng.standard_normal((300, 3)), rng.standard_normal((250, 3)) + 0.4
    bandwidth = np.median(pdist(np.concatenate([real, fake])))
    assert median_bandwidth(np.concatenate([real, fake])) == pytest.approx(bandwidth, rel=1e-10)

    def kernel(a, b):
        return np.exp(-cdist(a, b, "sqeuclidean") / (2 * bandwidth**2))

    n, m = len(real), len(fake)
    expected = (
        (kernel(real, real).sum() - n) / (n * (n - 1))
        + (kernel(fake, fake).sum() - m) / (m * (m - 1))
        - 2 * kernel(real, fake).mean()
    )
    assert get_metric("mmd")(real, fake) == pytest.approx(expected, rel=1e-9)
    assert mmd2(real, fake, bandwidth=0.5) != pytest.approx(expected, rel=1e-3)


def test_frechet_of_identical_samples_is_zero():
    x = np.random.default_rng(5).standard_normal((500, 6))
    assert get_metric("frechet")(x, x) == pytest.approx(0.0, abs=1e-9)


def test_frechet_equals_the_closed_form_between_gaussians():
    mean_a, mean_b = np.array([0.0, 1.0, -1.0]), np.array([2.0, 0.0, 0.5])
    cov_a = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])
    cov_b = np.array([[1.0, -0.4, 0.0], [-0.4, 3.0, 0.6], [0.0, 0.6, 0.8]])
    a, b = _with_moments(mean_a, cov_a, 400, 6), _with_moments(mean_b, cov_b, 600, 7)
    closed_form = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * sqrtm(cov_a @ cov_b).real)
    assert get_metric("frechet")(a, b) == pytest.approx(closed_form, rel=1e-9)
    # Commuting (diagonal) covariances: sum of (sqrt(var_a) - sqrt(var_b))^2 per dimension.
    a, b = _with_moments(mean_a, np.diag([4.0, 1.0, 9.0]), 400, 8), _with_moments(mean_b, np.eye(3), 400, 9)
    assert get_metric("frechet")(a, b) == pytest.approx(np.sum((mean_a - mean_b) ** 2) + 1 + 0 + 4, rel=1e-9)


def test_c2st_is_chance_on_one_distribution_and_near_one_on_separated_ones():
    rng = np.random.default_rng(10)
    real, fake = rng.standard_normal((1000, 2)), rng.standard_normal((1000, 2))
    assert get_metric("c2st")(real, fake) == pytest.approx(0.5, abs=0.05)
    assert get_metric("c2st")(real, fake + 4.0) > 0.95
