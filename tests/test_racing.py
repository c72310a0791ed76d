"""Racing on a user's table: first seeds for all, more seeds only for those that can still win."""

from advisor.runner.racing import RaceState, Standing, next_cells


def _standing(family, value, error=0.01, seeds=1):
    return Standing(family, family, seeds, (value, error), prior=seeds < 2)


def test_every_candidate_gets_its_first_seed_in_order_of_promise_before_any_second():
    state = RaceState(order=["gmm", "flow", "vae"], tried={"gmm": 1}, standing={"gmm": _standing("gmm", 0.9)})
    assert next_cells(state)[:2] == [("flow", 0), ("vae", 0)]


def test_a_candidate_clearly_behind_after_its_first_seed_gets_no_second():
    standing = {"gmm": _standing("gmm", -0.05), "flow": _standing("flow", -0.30)}  # c2st 0.05 vs 0.30 from chance
    state = RaceState(order=["flow", "gmm"], tried={"gmm": 1, "flow": 1}, standing=standing)
    assert next_cells(state) == [("gmm", 1)]
    assert set(state.raced_out) == {"flow"}


def test_the_leaders_seeds_come_before_the_others_whatever_the_order_of_promise():
    standing = {
        "kde": _standing("kde", -0.08),  # within reach of the leader, not tied with it
        "gmm": _standing("gmm", -0.05),
        "vae": _standing("vae", -0.051),  # tied with the leader
    }
    state = RaceState(order=["kde", "vae", "gmm"], tried=dict.fromkeys(standing, 1), standing=standing)
    assert next_cells(state) == [("vae", 1), ("gmm", 1), ("kde", 1)]
    assert state.tie_set() == ["vae", "gmm"] and not state.raced_out


def test_without_a_noise_prior_no_one_is_dropped_on_one_seed():
    standing = {"gmm": _standing("gmm", -0.05, error=float("inf")), "flow": _standing("flow", -0.3, float("inf"))}
    state = RaceState(order=["gmm", "flow"], tried={"gmm": 1, "flow": 1}, standing=standing)
    assert sorted(next_cells(state)) == [("flow", 1), ("gmm", 1)] and not state.raced_out


def test_the_race_ends_when_every_contender_has_its_seeds_and_is_the_same_twice():
    standing = {"gmm": _standing("gmm", -0.05, seeds=3), "flow": _standing("flow", -0.06, seeds=3)}
    state = RaceState(order=["gmm", "flow"], tried={"gmm": 3, "flow": 3}, standing=standing)
    assert next_cells(state) == []
    again = RaceState(order=["gmm", "flow"], tried={"gmm": 2, "flow": 3}, standing=standing)
    assert next_cells(again) == next_cells(again) == [("gmm", 2)]
