"""Racing on a user's table: first seeds for all, more seeds only for those that can still win."""

from advisor.runner.racing import RaceState, Standing, next_cells
from advisor.store import open_store
from tests.stores import build_store, set_metric


def _standing(family, value, error=0.01, seeds=1):
    return Standing(family, family, seeds, (value, error), prior=seeds < 2)


def test_every_candidate_gets_its_first_seed_in_order_of_promise_before_any_second():
    state = RaceState(order=["gmm", "flow", "vae"], tried={"gmm": 1}, standing={"gmm": _standing("gmm", 0.9)})
    assert next_cells(state)[:2] == [("flow", 0), ("vae", 0)]


def test_a_candidate_clearly_behind_after_its_first_seed_gets_no_second():
    standing = {"gmm": _standing("gmm", -0.05), "flow": _standing("flow", -0.30)}  # c2st 0.05 vs 0.30 from chance
    state = RaceState(order=["flow", "gmm"], tried={"gmm": 1, "flow": 1}, standing=standing)
    assert next_cells(state) == [("gmm", 1)]
    assert set(state.raced_out()) == {"flow"}


def test_the_leaders_seeds_come_before_the_others_whatever_the_order_of_promise():
    standing = {
        "kde": _standing("kde", -0.08),  # within reach of the leader, not tied with it
        "gmm": _standing("gmm", -0.05),
        "vae": _standing("vae", -0.051),  # tied with the leader
    }
    state = RaceState(order=["kde", "vae", "gmm"], tried=dict.fromkeys(standing, 1), standing=standing)
    assert next_cells(state) == [("vae", 1), ("gmm", 1), ("kde", 1)]
    assert state.tie_set() == ["vae", "gmm"] and not state.raced_out()


def test_without_a_noise_prior_no_one_is_dropped_on_one_seed():
    standing = {"gmm": _standing("gmm", -0.05, error=float("inf")), "flow": _standing("flow", -0.3, float("inf"))}
    state = RaceState(order=["gmm", "flow"], tried={"gmm": 1, "flow": 1}, standing=standing)
    assert sorted(next_cells(state)) == [("flow", 1), ("gmm", 1)] and not state.raced_out()


def test_the_race_ends_when_every_contender_has_its_seeds_and_is_the_same_twice():
    standing = {"gmm": _standing("gmm", -0.05, seeds=3), "flow": _standing("flow", -0.06, seeds=3)}
    state = RaceState(order=["gmm", "flow"], tried={"gmm": 3, "flow": 3}, standing=standing)
    assert next_cells(state) == []
    again = RaceState(order=["gmm", "flow"], tried={"gmm": 2, "flow": 3}, standing=standing)
    assert next_cells(again) == next_cells(again) == [("gmm", 2)]


def _world(values, prior=0.01):
    """A fake store: (family, seed) -> value once run; standings from what ran (mean, prior or seed error)."""
    import statistics

    ran = []

    def read_state():
        tried = {f: sum(1 for g, _ in ran if g == f) for f in values}
        standing = {}
        for family in values:
            seen = [values[family][seed] for g, seed in ran if g == family]
            if seen:
                error = prior if len(seen) < 2 else statistics.stdev(seen) / len(seen) ** 0.5
                standing[family] = Standing(family, family, len(seen), (statistics.fmean(seen), error), len(seen) < 2)
        return tried, standing

    def run(batch):
        ran.extend(batch)
        return len(batch)

    return ran, read_state, run


def test_a_race_gives_seeds_to_the_contenders_only_and_a_second_run_adds_nothing():
    from advisor.runner.racing import run_race

    values = {"gmm": [-0.05, -0.06, -0.04], "kde": [-0.04, -0.05, -0.06], "flow": [-0.4, -0.4, -0.4]}
    ran, read_state, run = _world(values)
    outcome = run_race(["flow", "gmm", "kde"], read_state, lambda family: True, run)
    assert ran[:3] == [("flow", 0), ("gmm", 0), ("kde", 0)]  # first seeds in order of promise
    assert ("flow", 1) not in ran and set(outcome.raced_out) == {"flow"}
    assert sorted(ran[3:]) == [("gmm", 1), ("gmm", 2), ("kde", 1), ("kde", 2)]
    assert outcome.tie_set == ["gmm", "kde"] and outcome.cells_run == 7 and outcome.waiting == []
    again = run_race(["flow", "gmm", "kde"], read_state, lambda family: True, run)
    assert again.cells_run == 0 and again.tie_set == outcome.tie_set


def test_a_race_out_of_time_says_which_cells_it_still_wanted():
    from advisor.runner.racing import run_race

    values = {"gmm": [-0.05] * 3, "kde": [-0.05] * 3}
    ran, read_state, run = _world(values)
    budget = iter([True, True, False, False])  # two cells fit, then nothing does
    outcome = run_race(["gmm", "kde"], read_state, lambda family: next(budget, False), run)
    assert ran == [("gmm", 0), ("kde", 0)] and outcome.waiting[:2] == [("gmm", 1), ("kde", 1)]


