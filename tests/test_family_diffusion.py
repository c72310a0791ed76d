"""The diffusion family: samplers against diffusers, the variational bound, guidance, NFE, divergence."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from advisor.torchkit import DivergenceError, Standardizer  # noqa: E402
from advisor_plugins._diffusion_samplers import LinearSchedule, ddim, ddpm, dpm_solver_pp_2m  # noqa: E402
from advisor_plugins.diffusion import DiffusionFamily  # noqa: E402
from tests.conftest import tiny_budget  # noqa: E402

TINY = tiny_budget(50)
SCHEDULE = LinearSchedule()
MEAN, STD = 1.5, 0.5


def gaussian_eps(x, t):
    """The exact noise prediction for data N(MEAN, STD^2): a fixed, well-conditioned toy model."""
    a = SCHEDULE.alpha_bar(t)
    return math.sqrt(1 - a) * (x - math.sqrt(a) * MEAN) / (a * STD**2 + 1 - a)


def _run_diffusers(scheduler, x, generator=None, **kwargs):
    if generator is not None:
        kwargs["generator"] = generator
    for t in scheduler.timesteps:
        x = scheduler.step(gaussian_eps(x, int(t)), t, x, **kwargs).prev_sample
    return x


@pytest.fixture(scope="module")
def diffusers():
    return pytest.importorskip("diffusers")


def _noise():
    return torch.randn(256, 2, generator=torch.Generator().manual_seed(0))


def test_ddim_matches_diffusers(diffusers):
    scheduler = diffusers.DDIMScheduler(clip_sample=False, timestep_spacing="trailing")
    scheduler.set_timesteps(50)
    expected = _run_diffusers(scheduler, _noise())
    torch.testing.assert_close(ddim(gaussian_eps, _noise(), SCHEDULE, 50), expected, atol=1e-4, rtol=1e-4)
    assert abs(float(expected.mean()) - MEAN) < 0.1 and abs(float(expected.std()) - STD) < 0.1


def test_dpm_solver_pp_2m_matches_diffusers(diffusers):
    scheduler = diffusers.DPMSolverMultistepScheduler(
        algorithm_type="dpmsolver++", solver_order=2, timestep_spacing="trailing"
    )
    scheduler.set_timesteps(20)
    expected = _run_diffusers(scheduler, _noise())
    torch.testing.assert_close(dpm_solver_pp_2m(gaussian_eps, _noise(), SCHEDULE, 20), expected, atol=1e-4, rtol=1e-4)


def test_ddpm_matches_diffusers_with_same_generator(diffusers):
    scheduler = diffusers.DDPMScheduler(clip_sample=False)
    scheduler.set_timesteps(1000)
    expected = _run_diffusers(scheduler, _noise(), torch.Generator().manual_seed(1))
    ours = ddpm(gaussian_eps, _noise(), SCHEDULE, torch.Generator().manual_seed(1))
    torch.testing.assert_close(ours, expected, atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("clip_range", [1.0, 1.6])
def test_clamped_x0_matches_diffusers_clip_sample(diffusers, clip_range):
    """Bounds clamp the predicted x0 as diffusers' `clip_sample` does (DDIM with the noise re-derived
    from the clamped x0, DDPM's posterior mean from it); data N(1.5, 0.5^2) clamped at 1.0 or 1.6."""
    bounds = (torch.full((2,), -clip_range), torch.full((2,), clip_range))
    scheduler = diffusers.DDIMScheduler(clip_sample=True, clip_sample_range=clip_range, timestep_spacing="trailing")
    scheduler.set_timesteps(50)
    expected = _run_diffusers(scheduler, _noise(), use_clipped_model_output=True)
    torch.testing.assert_close(ddim(gaussian_eps, _noise(), SCHEDULE, 50, bounds), expected, atol=1e-4, rtol=1e-4)
    assert float(expected.max()) <= clip_range + 1e-5
    scheduler = diffusers.DDPMScheduler(clip_sample=True, clip_sample_range=clip_range)
    scheduler.set_timesteps(1000)
    expected = _run_diffusers(scheduler, _noise(), torch.Generator().manual_seed(1))
    ours = ddpm(gaussian_eps, _noise(), SCHEDULE, torch.Generator().manual_seed(1), bounds)
    torch.testing.assert_close(ours, expected, atol=1e-3, rtol=1e-3)
    clamped = dpm_solver_pp_2m(gaussian_eps, _noise(), SCHEDULE, 20, bounds)  # its last step returns x0
    assert bool((clamped <= bounds[1]).all() and (clamped >= bounds[0]).all())


def _gaussian_data(n=500, dims=2, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, dims)) * [2.0, 0.5][:dims] + 3.0).astype(np.float32)


