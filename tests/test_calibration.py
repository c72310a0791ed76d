"""Calibration by known degradations: each quality metric worsens along the degradations it can see.

Ties are allowed where a metric cannot see a degradation by design; `BLIND_SPOTS` in
advisor/metrics/calibration.py lists them, and `Calibration.misordered` skips them:

- precision, density, hq_rate: a mode or class left out (fidelity: the remaining samples are real);
- recall: noise, the moment-matched Gaussian and each column shuffled (diversity: blurred samples
  still reach every point);
- modes_covered: noise (it counts modes hit, not how sharply);
- mmd, sliced_wasserstein, frechet: noise within a mode of ring8/grid25 (global distances whose
  resolution, at the data's spread, is coarser than a mode); frechet also the Gaussian (same moments);
- column_shapes: each column shuffled on its own (every column's values are kept);
- column_pairs: the Gaussian (it has the numeric columns' correlations);
- memorization: everything but copies (it measures copying, not fit).

Beyond those, `SMOKE_BLIND` names the few degradations smoke sizes are too small to resolve over
three seeds, with the reason; everything else must be ordered.
"""

import functools

import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.cards import MetricSpec
from advisor.data import BUILTIN_DATASETS
from advisor.data.toys import Grid25
from advisor.metrics.calibration import BLIND_SPOTS, Calibration, Reading, calibrate, levels_for
from advisor.metrics.classifier import c2st

DATASETS = [dataset.card.name for dataset in BUILTIN_DATASETS]

DROP = "drop is within seed noise of real"
SHUFFLED = "shuffled is within seed noise of real"
#: (dataset, metric) -> the degradations smoke sizes cannot resolve over three seeds, and why
SMOKE_BLIND = {
    ("ring8", "c2st"): ([DROP], "one mode of 8: 0.534 ± 0.021 against 0.489 ± 0.011"),
    ("grid25", "c2st"): ([DROP], "one mode of 25 is 4% of the mass: a perfect classifier reaches 0.52"),
    ("grid25", "mmd"): ([DROP], "4% of the mass, under the unbiased estimate's spread at 1,000 points"),
    ("grid25", "frechet"): ([DROP], "4% of the mass moves the mean by 0.04"),
    ("checkerboard", "frechet"): ([DROP], "which square is left out changes per seed: 0.39 ± 0.40"),
    ("digits", "c2st"): ([DROP], "one digit of 10 against 360 test rows in 64 dimensions"),
    ("digits", "sliced_wasserstein"): ([DROP], "idem"),
    ("wine", "c2st"): (
        ["noise-1sd is within seed noise of real", DROP, "gaussian is within seed noise of real", SHUFFLED],
        "36 test rows: 72 points in 5 folds teach a classifier nothing",
    ),
    ("wine", "mmd"): (["gaussian is within seed noise of real"], "36 test rows in 13 dimensions"),
    ("wine", "sliced_wasserstein"): (
        ["gaussian is within seed noise of real", SHUFFLED],
        "idem; shuffled 0.397 ± 0.019 against 0.386 ± 0.037",
    ),
    ("wine", "column_pairs"): (
        [DROP],
        "the pairs correlated beyond 0.5 keep their correlation without one class: 0.930 ± 0.011 against 0.933 ± 0.015",
    ),
    ("penguins", "c2st"): (
        ["noise-1sd is within seed noise of real", "gaussian is within seed noise of real"],
        "69 test rows",
    ),
    ("penguins", "mmd"): ([SHUFFLED], "69 test rows: -0.001 ± 0.002 against -0.001 ± 0.003"),
    ("penguins", "density"): (
        ["gaussian is within seed noise of real"],
        "69 test rows: 0.93 ± 0.16 against 0.95 ± 0.16",
    ),
    ("penguins", "coverage"): (["gaussian is within seed noise of real"], "69 test rows"),
    ("penguins", "sliced_wasserstein"): (["gaussian is within seed noise of real", SHUFFLED], "69 test rows"),
}