def test_a_second_run_that_moves_the_leader_says_so():
    from advisor.rules.answer import Race
    from advisor.runner.racing import race_record, run_race
    from advisor.wording import race_lines

    values = {"gmm": [-0.01, -0.2, -0.2], "kde": [-0.05, -0.05, -0.05]}  # gmm's first seed was lucky
    ran, read_state, run = _world(values, prior=0.001)
    first = run_race(["gmm", "kde"], read_state, lambda family: len(ran) < 2, run)
    assert first.tie_set == ["gmm"]
    second = run_race(["gmm", "kde"], read_state, lambda family: True, run)
    record = race_record(second, ["gmm", "kde"], "c2st", ["gmm", "kde"], {"gmm": 1.0, "kde": 1.0})
    assert isinstance(record, Race) and record.before_tie_set == ["gmm"] and record.tie_set == ["kde"]
    assert any("moved ahead of gmm" in line for line in race_lines(record))


def test_the_store_read_with_first_seeds_sees_only_the_seeds_a_race_ran(tmp_path):
    from advisor.plugins import load_registry
    from advisor.rules.evidence import gather
    from advisor.store import open_store

    from .stores import build_store

    path = build_store(tmp_path / "r.db")
    with open_store(path, readonly=True) as store:
        evidence = gather(store, ["c2st"], load_registry().metric_specs(), first_seeds={"flow": 2, "autoregressive": 1})
    c2st = {family: by_metric["c2st"]["ring8"] for (family, _), by_metric in evidence.values.items()}
    assert set(c2st) == {"flow", "autoregressive"}  # families not named are left out
    assert (c2st["flow"].n, round(c2st["flow"].mean, 3)) == (2, 0.605) and c2st["autoregressive"].n == 1


def test_a_candidate_tied_with_the_leader_is_never_raced_out():
    # the leader's band is wide (one seed, a large noise prior): 0.70 +- 0.02 lies wholly below the leader's
    # pessimistic bound 0.80, yet within the leader's own band it ties with it; tied is not out
    state = RaceState(
        ["lead", "close"],
        {"lead": 1, "close": 2},
        {"lead": _standing("lead", 1.0, 0.1), "close": _standing("close", 0.70, 0.02, seeds=2)},
    )
    assert state.tie_set() == ["lead", "close"] and state.raced_out() == {}


def test_a_second_run_that_changes_the_answer_says_from_what(tmp_path):
    from advisor.plugins import load_registry
    from advisor.rules.answer import Race
    from advisor.runner.racing import RaceOutcome
    from advisor.runner.user_data import winners_before
    from advisor.wording import race_lines

    db = build_store(tmp_path / "k.db")
    set_metric(db, "flow", "c2st", [0.51, 0.60, 0.60])  # flow's first seed was lucky; autoregressive leads on three
    registry = load_registry()
    needs = [registry.need("best-quality")]
    earlier = {"flow": 1, "autoregressive": 1, "gan": 1}  # the seeds the last run on the file had left
    with open_store(db) as store:
        assert winners_before(store, needs, registry, "quick", "ring8", RaceOutcome(before=([], earlier))) == []
        before = winners_before(
            store, needs, registry, "quick", "ring8", RaceOutcome(cells_run=6, before=([], earlier))
        )
    assert before == ["flow"]
    race = Race(
        metric="c2st", order=[], seeds={f: 3 for f in earlier}, tie_set=[], before_seeds=earlier, before_winners=before
    )
    [line] = [line for line in race_lines(race, ["autoregressive"]) if "changed" in line]
    assert line == (
        "the answer changed since the last run on this file: it named flow after 3 cells; after 9 it names "
        "autoregressive"
    )
    assert not any("changed" in line for line in race_lines(race, ["flow"]))


def test_a_family_outside_the_shortlist_is_not_raced_and_the_record_says_why():
    from advisor.runner.racing import race_record, run_race

    values = {"gmm": [-0.05] * 3, "kde": [-0.06] * 3, "vae": [-0.01] * 3}
    ran, read_state, run = _world(values)
    outcome = run_race(["gmm", "kde"], read_state, lambda family: True, run)  # vae is outside the shortlist
    assert {family for family, _ in ran} == {"gmm", "kde"}
    record = race_record(outcome, ["gmm", "kde"], "c2st", ["gmm", "kde", "vae"], {})
    assert {(c.family, c.seed, c.reason) for c in record.not_run if c.family == "vae"} == {
        ("vae", 0, "not-shortlisted"),
        ("vae", 1, "not-shortlisted"),
        ("vae", 2, "not-shortlisted"),
    }


def test_a_family_measured_on_the_table_but_not_raced_neither_leads_nor_breaks_the_race():
    from advisor.runner.racing import run_race

    values = {"gmm": [-0.05] * 3, "kde": [-0.06] * 3, "vae": [-0.01] * 3}
    ran, read_state, run = _world(values)
    run([("vae", 0)])  # an earlier run, with every candidate, measured vae; this race is on gmm and kde only
    outcome = run_race(["gmm", "kde"], read_state, lambda family: True, run)
    assert "vae" not in outcome.tie_set and ("vae", 1) not in ran
    assert "vae" not in outcome.tried and "vae" not in outcome.before[1]  # its cell is not this race's to count
