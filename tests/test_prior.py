"""The prior for tables like yours: the candidates that did best on the measured tables nearest in meta-features."""

import pytest

from advisor.plugins import load_registry
from advisor.rules.engine import gather_for
from advisor.rules.prior import judged_prior
from advisor.store import open_store
from advisor.store.models import DatasetRow
from tests.stores import complete_run

#: four tables: two small and categorical, where autoregressive wins; two large and numeric, where flow wins
TABLES = {
    "cats-a": ({"log_rows": 2.5, "share_categorical": 0.8, "mean_abs_correlation": 0.1}, {"autoregressive": 0.15}),
    "cats-b": ({"log_rows": 2.6, "share_categorical": 0.7, "mean_abs_correlation": 0.2}, {"autoregressive": 0.15}),
    "nums-a": ({"log_rows": 4.5, "share_categorical": 0.0, "mean_abs_correlation": 0.6}, {"flow": 0.15}),
    "nums-b": ({"log_rows": 4.4, "share_categorical": 0.1, "mean_abs_correlation": 0.7}, {"flow": 0.15}),
}


#: the track record on TABLES: the prior names every table's winner (its first family wins each); the best on
#: average over the other three tables is always the other kind's winner (two tables of it against one), so it
#: names none; each table's twin lies at a sixth of the typical distance between two tables
EVERY_WINNER_NAMED = {
    "tables": 4,
    "hits": 4.0,
    "mean_tie_set": 1.0,
    "mean_regret": 0.0,
    "overall_hits": 0.0,
    "overall_mean_regret": 1.0,
    "family_ranks": [1, 1, 1, 1],
    "farthest": pytest.approx(0.162, abs=0.001),
}


@pytest.fixture
def evidence(tmp_path):
    from advisor.cards import FamilyCard
    from advisor.store.models import FamilyRow
    from tests.stores import CARDS

    registry = load_registry()
    with open_store(tmp_path / "k.db", create=True) as store:
        with store.session() as session:
            for family in ("flow", "autoregressive"):
                card = FamilyCard(name=family, title=family, **CARDS[family]).model_dump(mode="json")
                session.add(FamilyRow(name=family, title=family, plugin="test", version=None, card=card))
            for name, (meta, winner) in TABLES.items():
                card = {"name": name, "kind": "tabular", "dims": 5, "meta": meta}
                session.add(DatasetRow(name=name, plugin="test", card=card))
                session.flush()
                for family in ("flow", "autoregressive"):
                    nll = winner.get(family, 0.30)
                    for seed in range(3):
                        session.add(complete_run(family, "default", name, seed, {"test_nll": nll + seed / 100}))
        needs = [registry.need("exact-likelihood")]
        yield gather_for(store, needs, registry.metric_specs()), needs, registry.family_cards()


def test_a_table_like_the_categorical_ones_gets_their_winner_first(evidence):
    gathered, needs, cards = evidence
    prior = judged_prior(gathered, needs, cards, {"log_rows": 2.55, "share_categorical": 0.75})
    assert prior.picks == ["autoregressive"]
    assert [n.table for n in prior.neighbours[:2]] == ["cats-a", "cats-b"]
    first = prior.candidates[0]
    assert (first.label, first.first, first.of) == ("autoregressive", 2, 4)


def test_a_table_equal_to_a_measured_one_ranks_that_tables_winner_first(evidence):
    gathered, needs, cards = evidence
    for name, (meta, winner) in TABLES.items():
        assert judged_prior(gathered, needs, cards, meta).picks == list(winner), name


def test_a_left_out_table_is_not_read(evidence):
    gathered, needs, cards = evidence
    prior = judged_prior(gathered, needs, cards, TABLES["cats-a"][0], exclude=["cats-a"])
    assert "cats-a" not in [n.table for n in prior.neighbours] and prior.picks == ["autoregressive"]


