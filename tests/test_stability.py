"""Instability is counted: collapsed and failed seeds, a Wilson interval, and stable-training ranks by it."""

import pytest
from sqlalchemy import select

from advisor.rules.stability import collapse_reason, count_outcomes, wilson_interval
from advisor.store import open_store
from advisor.store.models import DatasetRow, MetricRow, Run
from tests.stores import build_store


def test_wilson_interval_matches_known_values():
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    low, high = wilson_interval(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_collapse_is_defined_once_by_modes_and_by_the_seeds_median():
    assert collapse_reason({"modes_covered": 6}, {}, modes=8) == "6 of 8 modes"
    assert collapse_reason({"modes_covered": 7}, {}, modes=8) is None  # all but one is not a collapse
    assert collapse_reason({"hq_rate": 0.2}, {"hq_rate": 0.9}, modes=None).startswith("hq_rate 0.20")
    assert collapse_reason({"recall": 0.5}, {"recall": 0.9}, modes=None) is None
    counted = count_outcomes([{"recall": 0.9}, {"recall": 0.88}, {"recall": 0.1}], failed=1, modes=None)
    assert (counted.runs, counted.failed, counted.collapsed, counted.unstable) == (4, 1, 1, 2)


def test_stable_training_counts_collapses_with_an_interval(cli, tmp_path):
    db = build_store(tmp_path / "known.db")
    modes = {"gan": [8, 2, 8], "flow": [8, 8, 7], "autoregressive": [8, 8, 8]}  # per seed on ring8
    with open_store(db) as store, store.session() as session:
        session.get(DatasetRow, "ring8").card = {"name": "ring8", "kind": "2d", "modes": 8}
        for run in session.scalars(select(Run).where(Run.dataset == "ring8")):
            value = modes[run.family][run.seed]
            session.add(
                MetricRow(run_id=run.id, name="modes_covered", value=value, unit="modes", higher_is_better=True)
            )
    answer = cli.json("recommend", "--need", "stable-training", "--db", db)
    rows = {row["candidate"]: row for row in answer["instability"]}
    assert (rows["gan"]["collapsed"], rows["gan"]["runs"]) == (1, 6)
    assert rows["gan"]["collapses"] == {"ring8": ["2 of 8 modes"]}
    assert rows["flow"]["collapsed"] == 0 and rows["gan"]["interval"][1] > rows["flow"]["interval"][1]
    assert answer["ranked"][-1]["family"] == "gan"
    out = cli("recommend", "--need", "stable-training", "--db", db).stdout
    assert "gan: collapsed in 1 and failed in 0 of 6 seeds (unstable 17%, 95% interval" in out