@functools.cache
def smoke_calibration(dataset: str) -> Calibration:
    """Every quality metric on every reference set of `dataset`, smoke sizes, seeds 0-2 (computed once)."""
    return calibrate(dataset, "smoke", seeds=(0, 1, 2))


@pytest.mark.slow
@pytest.mark.parametrize("dataset", DATASETS)
def test_each_quality_metric_worsens_along_the_degradations_it_can_see(dataset):
    calibration = smoke_calibration(dataset)
    assert {"c2st", "precision", "recall", "coverage", "density", "sliced_wasserstein", "mmd", "frechet"} <= set(
        calibration.readings
    )
    for metric in calibration.readings:
        expected, _ = SMOKE_BLIND.get((dataset, metric), ([], None))
        assert calibration.misordered(metric) == expected, metric


@pytest.mark.slow
@pytest.mark.parametrize("dataset", DATASETS)
def test_training_copies_are_memorized_and_held_out_rows_are_not(dataset):
    readings = smoke_calibration(dataset).readings["memorization"]
    assert readings["copies"].values == (1.0, 1.0, 1.0)
    assert readings["real"].mean < 0.15


@pytest.mark.slow
def test_cond_accuracy_reads_the_classifier_ceiling_on_real_rows_and_falls_with_noise():
    readings = smoke_calibration("wine").readings["cond_accuracy"]
    assert readings["real"].mean > 0.9  # what a class-faithful generator can reach
    assert readings["noise-1sd"].mean < readings["real"].mean - 0.05
    assert "gaussian" not in readings  # no labels to ask for
    withheld = calibrate("ring8", "smoke", ["cond_accuracy"], seeds=(0,))
    assert not withheld.readings and "withholds its labels" in withheld.skipped["cond_accuracy"]


def test_a_table_with_its_correlations_lost_reads_worse_on_column_pairs_only():
    """Each column shuffled on its own keeps every column's values (column_shapes: the same) and loses
    every dependence between columns (column_pairs: lower, beyond seed noise)."""
    calibration = calibrate("penguins", "smoke", ["column_pairs", "column_shapes"], seeds=(0, 1, 2))
    pairs, shapes = calibration.readings["column_pairs"], calibration.readings["column_shapes"]
    assert pairs["shuffled"].mean < pairs["real"].mean - 0.1
    assert calibration.misordered("column_pairs") == []  # shuffled is checked: worse than real beyond noise
    assert shapes["shuffled"].values == pytest.approx(shapes["real"].values)
    assert "shuffled" in BLIND_SPOTS["column_shapes"] and calibration.misordered("column_shapes") == []
    off_tables = calibrate("moons", "smoke", ["mmd"], seeds=(0,))
    assert "shuffled" not in off_tables.readings["mmd"] and "shuffled" not in off_tables.to_dict()["probes"]


def test_kl_to_truth_is_computed_where_the_reference_density_is_known():
    calibration = calibrate("ring8", "smoke", ["kl_to_truth"], seeds=(0, 1))
    readings = calibration.readings["kl_to_truth"]
    assert readings["real"].values == (0.0, 0.0)
    assert set(readings) == {"real", "noise-0.5mw", "noise-1mw", "noise-2mw", "drop", "gaussian"}
    assert calibration.misordered("kl_to_truth") == []


@pytest.mark.slow
def test_c2st_detects_noise_of_half_the_mode_width_on_grid25_at_quick_sizes():
    """5,000 test rows against 10,000 samples, subsampled to 5,000 a side, as a quick bench does."""
    grid, quick = Grid25(), get_budget("quick")
    real, noisy = [], []
    for seed in range(3):
        split = grid.split(quick, seed)
        held_out = split.train[: quick.n_eval_samples]
        noise = 0.5 * grid.std * np.random.default_rng(seed).standard_normal(held_out.shape)
        real.append(c2st(split.test, held_out, seed=seed))
        noisy.append(c2st(split.test, held_out + noise, seed=seed))
    # a perfect classifier would reach 0.541; the sbi-style MLP read 0.500 ± 0.005 on both
    assert all(n > r + 0.004 for n, r in zip(noisy, real, strict=True))
    assert abs(np.mean(real) - 0.5) < 0.01 and np.mean(noisy) > np.mean(real) + 0.01