def test_recommend_prior_only_reads_the_file_and_measures_nothing(cli, tmp_path, monkeypatch, evidence):
    import numpy as np

    import advisor.cli.recommend_cmd as recommend_cmd

    monkeypatch.setattr(recommend_cmd, "reference_store", lambda: tmp_path / "k.db")
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{'xyz'[int(c) % 3]}" for a, b, c in rng.normal(3, 1, size=(400, 3)))
    (tmp_path / "mine.csv").write_text("a,b,kind\n" + rows)
    answer = cli.json("recommend", "--need", "exact-likelihood", "--data", tmp_path / "mine.csv", "--prior-only")
    assert answer["meta"]["share_categorical"] == pytest.approx(1 / 3)
    assert answer["prior"]["picks"] and len(answer["prior"]["neighbours"]) == 4
    assert not (tmp_path / "results.db").exists() and not (tmp_path / "user-results.db").exists()
    out = cli("recommend", "--need", "exact-likelihood", "--data", tmp_path / "mine.csv", "--prior-only").stdout
    assert "before measuring, from the 4 measured tables most like yours" in out
    assert "this prior named one of that table's winners on 4 of 4 tables" in out
    assert answer["prior"]["track_record"] == EVERY_WINNER_NAMED
    monkeypatch.setattr(recommend_cmd, "reference_store", lambda: None)  # no shipped store: --reference names one
    args = ("recommend", "--need", "exact-likelihood", "--data", tmp_path / "mine.csv", "--prior-only")
    assert cli.json(*args)["prior"] is None
    assert cli.json(*args, "--reference", tmp_path / "k.db")["prior"] == answer["prior"]


def _prior_evidence(winner_of):
    from advisor.rules.prior import PriorEvidence
    from advisor.rules.seed_robust import tie_sets

    scores = {t: {f: 1.0 if f == winner_of[t] else 0.0 for f in ("flow", "autoregressive")} for t in TABLES}
    metas = {t: meta for t, (meta, _) in TABLES.items()}
    return PriorEvidence(
        ["exact-likelihood"], scores, tie_sets(scores), metas, {"flow": "flow", "autoregressive": "autoregressive"}
    )


def test_the_track_record_counts_the_left_out_tables_whose_winner_the_prior_named():
    from advisor.rules.prior import track_record

    alike = _prior_evidence({t: next(iter(w)) for t, (_, w) in TABLES.items()})
    assert track_record(alike).model_dump() == EVERY_WINNER_NAMED
    # each table's nearest neighbour has the other winner: the prior misleads every time, and says so
    crossed = _prior_evidence(
        {"cats-a": "autoregressive", "cats-b": "flow", "nums-a": "autoregressive", "nums-b": "flow"}
    )
    assert (track_record(crossed).hits, track_record(crossed).mean_regret) == (0.0, 1.0)


def test_the_prior_of_a_users_table_carries_its_track_record(evidence, tmp_path):
    from types import SimpleNamespace

    from advisor.runner.user_data import table_prior

    _, needs, _ = evidence
    mine = SimpleNamespace(card=SimpleNamespace(name="mine", kind="tabular", meta=TABLES["cats-a"][0]))
    with open_store(tmp_path / "k.db", readonly=True) as reference:
        prior = table_prior(mine, needs, load_registry(), reference)
    assert prior.picks == ["autoregressive"] and prior.near
    assert prior.track_record.model_dump() == EVERY_WINNER_NAMED
    assert prior.shortlist.code == "few-tables" and prior.shortlist.families == []  # 4 tables judge no shortlist


def test_the_overall_best_reads_each_candidate_where_it_was_measured():
    from advisor.rules.prior import PriorEvidence, overall_best
    from advisor.rules.seed_robust import tie_sets

    scores = {
        "t1": {"a": 1.0, "b": 0.5},
        "t2": {"a": 1.0, "b": 0.5},
        "t3": {"a": 1.0, "b": 0.5},
        "t4": {"b": 1.0, "c": 0.0},  # a was not measured here; c only here (1 of 4 tables: too few to count)
    }
    metas = {t: {"log_rows": 3.0} for t in scores}
    evidence = PriorEvidence(["x"], scores, tie_sets(scores), metas, {label: label for label in "abc"})
    assert overall_best(evidence) == ["a"]


def test_tables_that_are_all_alike_give_a_prior_without_dividing_by_zero():
    from advisor.rules.prior import PriorEvidence, prior_from
    from advisor.rules.seed_robust import tie_sets

    scores = {t: {"a": 1.0, "b": 0.0} for t in ("t1", "t2", "t3")}
    metas = {t: {"log_rows": 3.0} for t in scores}
    prior = prior_from(PriorEvidence(["x"], scores, tie_sets(scores), metas, {"a": "a", "b": "b"}), {"log_rows": 3.0})
    assert prior.picks == ["a"] and prior.typical_distance == 0.0


