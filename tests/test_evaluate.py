import pytest

from advisor.budgets import get_budget
from advisor.data.toys import Ring8
from advisor.evaluate import evaluate_cell
from advisor.plugins import load_registry
from tests.conftest import FIXTURE_PLUGINS

SMOKE = get_budget("smoke")


@pytest.fixture(scope="module")
def registry():
    return load_registry(FIXTURE_PLUGINS)


@pytest.mark.parametrize(
    "family, status, reason",
    [
        ("raising", "FAILED", "fit raised RuntimeError: boom in fit"),
        ("nan-sampler", "INVALID", "NaN or inf"),
        ("wrong-shape", "INVALID", "expected (1000, 2)"),
        ("no-report", "INVALID", "fit returned NoneType, expected FitReport"),
    ],
)
def test_misbehaving_family_gets_status_and_reason(registry, family, status, reason):
    [outcome] = evaluate_cell(registry, family, Ring8(), SMOKE, 0, "cpu")
    assert outcome.status == status
    assert reason in outcome.error
    assert outcome.metrics == []


def test_complete_run_has_every_metric_with_flags(registry):
    [outcome] = evaluate_cell(registry, "gmm", Ring8(), SMOKE, 0, "cpu")
    assert outcome.status == "COMPLETE"
    metrics = {m.name: m for m in outcome.metrics}
    assert set(metrics) >= {
        "test_nll",
        "kl_to_truth",
        "modes_covered",
        "hq_rate",
        "sample_throughput",
        "sample_latency_ms",
        "train_seconds",
    }
    assert all(m.flag == "ok" and m.value is not None for m in metrics.values())
    assert metrics["test_nll"].kind == "exact"
    assert outcome.samples.shape == (SMOKE.n_stored_samples, 2)
    assert outcome.fit["selected"]["n_components"] >= 8
    assert outcome.provenance["data_hash"] and outcome.provenance["budget"]["name"] == "smoke"
    assert outcome.provenance["packages"]["scikit-learn"]


def test_family_without_likelihood_is_scored_on_samples_only(registry):
    [outcome] = evaluate_cell(registry, "zeros", Ring8(), SMOKE, 0, "cpu")
    assert outcome.status == "COMPLETE"
    metrics = {m.name: m for m in outcome.metrics}
    for name in ("test_nll", "kl_to_truth"):
        assert metrics[name].flag == "not-applicable" and metrics[name].value is None
        assert "no likelihood" in metrics[name].note
    # every sample sits at the origin, 2 away from every ring mode
    assert metrics["modes_covered"].value == 0 and metrics["hq_rate"].value == 0
