"""`advisor recommend --data`: measure on the user's file, answer, cache, respect the time limit."""

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest


def _runs(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT family, seed, status, dataset FROM runs").fetchall()


@pytest.mark.slow
def test_measures_then_answers_from_cache(cli, db, csv_file, tmp_path):
    # a plugins dir whose only exact-likelihood families are gmm and kde keeps this fast: use the need's
    # hard requirement and the smoke budget; flows/autoregressive are measured too (all exact).
    args = ("recommend", "--need", "exact-likelihood", "--data", csv_file, "--budget", "smoke", "--db", db)
    first = cli.json(*args)
    runs = _runs(db)
    assert runs and {status for *_, status, _ in runs} == {"COMPLETE"}
    assert all(dataset.startswith("user-two-blobs-") for *_, dataset in runs)
    assert first["measuring"]["cells_run"] == len(runs) and first["your_data"]["ranked"]
    assert {r["family"] for r in first["your_data"]["ranked"]} <= {"gmm", "kde", "flow", "flow-ar", "autoregressive"}
    with sqlite3.connect(db) as conn:  # the user's data never leaves as samples
        assert conn.execute("SELECT COUNT(*) FROM samples").fetchone() == (0,)
    said = [c["detail"] for c in first["measuring"]["caveats"] if c["code"] == "measuring"]
    assert any("left out: 'unit' (constant: one value in every row)" in c for c in said)
    [generate] = first["measuring"]["generate"][:1]
    assert generate.startswith("advisor generate --family ") and "--data" in generate
    race = first["measuring"]["race"]
    assert race["metric"] == "test_nll" and set(race["seeds"]) == {r["family"] for r in first["your_data"]["ranked"]}
    planned = {(f, s) for f in race["seeds"] for s in range(3)}
    run = {(f, s) for f in race["seeds"] for s in range(race["seeds"][f])}
    assert {(c["family"], c["seed"]) for c in race["not_run"]} == planned - run  # every cell not run, with why
    assert all(c["reason"] in ("raced-out", "not-needed") for c in race["not_run"])  # no time limit
    second = cli.json(*args)
    assert second["measuring"]["cells_run"] == 0 and len(_runs(db)) == len(runs)  # answered from the cache
    assert second["your_data"] == first["your_data"]  # the same command twice: the same answer
    # the HTTP API answers the same question on the measured file with exactly the same JSON
    from fastapi.testclient import TestClient

    from advisor.serve.app import create_app

    dataset = second["dataset"]
    api = TestClient(create_app(str(db))).get(f"/datasets/{dataset}/recommend", params={"need": "exact-likelihood"})
    assert api.json() == {key: value for key, value in second.items() if key != "measuring"}


@pytest.mark.slow
def test_time_limit_stops_and_names_the_unmeasured(cli, db, csv_file):
    answer = cli.json(
        "recommend",
        "--need",
        "exact-likelihood",
        "--data",
        csv_file,
        "--budget",
        "smoke",
        "--time-limit",
        "12s",
        "--db",
        db,
    )
    measured = {r["family"] for r in answer["your_data"]["ranked"]}
    unmeasured = {u["family"] for u in answer["measuring"]["not_run"] if "time limit" in u["detail"]}
    assert not measured & unmeasured  # a family is either ranked or named as not measured, never both
    race = answer["measuring"]["race"]
    not_started = {(c["family"], c["seed"]) for c in race["not_run"] if c["reason"] == "not-started"}
    assert not_started  # the cells the race still wanted when the time ran out, each named
    assert unmeasured <= {family for family, _seed in not_started}
    assert answer["measuring"]["cells_run"] < answer["measuring"]["cells_planned"]


def test_cells_measured_on_the_data_correct_the_estimates(cli, db, csv_file, monkeypatch):
    import advisor.runner.planning

    def far_too_optimistic(stores, families, kind, budget, shape=None):  # as the shipped store's on a large table
        return {f: 0.001 if f == "gmm" else 1.0 for f in families}

    monkeypatch.setattr(advisor.runner.planning, "estimate_costs", far_too_optimistic)
    args = ("recommend", "--need", "exact-likelihood", "--data", csv_file, "--budget", "smoke", "--time-limit", "30s")
    answer = cli.json(*args, "--db", db)
    # gmm's first cell took hundreds of times its estimate, so the others (estimated 1,000 x longer than
    # gmm) were not started rather than started and stopped at the deadline
    assert {(family, status) for family, _, status, _ in _runs(db)} == {("gmm", "COMPLETE")}
    reasons = [u["detail"] for u in answer["measuring"]["not_run"]]
    assert reasons and all("x the stored runs' estimate as the cells on this data took" in r for r in reasons)


@pytest.mark.slow
def test_the_time_limit_covers_reading_the_file(cli, db, csv_file, monkeypatch):
    import time

    import advisor.runner

    read = advisor.runner.resolve_datasets

    def slow_read(*args, **kwargs):  # a big file: reading it takes longer than the whole limit
        time.sleep(3)
        return read(*args, **kwargs)

    monkeypatch.setattr(advisor.runner, "resolve_datasets", slow_read)
    args = ("recommend", "--need", "exact-likelihood", "--data", csv_file, "--budget", "smoke", "--time-limit", "2s")
    error = cli(*args, "--db", db, expect=1).stderr
    assert "nothing could be measured" in error and "after 3 s of reading and planning); raise --time-limit" in error


def test_bad_data_exits_2_naming_the_fault(cli, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n" + "1,2\n" * 30 + "3,x\n")
    result = cli("recommend", "--need", "fast-sampling", "--data", bad, "--db", db, expect=2)
    assert "bad.csv, row 32, column 'b': 'x' is not a number" in result.stderr
    assert (
        "not a duration"
        in cli("recommend", "--need", "fast-sampling", "--data", bad, "--time-limit", "soon", expect=2).stderr
    )


def test_plan_orders_seed_major_cheapest_first_and_packs_lanes():
    from advisor.runner.planning import fit_to_time
    from advisor.store.cells import Cell

    cells = [Cell(f, "d", s, "smoke") for f in ("slow", "fast") for s in range(3)]
    plan = fit_to_time(cells, {"slow": 10.0, "fast": 1.0}, seconds=12.0, jobs=1)
    assert [(c.family, c.seed) for c in plan.cells] == [("fast", 0), ("slow", 0), ("fast", 1)]
    assert {(c.family, c.seed) for c, _ in plan.left_out} == {("slow", 1), ("fast", 2), ("slow", 2)}
    two_lanes = fit_to_time(cells, {"slow": 10.0, "fast": 1.0}, seconds=12.0, jobs=2)
    assert len(two_lanes.cells) == 5 and two_lanes.estimated_seconds <= 12.0


def test_cost_tracker_corrects_a_family_by_its_own_cells_first():
    from advisor.runner.planning import CostTracker

    tracker = CostTracker({"gmm": 2.0, "kde": 4.0})
    assert tracker.estimate("kde") == 4.0 and tracker.correction() == 1.0
    tracker.observe("gmm", 20.0)  # ten times the estimate: every family is now expected ten times slower
    assert tracker.estimate("kde") == pytest.approx(40.0)
    tracker.observe("kde", 160.0)  # kde's own cell says forty times: its own ratio wins over the pooled one
    assert tracker.estimate("kde") == pytest.approx(160.0) and tracker.estimate("gmm") == pytest.approx(20.0)


SHIPPED = Path(__file__).resolve().parents[1] / "results.db"


def _levels_table(path, levels, rows):
    """A table with `levels` category levels (one encoded dim each) beside two numbers: categoricals
    city0, city1, ... of 50 levels each (the most a categorical keeps)."""
    rng = np.random.default_rng(0)
    sizes = [min(50, levels - start) for start in range(0, levels, 50)]
    cities = [rng.permutation(np.arange(rows) % size) for size in sizes]  # every level occurs
    header = ",".join(f"city{i}" for i in range(len(sizes)))
    lines = [",".join(f"c{c}" for c in row) for row in zip(*cities, strict=True)]
    numbers = rng.normal(size=(rows, 2))
    path.write_text(
        f"{header},a,b\n" + "\n".join(f"{x},{u:.3f},{v:.3f}" for x, (u, v) in zip(lines, numbers, strict=True))
    )
    return path


def test_estimates_grow_with_width_and_rows_and_borrow_other_budgets():
    from advisor.budgets import get_budget
    from advisor.runner.planning import DataShape, estimate_costs
    from advisor.store import open_store

    families = ["autoregressive", "flow", "gmm", "kde"]
    with open_store(SHIPPED, readonly=True) as store:  # quick runs only
        smoke = estimate_costs([store], families, "tabular", "smoke")
        narrow, wide, long = (
            estimate_costs([store], families, "tabular", "quick", DataShape.of(dims, rows, get_budget("quick")))
            for dims, rows in ((19, 2_000), (1_900, 2_000), (1_900, 20_000))  # more rows than any stored table
        )
    # no smoke run anywhere: the quick runs, scaled, still put the cheap families first (not 15 s each)
    assert max(smoke["gmm"], smoke["kde"]) < min(smoke["autoregressive"], smoke["flow"]) < 15.0
    for family in families:
        assert wide[family] == pytest.approx(100 * narrow[family], rel=0.35)  # linear in the encoded width
        assert long[family] == pytest.approx(10**0.5 * wide[family])  # as the square root of the rows


def test_a_table_too_wide_for_any_candidate_is_refused_before_measuring(cli, db, tmp_path):
    table = _levels_table(tmp_path / "cities.csv", levels=2_000, rows=4_000)
    args = ("recommend", "--need", "exact-likelihood", "--data", table, "--time-limit", "20s")
    error = cli(*args, "--db", db, expect=2).stderr
    assert "too wide to measure within the time limit: 2,002 encoded dims" in error
    assert "'city0' (50 encoded dims)" in error and "--drop COL" in error
    assert not sqlite3.connect(db).execute("SELECT COUNT(*) FROM runs").fetchone()[0]  # nothing was started


def test_the_columns_that_make_a_table_wide_are_named():
    from advisor.runner.user_data import _wide_columns

    assert _wide_columns({"id": 1, "city": 900, "a": 1}) == "'city' (900 encoded dims) and 2 more column(s) of 2 dims"
    many = _wide_columns({f"x{i}": 1 for i in range(2_000)})
    assert many == "'x0', 'x1', 'x2', 'x3', 'x4' and 1,995 more column(s) of 1,995 dims"


@pytest.mark.slow
def test_a_wide_table_under_two_minutes_measures_the_cheap_families_first(tmp_path):
    """The issue's case: at the smoke budget (no stored run) every family was estimated at 15 s whatever the
    width, so autoregressive (first by name) took the whole limit on a 300-dim table and nothing was measured."""
    import subprocess
    import sys

    table, db = _levels_table(tmp_path / "cities.csv", levels=300, rows=1_500), tmp_path / "user.db"
    args = ["recommend", "--need", "exact-likelihood", "--data", str(table)]
    run = subprocess.run(
        [sys.executable, "-m", "advisor", *args, "--budget", "smoke", "--time-limit", "2m", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr  # no library warning reaches the terminal
    measured = {family for family, _, status, _ in _runs(db) if status == "COMPLETE"}
    assert {"gmm", "kde"} <= measured and "autoregressive" not in measured
    unmeasured = {u["family"]: u["detail"] for u in json.loads(run.stdout)["measuring"]["not_run"]}
    assert "did not fit the time limit" in unmeasured["autoregressive"]
    assert "--drop COL: its 302 encoded dims (from 'city0' (50 encoded dims)" in unmeasured["flow"]


def test_a_users_table_is_graded_on_its_own_ladder(db, tmp_path):
    from advisor.data.user import TableOptions
    from advisor.plugins import load_registry
    from advisor.rules.engine import gather_for
    from advisor.rules.grades import calibrated_quality
    from advisor.runner import resolve_datasets
    from advisor.runner.user_data import _store_grading_ladder
    from advisor.store import open_store
    from advisor.store.cells import sync_catalog
    from tests.stores import complete_run

    rng = np.random.default_rng(1)
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n" + "\n".join(f"{u:.4f},{u + v:.4f}" for u, v in rng.normal(size=(1500, 2))))
    registry = load_registry()
    ((name, dataset),) = resolve_datasets(registry, (), (str(path),), TableOptions()).items()
    needs = [registry.need("best-quality")]
    with open_store(db, create=True) as store:
        _store_grading_ladder(store, dataset, needs, registry, "quick")
        sync_catalog(store, registry, ["gmm"], {name: dataset})
        with store.session() as session:
            for seed in range(3):
                session.add(complete_run("gmm", "default", name, seed, {"c2st": 0.99}))
        evidence = gather_for(store, needs, registry.metric_specs(), datasets=(name,))
    ladder = evidence.ladders[name]  # the file's own held-out rows and noise levels
    assert [rung for rung, _ in ladder.rungs] == ["noise-0.25sd", "noise-0.5sd", "noise-1sd"] and ladder.sees_noise
    grade, basis = calibrated_quality(evidence, ("gmm", "default"))
    assert grade == "low" and name in basis


def _reference_where_gmm_wins(path, meta):
    """A reference store of 10 measured tables with meta-features around `meta` (one equal to it), where gmm has
    the best test NLL on every one: the prior's shortlist is gmm alone."""
    from advisor.plugins import load_registry
    from advisor.runner.user_data import race_candidates
    from advisor.store import open_store
    from advisor.store.models import DatasetRow, FamilyRow
    from tests.stores import complete_run

    registry = load_registry()
    cards = registry.family_cards()
    families = race_candidates(cards, [registry.need("exact-likelihood")], "tabular")
    with open_store(path, create=True) as store, store.session() as session:
        for family in families:
            session.add(FamilyRow(name=family, title=family, plugin="test", version=None, card=cards[family]))
        for i in range(10):
            name = f"table-{i}"
            card = {"name": name, "kind": "tabular", "dims": 2, "meta": {k: v + 0.1 * i for k, v in meta.items()}}
            session.add(DatasetRow(name=name, plugin="test", card=card))
            session.flush()
            for family in families:
                nll = 0.1 if family == "gmm" else 0.5
                for seed in range(3):
                    session.add(complete_run(family, "default", name, seed, {"test_nll": nll + seed / 1000}))
    return families


@pytest.mark.slow
def test_the_race_measures_the_shortlist_and_a_second_run_extends_it(cli, db, tmp_path, monkeypatch):
    import advisor.cli.recommend_cmd as recommend_cmd

    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{c:.3f},{'xyz'[int(abs(c)) % 3]}" for a, b, c in rng.normal(0, 1, (300, 3)))
    (tmp_path / "mine.csv").write_text("a,b,c,kind\n" + rows)
    args = ("recommend", "--need", "exact-likelihood", "--data", tmp_path / "mine.csv", "--budget", "smoke")
    monkeypatch.setattr(recommend_cmd, "reference_store", lambda: None)
    meta = cli.json(*args, "--prior-only")["meta"]
    args += ("--db", db)
    families = _reference_where_gmm_wins(tmp_path / "reference.db", meta)
    monkeypatch.setattr(recommend_cmd, "reference_store", lambda: tmp_path / "reference.db")
    first = cli.json(*args)
    shortlist = first["measuring"]["prior"]["shortlist"]
    assert (shortlist["code"], shortlist["families"], shortlist["held"]) == ("shortlist", ["gmm"], 10)
    assert shortlist["left_out"] == [f for f in families if f != "gmm"] and shortlist["earlier"] == []
    assert {family for family, *_ in _runs(db)} == {"gmm"} and first["measuring"]["race"]["order"] == ["gmm"]
    not_run = {item["family"]: item["code"] for item in first["measuring"]["not_run"]}
    assert not_run == {f: "not-shortlisted" for f in families if f != "gmm"}
    out = cli(*args).stdout  # answered from the store: nothing new to run, the same reasons
    assert "the race measures the prior's shortlist: gmm." in out
    assert f"not ranked {', '.join(f for f in families if f != 'gmm')}" in out.replace(" and ", ", ")
    every = cli.json(*args, "--every-candidate")
    asked = every["measuring"]["prior"]["shortlist"]
    assert (asked["code"], asked["left_out"]) == ("asked", []) and not every["measuring"]["not_run"]
    assert {family for family, *_ in _runs(db)} == set(families)
    again = cli.json(*args)  # the shortlist again, on a store holding every family: it extends, never crashes
    assert again["measuring"]["cells_run"] == 0 and again["your_data"] == every["your_data"]
    said = again["measuring"]["prior"]["shortlist"]
    assert said["earlier"] == [f for f in families if f != "gmm"] and said["left_out"] == []
