"""Ranking statistics that reward neither noise nor the alphabet: ties are declared, spread counts
against a candidate, and a distance from a reference value is taken seed by seed."""

import pytest

from tests.stores import build_store, set_metric


def test_three_candidates_tied_within_noise_are_a_tie_whatever_their_names(cli, tmp_path):
    db = build_store(tmp_path / "known.db")
    # gan, flow, autoregressive all measure c2st; equal consistency, means within noise
    set_metric(db, "gan", "c2st", [0.551, 0.549, 0.552])
    set_metric(db, "flow", "c2st", [0.550, 0.552, 0.549])
    set_metric(db, "autoregressive", "c2st", [0.552, 0.550, 0.551])
    answer = cli.json("recommend", "--need", "latent-space", "--need", "best-quality", "--db", db)
    quality = cli.json("recommend", "--need", "best-quality", "--db", db)
    assert sorted(quality["winners"]) == ["autoregressive", "flow", "gan"]
    assert [r["rank"] for r in quality["ranked"]] == [1, 1, 1]
    [claim] = quality["claims"]
    assert claim["measured_best"] == ["autoregressive", "flow", "gan"]  # all three, whatever their names
    out = cli("recommend", "--need", "best-quality", "--db", db).stdout
    assert "Recommendation: a tie between autoregressive, flow and gan" in out
    assert answer["ranked"]  # combined with a filtering need the tie is still a tie
    assert all(r["rank"] == 1 for r in answer["ranked"])


def test_one_collapsed_seed_does_not_outrank_a_consistently_better_candidate(cli, tmp_path):
    db = build_store(tmp_path / "known.db")
    set_metric(db, "flow", "c2st", [0.53, 0.53, 0.53])  # consistently good
    set_metric(db, "autoregressive", "c2st", [0.51, 0.52, 0.95])  # two better seeds, one collapsed
    answer = cli.json("recommend", "--need", "exact-likelihood", "--need", "best-quality", "--db", db)
    quality = {r["family"]: r["need_scores"]["best-quality"] for r in answer["ranked"]}
    assert quality["flow"] == 1.0 and quality["autoregressive"] < 1.0
    ranked = cli.json("recommend", "--need", "best-quality", "--db", db)["ranked"]
    assert ranked[0]["family"] == "flow"
    [why] = next(r for r in ranked if r["family"] == "autoregressive")["why_not_first"]
    # behind by its scatter: its mean distance (0.16 vs 0.03) is not apart beyond the noise of three seeds
    assert why["rival"] == "flow" and why["datasets"][0]["verdict"] == "less consistent across seeds"


def test_a_distance_from_chance_is_averaged_per_seed(cli, tmp_path):
    db = build_store(tmp_path / "known.db")
    set_metric(db, "flow", "c2st", [0.55, 0.45, 0.55])  # mean 0.517, but 0.05 from chance on every seed
    set_metric(db, "autoregressive", "c2st", [0.52, 0.52, 0.52])  # 0.02 from chance on every seed
    answer = cli.json("recommend", "--need", "best-quality", "--db", db)
    by_family = {r["family"]: r["objectives"]["c2st"] for r in answer["ranked"]}
    assert abs(by_family["flow"]["distance"] - 0.05) < 1e-9
    assert abs(by_family["flow"]["mean"] - 0.5167) < 1e-3
    assert answer["ranked"][0]["family"] == "autoregressive"
    flow = next(r for r in answer["ranked"] if r["family"] == "flow")
    [why] = flow["why_not_first"]
    distances = [(d["mine"]["distance_mean"], d["theirs"]["distance_mean"]) for d in why["datasets"]]
    assert distances == [(pytest.approx(0.05), pytest.approx(0.02))] * 2


def _memorizing(db, family):
    """Give `family`'s runs a memorization share of 0.9 and everyone else's the 0.05 of fresh data."""
    from sqlalchemy import select

    from advisor.store import open_store
    from advisor.store.models import MetricRow, Run

    with open_store(db) as store, store.session() as session:
        for run in session.scalars(select(Run)):
            share = 0.9 if run.family == family else 0.05
            session.add(MetricRow(run_id=run.id, name="memorization", value=share, unit="", higher_is_better=False))
    return db


def test_memorization_is_said_beside_quality_where_it_is_high(cli, tmp_path):
    answer = cli.json("recommend", "--need", "best-quality", "--db", _memorizing(build_store(tmp_path / "k.db"), "gan"))
    [said] = [c for c in answer["caveats"] if c["code"] == "memorizes"]
    assert said["subjects"] == ["gan"] and said["numbers"] == {"grid25": 0.9, "ring8": 0.9}
    assert answer["without_copying"] is None  # the winner, autoregressive, does not copy


def test_a_winner_that_memorizes_comes_with_the_best_that_does_not(cli, tmp_path):
    db = _memorizing(build_store(tmp_path / "k.db"), "autoregressive")
    answer = cli.json("recommend", "--need", "best-quality", "--db", db)
    assert answer["winners"] == ["autoregressive"]  # copying is said, not hidden by re-ranking
    assert answer["without_copying"] == {"candidates": ["flow"], "rank": 2, "score": answer["ranked"][1]["score"]}
    out = cli("recommend", "--need", "best-quality", "--db", db).stdout
    assert "it memorizes (see the caveat); the best that does not: flow (#2" in out
    [claim] = answer["claims"]  # judged as measured; the note says what the best non-copier gives
    assert claim["memorizing_best"] == ["autoregressive"] and claim["best_not_copying"] == ["flow"]
    assert claim["best_not_copying_claimed"] is False
    fast = cli.json("recommend", "--need", "fast-sampling", "--need", "best-quality", "--db", db)["claims"]
    assert not any(c["memorizing_best"] for c in fast if c["need"] == "fast-sampling")  # copying is no speed
