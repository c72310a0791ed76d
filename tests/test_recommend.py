"""The rule engine on small stores with known numbers: ranking, explanations, eliminations."""

import json
import subprocess
import sys

import pytest

from advisor.store import open_store
from advisor.store.models import DatasetRow, FamilyRow, MetricRow, Run
from tests.stores import add_c2st_ladder, add_runs, build_store, complete_run, set_metric, verdicts


@pytest.fixture
def store_path(tmp_path):
    return build_store(tmp_path / "known.db")


def test_exact_likelihood_ranks_only_exact_families_by_nll(cli, store_path):
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", store_path)
    assert [r["family"] for r in answer["ranked"]] == ["autoregressive", "flow"]
    nll = answer["ranked"][0]["objectives"]["test_nll"]
    assert nll["mean"] == pytest.approx(0.16) and nll["per_dataset"]["ring8"]["n"] == 3
    assert nll["unit"] == "nats/dim"
    assert {"family": "gan", "reasons": ["likelihood is 'none'; exact-likelihood needs exact"]} in answer["eliminated"]
    [why] = answer["ranked"][1]["why_not_first"]
    assert why["metric"] == "test_nll" and why["rival"] == "autoregressive" and why["unit"] == "nats/dim"
    assert verdicts(why) == {"grid25": "worse", "ring8": "worse"}
    assert why["datasets"][0]["mine"]["mean"] == pytest.approx(0.21)
    assert answer["ranked"][0]["label"] == "autoregressive" and answer["winners"] == ["autoregressive"]
    [claim] = answer["claims"]
    assert claim["agrees"] is True and claim["measured_best"] == ["autoregressive"]


def test_fast_sampling_puts_one_shot_first_with_throughput(cli, store_path):
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", store_path)
    assert [r["family"] for r in answer["ranked"]] == ["gan", "flow", "autoregressive"]
    throughput = next(c for c in answer["ranked"][2]["why_not_first"] if c["metric"] == "sample_throughput")
    assert throughput["rival"] == "gan" and throughput["scale"] == "log"
    assert verdicts(throughput) == {"grid25": "worse", "ring8": "worse"}


def test_conflicting_needs_show_pareto_set_and_tradeoff(cli, store_path):
    answer = cli.json("recommend", "--need", "exact-likelihood", "--need", "fast-sampling", "--db", store_path)
    assert set(answer["pareto"]) == {"autoregressive", "flow"}
    tradeoffs = {(t["need"], t["other_need"]): t for t in answer["tradeoffs"]}
    speed = tradeoffs["fast-sampling", "exact-likelihood"]
    assert speed["best"] == ["flow"] and speed["other_best"] == ["autoregressive"]
    [nll] = speed["comparisons"]
    assert nll["metric"] == "test_nll" and verdicts(nll) == {"grid25": "worse", "ring8": "worse"}
    [throughput] = tradeoffs["exact-likelihood", "fast-sampling"]["comparisons"]
    assert throughput["datasets"][0]["mine"]["mean"] == 2000 and throughput["datasets"][0]["theirs"]["mean"] == 2e5
    out = cli("recommend", "--need", "exact-likelihood", "--need", "fast-sampling", "--db", store_path).stdout
    assert "(2000 vs 2e+05, 100x)" in out  # units and ratios are text, not rich markup


def test_stable_training_uses_failures_and_seed_spread(cli, tmp_path):
    answer = cli.json("recommend", "--need", "stable-training", "--db", build_store(tmp_path / "f.db", failures=3))
    assert answer["ranked"][-1]["family"] == "gan"
    gan = answer["ranked"][-1]["objectives"]
    assert gan["unstable_rate"]["per_dataset"]["ring8"]["mean"] == pytest.approx(0.5)  # 3 failed of 6
    flow = next(r for r in answer["ranked"] if r["family"] == "flow")["objectives"]
    assert flow["unstable_rate"]["per_dataset"]["ring8"]["mean"] == 0.0  # INTERRUPTED runs do not count


def test_nothing_left_names_the_requirement(cli, store_path):
    needs = ("--need", "exact-likelihood", "--need", "latent-space", "--need", "controllable")
    answer = cli.json("recommend", *needs, "--db", store_path)
    assert answer["ranked"] == []
    reasons = {e["family"]: e["reasons"] for e in answer["eliminated"]}
    assert reasons["autoregressive"] == ["latent is 'none'; latent-space needs explicit"]
    assert reasons["flow"] == ["conditioning is False; controllable needs True"]
    assert reasons["gan"][0].startswith("likelihood is 'none'")
    # each fails one requirement: all are named, none picked by its name
    assert [(n["family"], len(n["fails"])) for n in answer["nearest"]] == [
        ("autoregressive", 1),
        ("flow", 1),
        ("gan", 1),
    ]
    assert "No candidate is left" in cli("recommend", *needs, "--db", store_path).stdout