def _calibration(readings: dict[str, dict[str, tuple[float, ...]]]) -> Calibration:
    specs = {
        "score": MetricSpec(name="score", title="s", unit="", higher_is_better=True, category="quality"),
        "precision": MetricSpec(name="precision", title="p", unit="", higher_is_better=True, category="quality"),
    }
    return Calibration(
        dataset="moons",
        budget="smoke",
        seeds=(0, 1),
        sizes={},
        levels=levels_for(Grid25()),
        specs={name: specs[name] for name in readings},
        readings={m: {s: Reading(v) for s, v in sets.items()} for m, sets in readings.items()},
        skipped={},
    )


def test_misordered_names_inversions_beyond_seed_noise_and_skips_blind_spots():
    ladder = {"real": (1.0, 1.0), "noise-0.5mw": (0.9, 0.9), "noise-1mw": (0.95, 0.95), "noise-2mw": (0.5, 0.6)}
    probes = {"drop": (0.99, 1.0), "gaussian": (0.1, 0.1), "copies": (1.0, 1.0)}
    calibration = _calibration({"score": ladder | probes, "precision": ladder | probes})
    assert calibration.misordered("score") == [
        "noise-1mw reads better than noise-0.5mw",
        "drop is within seed noise of real",
    ]
    assert "drop" in BLIND_SPOTS["precision"]
    assert calibration.misordered("precision") == ["noise-1mw reads better than noise-0.5mw"]
    flat = _calibration({"score": {name: (0.5, 0.6) for name in ladder}})
    assert flat.misordered("score") == ["noise-2mw is within seed noise of real"]


def test_badness_reads_each_spec_direction():
    spec = MetricSpec(name="m", title="m", unit="", higher_is_better=False, reference=0.5, category="quality")
    assert spec.badness(0.45) == pytest.approx(spec.badness(0.55))
    assert spec.model_copy(update={"reference": None}).badness(0.2) == 0.2
    assert spec.model_copy(update={"reference": None, "higher_is_better": True}).badness(0.2) == -0.2


def test_json_describes_every_set_and_metric():
    data = calibrate("wine", "smoke", ["precision", "cond_accuracy"], seeds=(0, 1)).to_dict()
    assert data["levels"] == ["real", "noise-0.25sd", "noise-0.5sd", "noise-1sd"]
    assert data["probes"] == ["drop", "gaussian", "shuffled", "copies"]
    assert data["descriptions"]["noise-0.5sd"] == "held-out rows + Gaussian noise, 0.5 x each feature's std"
    assert data["sizes"] == {"test": 36, "held_out": 71, "train": 71}
    precision = data["metrics"]["precision"]
    assert precision["blind_to"] == ["drop"] and len(precision["readings"]["real"]["values"]) == 2
    assert data["metrics"]["cond_accuracy"]["blind_to"] == ["drop"]


def test_cli_prints_each_metric_curve_and_the_legend(cli):
    out = cli("metrics", "calibrate", "-d", "ring8", "-m", "hq_rate", "-m", "memorization", "--seeds", "2").stdout
    assert "ring8 (budget smoke, 2 seeds" in out and "noise-2mw" in out
    assert "noise-0.5mw: held-out rows + Gaussian noise, 0.5 x the mode width" in out
    assert "not checked (blind by design): hq_rate: drop" in out
    data = cli.json("metrics", "calibrate", "-d", "ring8", "-m", "hq_rate", "--seeds", "2")
    assert data["datasets"][0]["metrics"]["hq_rate"]["misordered"] == []
    assert "unknown dataset 'ring9'" in cli("metrics", "calibrate", "-d", "ring9", expect=2).stderr


