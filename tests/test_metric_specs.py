"""A plugin's metric is compared as its MetricSpec says (log scale, reference value, bounds), exactly
as a built-in is: the rule engine reads the spec, never the metric's name."""

import textwrap

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from advisor.cards import MetricSpec
from advisor.store import open_store
from advisor.store.models import MetricRow, Run
from tests.stores import build_store

PLUGIN = """
from advisor import MetricSpec, Need, hookimpl
from advisor.metrics import MeasuredMetric


class Calibration(MeasuredMetric):
    spec = MetricSpec(
        name="calibration", title="Calibration ratio", unit="", higher_is_better=False, category="quality",
        reference=1.0, bounds=(0.0, 2.0),
    )


class Speedup(MeasuredMetric):
    spec = MetricSpec(
        name="speedup", title="Speed-up", unit="x", higher_is_better=True, category="cost", scale="log",
        bounds=(0.0, None),
    )


@hookimpl
def advisor_metrics(register):
    register(Calibration)
    register(Speedup)


@hookimpl
def advisor_needs(register):
    register(Need(name="calibrated", title="Calibrated", objectives=("calibration",)))
    register(Need(name="quick", title="Quick", objectives=("speedup",)))
"""
VALUES = {  # family -> metric -> value on every dataset and seed
    "flow": {"calibration": 0.90, "speedup": 1000.0},
    "autoregressive": {"calibration": 1.05, "speedup": 10.0},
    "gan": {"calibration": 1.30, "speedup": 1.0},
}


@pytest.fixture
def plugin_store(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "spec_metrics.py").write_text(textwrap.dedent(PLUGIN))
    db = build_store(tmp_path / "known.db")
    with open_store(db) as store, store.session() as session:
        for run in session.scalars(select(Run)):
            for name, value in VALUES[run.family].items():
                session.add(MetricRow(run_id=run.id, name=name, value=value, unit="", higher_is_better=True))
    return plugins, db


def test_a_reference_value_ranks_by_distance_from_it(cli, plugin_store):
    plugins, db = plugin_store
    answer = cli.json("--plugins-dir", plugins, "recommend", "--need", "calibrated", "--db", db)
    # lower is better by the spec, but 0.90 is further from 1.0 than 1.05 is
    assert [r["family"] for r in answer["ranked"]] == ["autoregressive", "flow", "gan"]
    flow = answer["ranked"][1]
    assert flow["objectives"]["calibration"]["reference"] == 1.0
    [why] = flow["why_not_first"]
    ring8 = next(d for d in why["datasets"] if d["dataset"] == "ring8")
    assert ring8["verdict"] == "worse" and (ring8["mine"]["mean"], ring8["theirs"]["mean"]) == (0.9, 1.05)


def test_a_log_scale_scores_ratios(cli, plugin_store):
    plugins, db = plugin_store
    answer = cli.json("--plugins-dir", plugins, "recommend", "--need", "quick", "--db", db)
    scores = {r["family"]: r["score"] for r in answer["ranked"]}
    # log10: 3, 1, 0 -> autoregressive is 2 of the 3 decades behind (linear would give 0.009)
    assert scores == {"flow": 1.0, "autoregressive": pytest.approx(1 / 3), "gan": 0.0}
    [why] = answer["ranked"][1]["why_not_first"]
    assert (
        why["scale"] == "log"
        and why["datasets"][0]["mine"]["mean"] == 10
        and why["datasets"][0]["theirs"]["mean"] == 1000
    )


def test_a_spec_that_cannot_be_compared_is_refused():
    base = dict(name="m", title="m", unit="", category="quality")
    with pytest.raises(ValidationError, match="lowest value >= 0"):
        MetricSpec(**base, higher_is_better=True, scale="log")
    with pytest.raises(ValidationError, match="lower is better"):
        MetricSpec(**base, higher_is_better=True, reference=0.5)
    with pytest.raises(ValidationError, match="outside bounds"):
        MetricSpec(**base, higher_is_better=False, reference=2.0, bounds=(0.0, 1.0))
    assert MetricSpec(**base, higher_is_better=True, bounds=(0.0, 1.0)).contains(1.0)