def test_unknown_need_and_empty_store(cli, store_path, tmp_path):
    result = cli("recommend", "--need", "exact-likelihod", "--db", store_path, expect=2)
    assert "Did you mean 'exact-likelihood'" in result.stderr
    empty = tmp_path / "empty.db"
    open_store(empty, create=True).close()
    result = cli("recommend", "--need", "fast-sampling", "--db", empty, expect=1)
    assert "no measurements" in result.stderr


def test_human_output_explains(cli, store_path):
    out = cli("recommend", "--need", "exact-likelihood", "--explain", "--db", store_path).stdout
    assert "Recommendation: autoregressive" in out
    assert "eliminated gan: likelihood is 'none'" in out
    assert "flow (score 0.00):" in out


def test_recommend_imports_no_numpy_torch_or_sklearn(store_path):
    code = (
        "import sys; from advisor.cli import main\n"
        f"args = ['recommend', '--need', 'exact-likelihood', '--json', '--db', {str(store_path)!r}]\n"
        "main(args, standalone_mode=False)\n"
        "heavy = [m for m in ('torch', 'sklearn', 'scipy') if m in sys.modules]\n"
        "np = sys.modules.get('numpy'); loaded = np is not None and type(np).__name__ != '_LazyModule'\n"
        "print(json.dumps({'heavy': heavy, 'numpy': loaded}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True)
    assert json.loads(result.stderr.strip().splitlines()[-1]) == {"heavy": [], "numpy": False}


def test_table_grades_from_measurements_beside_claims(cli, store_path):
    families = cli.json("table", "--db", store_path)["families"]
    flow_speed = families["flow"]["sampling speed"]
    assert flow_speed["grade"] == "fast" and flow_speed["claim"] == "slow" and flow_speed["verdict"] == "disagrees"
    assert families["autoregressive"]["sampling speed"]["grade"] == "very slow"
    assert families["autoregressive"]["sampling speed"]["verdict"] == "agrees"
    assert families["gan"]["sample quality"]["grade"] == "medium"  # C2ST 0.70 over both datasets
    assert families["gan"]["sample quality"]["verdict"] == "disagrees"
    assert families["autoregressive"]["sample quality"]["grade"] == "excellent"
    assert families["gan"]["likelihood"] == {"grade": "none", "basis": "card", "claim": "none", "verdict": "agrees"}
    markdown = cli("table", "--markdown", "--db", store_path).stdout
    assert markdown.splitlines()[0].startswith("| family | sample quality | diversity |")
    assert [row.split(" | ")[0] for row in markdown.splitlines()[2:]] == ["| autoregressive", "| flow", "| gan"]
    assert "fast ✗ claim: slow" in markdown


def test_default_store_falls_back_to_the_shipped_one_and_says_so(monkeypatch, tmp_path):
    from advisor.store import reference

    (tmp_path / "shipped").mkdir()
    shipped = build_store(tmp_path / "shipped" / "results.db")
    monkeypatch.setattr(reference, "reference_store", lambda: shipped)
    # no ./results.db (the fixture runs every test in an empty tmp_path)
    location, note = reference.choose_store(None)
    assert location == str(shipped) and "no results.db here" in note
    # a ./results.db without a completed run is not an answer either
    open_store(tmp_path / "results.db", create=True).close()
    location, note = reference.choose_store(None)
    assert location == str(shipped) and "no completed runs" in note
    # the user's own measurements win, and so does an explicit store
    build_store(tmp_path / "results.db")
    assert reference.choose_store(None) == ("results.db", None)
    assert reference.choose_store("elsewhere.db") == ("elsewhere.db", None)


def test_recommend_on_an_empty_local_store_answers_from_the_shipped_one(cli, monkeypatch, tmp_path):
    from advisor.store import reference

    (tmp_path / "shipped").mkdir()
    shipped = build_store(tmp_path / "shipped" / "results.db")
    monkeypatch.setattr(reference, "reference_store", lambda: shipped)
    open_store(tmp_path / "results.db", create=True).close()
    result = cli("recommend", "--need", "exact-likelihood")
    assert "answering from the shipped reference store" in result.stderr + result.stdout
    assert "autoregressive" in result.stdout


def test_a_dataset_not_every_candidate_has_is_left_out_of_the_comparison(cli, store_path):
    with open_store(store_path) as store, store.session() as session:
        session.query(Run).filter(Run.family == "flow", Run.dataset == "grid25").delete()
        # on grid25 alone, autoregressive would now look far worse than flow, which has no number there
        for metric in session.query(MetricRow).join(Run).filter(Run.dataset == "grid25", MetricRow.name == "test_nll"):
            metric.value += 1.0
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", store_path)
    [caveat] = answer["caveats"]
    assert caveat["code"] == "left-out" and caveat["subjects"] == ["flow"] and caveat["datasets"] == ["grid25"]
    assert caveat["metrics"] == ["test_nll"]
    nll = answer["ranked"][0]["objectives"]["test_nll"]
    assert answer["ranked"][0]["family"] == "autoregressive" and nll["scored_on"] == ["ring8"]
    assert nll["mean"] == pytest.approx(0.16) and set(nll["per_dataset"]) == {"grid25", "ring8"}
    assert "caveat: grid25 is left out" in cli("recommend", "--need", "exact-likelihood", "--db", store_path).stdout
    complete = cli.json("recommend", "--need", "exact-likelihood", "--db", build_store(store_path.parent / "b.db"))
    assert complete["caveats"] == []


def test_gaps_within_seed_noise_rank_no_one_and_are_reported_as_such(cli, store_path):
    set_metric(store_path, "flow", "test_nll", [0.16, 0.17, 0.155])  # mean 0.162 +- 0.008 vs 0.16 +- 0.01
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", store_path)
    assert [r["score"] for r in answer["ranked"]] == [1.0, 1.0] and [r["rank"] for r in answer["ranked"]] == [1, 1]
    assert answer["winners"] == ["autoregressive", "flow"]
    [why] = next(r for r in answer["ranked"] if r["family"] == "flow")["why_not_first"]
    assert verdicts(why) == {"grid25": "within seed noise", "ring8": "within seed noise"}
    out = cli("recommend", "--need", "exact-likelihood", "--db", store_path).stdout
    assert "Recommendation: a tie between autoregressive and flow" in out
    # the same gap with no spread across seeds is a real difference
    set_metric(store_path, "flow", "test_nll", [0.17, 0.17, 0.17])
    set_metric(store_path, "autoregressive", "test_nll", [0.16, 0.16, 0.16])
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", store_path)
    assert [(r["family"], r["score"]) for r in answer["ranked"]] == [("autoregressive", 1.0), ("flow", 0.0)]


def test_a_two_sample_test_below_chance_is_not_better_than_chance(cli, store_path):
    set_metric(store_path, "flow", "c2st", [0.46, 0.46, 0.46])  # 0.04 from chance, below it
    set_metric(store_path, "autoregressive", "c2st", [0.53, 0.53, 0.53])  # 0.03 from chance
    ranked = cli.json("recommend", "--need", "best-quality", "--db", store_path)["ranked"]
    assert [r["family"] for r in ranked] == ["autoregressive", "flow", "gan"]
    [why] = ranked[1]["why_not_first"]
    assert why["reference"] == 0.5 and verdicts(why) == {"grid25": "worse", "ring8": "worse"}
    assert why["datasets"][0]["mine"]["distance_mean"] == pytest.approx(0.04)


def test_claims_are_judged_among_the_textbook_families_and_a_baseline_on_top_is_said(cli, store_path):
    with open_store(store_path) as store, store.session() as session:
        gan = session.get(FamilyRow, "gan")
        session.add(FamilyRow(name="kde", title="kde", plugin="test", version=None, card={**gan.card, "name": "kde"}))
        session.flush()
        session.query(Run).filter(Run.family == "gan").update({"family": "kde"}, synchronize_session=False)
        session.delete(gan)
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", store_path)
    assert answer["ranked"][0]["family"] == "kde"
    [claim] = answer["claims"]
    assert claim["measured_best"] == ["flow"] and claim["agrees"] is None
    assert claim["baselines_above"] == ["kde"]


def test_table_grades_quality_on_the_stored_calibrated_scale(cli, store_path, tmp_path):
    """With the calibration stored, a family's |C2ST - 0.5| is placed among the reference sets:
    real rows 0.50 ± 0.01, mildest noise 0.58, second 0.66 (|C2ST - 0.5|: 0.08, 0.16)."""
    ladder = {"real": (0, [0.49, 0.50, 0.51]), "noise-0.5mw": (1, [0.58] * 3), "noise-1mw": (2, [0.66] * 3)}
    add_c2st_ladder(store_path, ladder)
    data = cli.json("table", "--db", store_path)
    quality = {family: cells["sample quality"] for family, cells in data["families"].items()}
    assert quality["autoregressive"]["grade"] == "high"  # 0.053 from chance: beyond real's noise, within the mildest
    assert quality["flow"]["grade"] == "medium"  # 0.11
    assert quality["gan"]["grade"] == "low"  # 0.70 ± 0.10: 0.2 from chance, beyond the second level
    assert quality["flow"]["basis"] == (
        "C2ST calibrated (grid25 medium (0.610): between noise-0.5mw and noise-1mw; ring8 medium (0.610): between "
        "noise-0.5mw and noise-1mw)"
    )
    assert data["quality_scale"]["high"] == "no worse than real data with noise of 0.5 x the mode width"
    out = cli("table", "--db", store_path).stdout
    assert "sample quality, calibrated per dataset (C2ST): excellent = within seed noise" in out
    answer = cli.json("recommend", "--need", "best-quality", "--db", store_path)  # the same scale
    assert {r["family"]: r["quality_grade"] for r in answer["ranked"]} == {
        "autoregressive": "high",
        "flow": "medium",
        "gan": "low",
    }
    assert answer["quality_scale"] == data["quality_scale"]
    assert "quality (calibrated, from C2ST" in cli("recommend", "--need", "best-quality", "--db", store_path).stdout
    no_quality = cli.json("recommend", "--need", "fast-sampling", "--db", store_path)
    assert no_quality["quality_scale"] is None and no_quality["ranked"][0]["quality_grade"] is None
    cli("report", "--out", tmp_path / "report", "--db", store_path)
    page = (tmp_path / "report" / "index.html").read_text()
    assert "<li><b>high</b>: no worse than real data with noise of 0.5 x the mode width</li>" in page


def test_a_dataset_with_one_seed_is_a_caveat(cli, store_path):
    with open_store(store_path) as store, store.session() as session:
        session.query(Run).filter(Run.family == "flow", Run.dataset == "grid25", Run.seed > 0).delete()
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", store_path)
    [caveat] = answer["caveats"]  # its noise is borrowed from autoregressive's three seeds there
    assert (caveat["code"], caveat["subjects"], caveat["datasets"]) == ("single-seed-borrowed", ["flow"], ["grid25"])
    with open_store(store_path) as store, store.session() as session:  # no candidate left with seeds to borrow from
        session.query(Run).filter(Run.dataset == "grid25", Run.seed > 0).delete()
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", store_path)
    [caveat] = answer["caveats"]
    assert (caveat["code"], caveat["subjects"], caveat["datasets"]) == (
        "single-seed",
        ["autoregressive", "flow"],
        ["grid25"],
    )


def test_failed_runs_are_a_caveat_of_every_answer(cli, tmp_path):
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", build_store(tmp_path / "f.db", failures=2))
    [caveat] = answer["caveats"]
    assert (caveat["code"], caveat["subjects"], caveat["datasets"]) == ("failed-runs", ["gan"], ["ring8"])
    assert caveat["numbers"] == {"FAILED": 2, "COMPLETE": 3}


def test_a_seed_counts_once_at_its_latest_outcome(cli, tmp_path):
    store_path = build_store(tmp_path / "f.db", failures=2)
    with open_store(store_path) as store, store.session() as session:
        # seed 10 failed, then completed when run again; seed 0 was re-run (`--rerun`) and completed again
        for seed in (10, 0):
            session.add(complete_run("gan", "default", "ring8", seed, {"c2st": 0.7}))
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", store_path)
    [caveat] = answer["caveats"]
    assert caveat["numbers"] == {"FAILED": 1, "COMPLETE": 4}


def test_table_grades_a_family_at_its_best_sampler_and_names_it(cli, store_path):
    with open_store(store_path) as store, store.session() as session:
        add_runs(session, "flow", "few-steps", {"c2st": [0.52] * 3, "sample_throughput": [1e3] * 3})
    flow = cli.json("table", "--db", store_path)["families"]["flow"]
    assert flow["sample quality"]["grade"] == "excellent"  # 0.52 with few-steps, not the pooled 0.56
    assert flow["sample quality"]["basis"] == (
        "C2ST 0.520 (0.5 = indistinguishable) with few-steps; fixed thresholds, no calibration stored"
    )
    assert flow["sampling speed"]["grade"] == "fast" and "with" not in flow["sampling speed"]["basis"]
    assert "exact (card) ✓" in cli("table", "--markdown", "--db", store_path).stdout


def test_a_needs_secondary_objective_is_read_on_its_primary_objectives_datasets(cli, store_path):
    # conditional accuracy measured on ring8 only; recall everywhere, autoregressive's poor on grid25
    values = {  # family -> dataset -> (cond_accuracy or None, recall)
        "autoregressive": {"ring8": (0.9, 0.9), "grid25": (None, 0.1)},
        "gan": {"ring8": (0.9, 0.5), "grid25": (None, 0.9)},
    }
    with open_store(store_path) as store, store.session() as session:
        for run in session.query(Run).filter(Run.family.in_(values)):
            accuracy, recall = values[run.family][run.dataset]
            run.metrics.append(MetricRow(name="recall", value=recall, unit="", higher_is_better=True, flag="ok"))
            if accuracy is not None:
                run.metrics.append(
                    MetricRow(name="cond_accuracy", value=accuracy, unit="", higher_is_better=True, flag="ok")
                )
    answer = cli.json("recommend", "--need", "controllable", "--db", store_path)
    assert [r["family"] for r in answer["ranked"]] == ["autoregressive", "gan"]
    recall = answer["ranked"][0]["objectives"]["recall"]
    assert recall["scored_on"] == ["ring8"] and set(recall["per_dataset"]) == {"ring8", "grid25"}
    # read on its own, recall covers both datasets and the gan's grid25 recall counts
    coverage = cli.json("recommend", "--need", "mode-coverage", "--db", store_path)
    assert coverage["ranked"][0]["objectives"]["recall"]["scored_on"] == ["grid25", "ring8"]
    # asked together, recall is one comparison (mode-coverage's primary: every dataset), cited as such
    both = cli.json("recommend", "--need", "controllable", "--need", "mode-coverage", "--db", store_path)
    assert {r["objectives"]["recall"]["scored_on"] == ["grid25", "ring8"] for r in both["ranked"]} == {True}
    # a candidate without the primary objective is not ranked on its secondaries alone
    with open_store(store_path) as store, store.session() as session:
        session.query(MetricRow).filter(MetricRow.name == "cond_accuracy").filter(
            MetricRow.run_id.in_(session.query(Run.id).filter(Run.family == "autoregressive"))
        ).delete(synchronize_session=False)
    answer = cli.json("recommend", "--need", "controllable", "--db", store_path)
    assert [r["family"] for r in answer["ranked"]] == ["gan"]
    [missing] = [m for m in answer["unmeasured"] if m["family"] == "autoregressive"]
    assert missing["code"] == "missing-objective" and missing["metrics"] == ["cond_accuracy"]


def test_a_candidate_measured_on_few_of_the_datasets_is_set_aside_not_compared_on_them(cli, store_path):
    with open_store(store_path) as store, store.session() as session:
        for dataset in ("d3", "d4"):
            session.add(DatasetRow(name=dataset, plugin="test", card={"name": dataset, "kind": "2d"}))
        session.flush()
        for run in session.query(Run).filter(Run.family != "gan", Run.dataset == "ring8").all():
            for dataset in ("d3", "d4"):
                copy = Run(family=run.family, sampler=run.sampler, dataset=dataset, seed=run.seed, budget="quick")
                copy.status, copy.device = "COMPLETE", "cpu"
                copy.metrics = [
                    MetricRow(name=m.name, value=m.value, unit=m.unit, higher_is_better=m.higher_is_better, flag="ok")
                    for m in run.metrics
                ]
                session.add(copy)
        session.query(Run).filter(Run.family == "gan", Run.dataset == "grid25").delete()
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", store_path)
    assert [r["family"] for r in answer["ranked"]] == ["flow", "autoregressive"]
    assert answer["ranked"][0]["objectives"]["sample_throughput"]["scored_on"] == ["d3", "d4", "grid25", "ring8"]
    [gan] = [m for m in answer["unmeasured"] if m["family"] == "gan"]
    assert (gan["code"], gan["metrics"], gan["have"], gan["most"]) == ("thin", ["sample_throughput"], 1, 4)
    assert answer["caveats"] == []