@pytest.mark.slow
def test_stored_readings_replace_the_earlier_ones_and_read_back_in_ladder_order(cli, tmp_path):
    from advisor.store import open_store, read

    db = tmp_path / "calibrated.db"
    args = ("metrics", "calibrate", "-d", "ring8", "-m", "c2st", "-m", "hq_rate", "--seeds", "2", "--db", db)
    assert "stored 40 readings" in cli(*args).stderr  # 2 metrics x 10 sets x 2 seeds
    cli(*args)
    with open_store(db, readonly=True) as store, store.connect() as conn:
        readings = read.calibration_readings(conn, "smoke")
        assert read.calibration_readings(conn, "quick") == {}
    c2st_sets = readings["ring8"]["c2st"]
    assert [r.reference_set for r in c2st_sets] == [
        "real", "noise-0.5mw", "noise-1mw", "noise-2mw", "noise-0.25sd", "noise-0.5sd", "noise-1sd",
        "copies", "drop", "gaussian",
    ]  # fmt: skip
    assert [r.ladder_step for r in c2st_sets[:7]] == list(range(7)) and c2st_sets[-1].ladder_step is None
    assert all(len(r.values) == 2 for r in c2st_sets)  # replaced, not appended to
    assert abs(c2st_sets[0].values[0] - 0.5) < abs(c2st_sets[6].values[0] - 0.5)


def test_stored_readings_keep_their_seeds_and_leave_out_non_finite_values(tmp_path):
    from advisor.metrics.calibration import REAL
    from advisor.store import open_store, read
    from advisor.store.calibrations import save_calibration

    spec = MetricSpec(name="mmd", title="MMD", unit="", higher_is_better=False, category="quality")
    result = Calibration(
        dataset="ring8",
        budget="smoke",
        seeds=(0, 1, 2),
        sizes={},
        levels=(REAL,),
        specs={"mmd": spec},
        readings={"mmd": {"real": Reading((float("nan"), 0.2), (1, 2)), "drop": Reading((0.3,), (2,))}},
        skipped={},
    )
    with open_store(tmp_path / "c.db", create=True) as store:
        assert save_calibration(store, result) == 2  # the NaN is not stored
        with store.connect() as conn:
            stored = read.calibration_readings(conn, "smoke")["ring8"]["mmd"]
            seeds = conn.exec_driver_sql("SELECT reference_set, seed FROM calibration ORDER BY 1").fetchall()
    assert [(r.reference_set, r.values) for r in stored] == [("real", (0.2,)), ("drop", (0.3,))]
    assert seeds == [("drop", 2), ("real", 2)]  # the seed each value came from, not its position


@pytest.mark.slow
def test_table_grades_a_bench_on_the_calibration_stored_beside_it(cli, tmp_path):
    """End to end: a bench and `metrics calibrate --db` in one store; `advisor table` then grades on it."""
    db = tmp_path / "graded.db"
    cli("bench", "-f", "gmm", "-f", "kde", "-d", "ring8", "--seeds", "2", "--budget", "smoke", "--db", db)
    before = cli.json("table", "--db", db)
    assert before["quality_scale"] is None
    assert "fixed thresholds" in before["families"]["gmm"]["sample quality"]["basis"]
    cli("metrics", "calibrate", "-d", "ring8", "-m", "c2st", "--seeds", "2", "--db", db)
    after = cli.json("table", "--db", db)
    assert after["quality_scale"]["high"] == "no worse than real data with noise of 0.5 x the mode width"
    for family in ("gmm", "kde"):
        quality = after["families"][family]["sample quality"]
        assert quality["grade"] in {"excellent", "high", "medium", "low"}
        assert quality["basis"].startswith("C2ST calibrated (ring8 ")