def test_variational_bound_with_the_exact_noise_model_matches_its_closed_form():
    """With data N(0, I) (after standardizing) and the exact noise model, every term has a closed form.

    eps - eps* = abar_t eps - sqrt(abar_t (1 - abar_t)) x0 has E|.|^2 = abar_t per dim, so the expected
    bound gap to the true log-density per dim is 0.5 log(beta_1) + sum_{t>=2} w_t abar_t
    - 0.5 log(1 - abar_T), w_t = beta_t / (2 alpha_t (1 - abar_{t-1})): positive, since the posterior
    variance beta-tilde is not the optimal reverse variance for Gaussian data (Ho et al. 2020, sec. 3.2).
    """
    train = _gaussian_data()
    family = DiffusionFamily()
    family.fit(train, None, TINY, 0, "cpu")
    betas, abar = family.schedule.betas, family.schedule.alphas_cumprod

    class ExactEps(torch.nn.Module):  # standardized data is N(0, I): eps*(x_t, t) = sqrt(1 - abar_t) x_t
        def forward(self, x, t, y):
            return (1 - abar.float()[t])[:, None].sqrt() * x

    family.net = ExactEps()
    test = _gaussian_data(4000, seed=1)
    standardizer = family.standardizer
    truth = Standardizer.gaussian_log_prob(standardizer.forward(torch.as_tensor(test))) + standardizer.log_abs_det
    bound = family.log_prob(test)
    assert bound.shape == (4000,) and torch.isfinite(bound).all()
    weights = betas[1:] / (2 * (1 - betas[1:]) * (1 - abar[:-1]))
    expected_gap = 0.5 * math.log(betas[0]) + float((weights * abar[1:]).sum()) - 0.5 * math.log(1 - abar[-1])
    gap = float((truth - bound).mean()) / 2  # nats per dim
    assert 0 < expected_gap < 0.6
    assert gap == pytest.approx(expected_gap, abs=0.02), f"bound gap {gap:.4f}, closed form {expected_gap:.4f}"


def test_labels_guidance_and_nfe():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    train = (labels[:, None] * 4.0 + 0.3 * rng.standard_normal((400, 2))).astype(np.float32)
    family = DiffusionFamily(guidance_scale=3.0)
    report = family.fit(train, labels, TINY.model_copy(update={"train_steps": 150}), 0, "cpu")
    assert report.steps == 150 and report.selected["guidance_scale"] == 3.0
    assert {s: family.nfe(s) for s in family.card.samplers} == {"ddpm-1000": 2000, "ddim-50": 100, "dpm-solver-20": 40}
    x = family.sample(200, np.repeat([0, 1], 100), "ddim-50").numpy()
    assert (x[:100, 0] < 2).mean() > 0.9 and (x[100:, 0] > 2).mean() > 0.9
    with pytest.raises(ValueError, match="not seen in training"):
        family.sample(2, np.array([0, 5]))
    assert DiffusionFamily().nfe("dpm-solver-20") == 20  # w = 1: one pass per step


def test_same_seed_same_samples_and_unconditional_fit():
    a, b = DiffusionFamily(), DiffusionFamily()
    for family in (a, b):
        family.fit(_gaussian_data(), None, TINY, 3, "cpu")
    for sampler in a.card.samplers[1:]:
        torch.testing.assert_close(a.sample(16, None, sampler), b.sample(16, None, sampler))
    assert a.num_parameters() == b.num_parameters() > 0


def test_absurd_learning_rate_diverges():
    with pytest.raises(DivergenceError, match="diverged"):
        DiffusionFamily(learning_rate=1e8).fit(_gaussian_data(), None, TINY, 0, "cpu")


@pytest.mark.slow
def test_a_few_rows_are_not_memorized_the_held_out_loss_stops_training():
    # 30 rows in 8 dims: 2,000 steps would memorize them; the held-out tenth says when it starts
    rows = np.random.default_rng(0).standard_normal((30, 8)).astype(np.float32)
    report = DiffusionFamily().fit(rows, None, TINY.model_copy(update={"train_steps": 2000}), 0, "cpu")
    assert report.steps < 2000 and "stopped early" in report.notes
    kept = int(report.notes.split("kept the weights of step ")[1].split(" ")[0])
    assert kept < report.steps


def test_samples_stay_within_the_training_range_widened_by_the_clip_margin():
    train = _gaussian_data()
    family = DiffusionFamily(clip_margin=0.0)  # a barely trained model: its x0 predictions stray
    report = family.fit(train, None, tiny_budget(5), 0, "cpu")
    assert report.selected["clip_margin"] == 0.0
    for sampler in family.card.samplers:  # DDIM and DPM-Solver++ end on the clamped x0, DDPM with beta-tilde noise
        x = family.sample(500, None, sampler).numpy()
        slack = 0.05 if sampler == "ddpm-1000" else 1e-4
        assert (x >= train.min(0) - slack).all() and (x <= train.max(0) + slack).all(), sampler
    free = DiffusionFamily(clip_margin=None)
    free.fit(train, None, tiny_budget(5), 0, "cpu")
    assert free.x0_bounds is None
    x = free.sample(500, None, "ddim-50").numpy()
    assert ((x < train.min(0)) | (x > train.max(0))).any()  # unclamped, the same model strays outside
