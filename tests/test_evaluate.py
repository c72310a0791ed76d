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
    measured = {
        "test_nll",
        "kl_to_truth",
        "modes_covered",
        "hq_rate",
        "sample_throughput",
        "sample_latency_ms",
        "train_seconds",
        "params",
        "peak_memory_mb",
    }
    assert all(metrics[name].flag == "ok" and metrics[name].value is not None for name in measured)
    k = outcome.fit["selected"]["n_components"]
    assert metrics["params"].value == (k - 1) + 2 * k + 3 * k
    # gmm has no network and no conditioning
    assert metrics["nfe"].flag == metrics["cond_accuracy"].flag == "not-applicable"
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


@pytest.mark.slow
def test_conditional_family_is_scored_on_requested_labels(registry):
    from advisor.data.toys import Moons

    outcomes = {o.sampler: o for o in evaluate_cell(registry, "class-resampler", Moons(), SMOKE, 0, "cpu")}
    honours = {m.name: m.value for m in outcomes["default"].metrics}
    ignores = {m.name: m.value for m in outcomes["ignore-labels"].metrics}
    assert honours["cond_accuracy"] > 0.95
    assert ignores["cond_accuracy"] < 0.7  # chance is 1/2
    assert honours["nfe"] == 1


def test_labels_that_reveal_the_mode_are_withheld(registry):
    [_, outcome] = evaluate_cell(registry, "class-resampler", Ring8(), SMOKE, 0, "cpu")
    cond = {m.name: m for m in outcome.metrics}["cond_accuracy"]
    assert cond.flag == "not-applicable" and "withholds its labels" in cond.note


def test_peak_memory_sees_a_transient_allocation():
    import time

    from advisor.evaluate.memory import PeakMemory

    with PeakMemory("cpu") as peak:
        block = bytearray(100 * 2**20)
        block[:: 2**12] = b"x" * len(block[:: 2**12])  # touch every page
        time.sleep(0.05)
        del block
    assert 80 < peak.megabytes < 200
    with PeakMemory("cpu") as idle:
        time.sleep(0.02)
    assert idle.megabytes < 20


def test_evaluation_sizes_follow_the_test_set_within_the_budget():
    import numpy as np

    from advisor.budgets import get_budget
    from advisor.data.base import Split
    from advisor.evaluate.protocol import evaluation_sizes

    quick = get_budget("quick")
    toy = Split(np.zeros((20_000, 2)), np.zeros((5_000, 2)))
    small = Split(np.zeros((142, 13)), np.zeros((36, 13)), np.arange(142) % 3, np.arange(36) % 3)
    assert evaluation_sizes(quick, toy) == (10_000, 0)  # the whole budget: the test set can use it; no labels
    assert evaluation_sizes(quick, small) == (2_000, 600)  # 200 conditional samples per class


@pytest.mark.slow
def test_measured_draws_do_not_depend_on_how_often_a_timed_call_repeats(monkeypatch):
    """How many times a throughput call repeats depends on the machine's speed; the evaluation samples
    of every sampler (the EBM draws all of them from one random stream) must not."""
    from advisor.evaluate import protocol

    registry = load_registry()
    real_best_seconds = protocol._best_seconds

    def drawn(calls: int) -> dict[str, bytes]:
        monkeypatch.setattr(
            protocol, "_best_seconds", lambda fn: real_best_seconds(fn, 0.0 if calls == 1 else 1e9, calls)
        )
        outcomes = evaluate_cell(registry, "ebm", Ring8(), SMOKE, 0, "cpu")
        assert [o.status for o in outcomes] == ["COMPLETE"] * len(outcomes) and len(outcomes) > 1
        return {o.sampler: o.samples.tobytes() for o in outcomes}

    assert drawn(1) == drawn(4)