def _judged(family_ranks, nearest=0.4, farthest=0.9, families=("a", "b", "c", "d")):
    """A prior over `families` (in that order) whose track record put each table's first winning family at
    `family_ranks`, for a table `nearest` typical distances from its nearest measured one."""
    from advisor.rules.answer import Neighbour, Prior, PriorCandidate, TrackRecord

    record = TrackRecord(
        tables=len(family_ranks),
        hits=0.0,
        mean_tie_set=1.0,
        mean_regret=0.0,
        overall_hits=0.0,
        overall_mean_regret=0.0,
        family_ranks=list(family_ranks),
        farthest=farthest,
    )
    candidates = [PriorCandidate(label=f, family=f, first=0, of=1, mean_rank=1.0) for f in families]
    return Prior(
        needs=["best-quality"],
        neighbours=[Neighbour(table="t", distance=nearest)],
        candidates=candidates,
        picks=[families[0]],
        typical_distance=1.0,
        near=False,
        track_record=record,
    )


def test_the_shortlist_is_the_fewest_of_the_priors_families_that_held_a_winner_on_95_percent_of_tables():
    from advisor.rules.prior import shortlist

    # 20 tables: the first family won 15, the second 4 more (19 of 20 = 95%), the third the last one
    found = shortlist(_judged([1] * 15 + [2] * 4 + [3]))
    assert (found.code, found.families, found.held, found.tables) == ("shortlist", ["a", "b"], 19, 20)
    # one more table the second family missed: 18 of 20 is short of 95%, so the third family joins
    assert shortlist(_judged([1] * 15 + [2] * 3 + [3] * 2)).families == ["a", "b", "c"]


def test_no_shortlist_where_the_track_record_cannot_vouch_for_one():
    from advisor.rules.prior import shortlist

    far = shortlist(_judged([1] * 20, nearest=1.2, farthest=0.9))  # farther than any measured table lay
    assert (far.code, far.families) == ("far", [])
    assert shortlist(_judged([1] * 9)).code == "few-tables"
    assert shortlist(_judged([1] * 10 + [4] * 10)).code == "every-family"  # only all four held 95%
    # on half the tables the prior ranked none of the winning families: no list of its families holds 95%
    assert shortlist(_judged([1] * 10 + [None] * 10)).code == "every-family"


def test_a_race_measures_the_shortlist_and_every_family_the_prior_has_not_ranked():
    from advisor.rules.prior import every_candidate_asked, shortlist
    from advisor.runner.user_data import measured_earlier, raced_families

    prior = _judged([1] * 15 + [2] * 5)
    prior.shortlist = shortlist(prior)
    candidates = ["a", "b", "c", "d", "new"]  # "new" was never measured on the reference: nothing says it loses
    assert raced_families(candidates, prior) == ["a", "b", "new"]
    prior.shortlist.left_out = ["c", "d"]  # as `table_prior` records them; an earlier run on the file measured d
    earlier = measured_earlier(prior, ["d"]).shortlist
    assert (earlier.earlier, earlier.left_out) == (["d"], ["c"])  # d is raced again: its seeds are evidence
    assert raced_families(candidates, every_candidate_asked(prior)) == candidates
    prior.shortlist = shortlist(_judged([1] * 20, nearest=2.0))
    assert raced_families(candidates, prior) == candidates
    assert raced_families(candidates, None) == candidates


def test_the_prior_reads_only_the_families_a_user_can_race(evidence, tmp_path):
    from types import SimpleNamespace

    from advisor.cards import FamilyCard
    from advisor.runner.user_data import table_prior
    from advisor.store.models import FamilyRow
    from tests.stores import CARDS

    _, needs, _ = evidence
    card = FamilyCard(name="not-installed", title="x", **CARDS["flow"]).model_dump(mode="json")
    with open_store(tmp_path / "k.db") as store, store.session() as session:
        session.add(FamilyRow(name="not-installed", title="x", plugin="elsewhere", version=None, card=card))
        session.flush()
        for name in TABLES:  # a family the reference measured but this user has not installed wins every table
            for seed in range(3):
                session.add(complete_run("not-installed", "default", name, seed, {"test_nll": 0.01}))
    mine = SimpleNamespace(card=SimpleNamespace(name="mine", kind="tabular", meta=TABLES["cats-a"][0]))
    with open_store(tmp_path / "k.db", readonly=True) as reference:
        prior = table_prior(mine, needs, load_registry(), reference)
    assert prior.picks == ["autoregressive"] and {c.family for c in prior.candidates} == {"flow", "autoregressive"}
