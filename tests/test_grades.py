"""Quality grades on the calibrated scale: the rungs, seed noise judged by the real rows, the median."""

import pytest

from advisor.cards import MetricSpec
from advisor.rules.grades import ladder_from, legend, overall, place
from advisor.store.read import ReferenceReading

C2ST = MetricSpec(
    name="c2st", title="C2ST", category="quality", unit="", higher_is_better=False, reference=0.5, bounds=(0, 1)
)
LADDER = ladder_from(
    [
        ReferenceReading("copies", None, (0.5, 0.5, 0.5)),  # a probe, not a rung
        ReferenceReading("noise-1mw", 2, (0.66, 0.66, 0.66)),
        ReferenceReading("real", 0, (0.49, 0.50, 0.51)),
        ReferenceReading("noise-0.5mw", 1, (0.58, 0.58, 0.58)),
    ],
    C2ST,
)


@pytest.mark.parametrize(
    "badness, grade",
    [(0.005, "excellent"), (0.05, "high"), (0.075, "high"), (0.12, "medium"), (0.3, "low")],
)
def test_a_mean_distance_from_chance_falls_on_the_ladder(badness, grade):
    assert place(LADDER, badness, 3)[0] == grade


def test_a_collapsed_seed_does_not_widen_the_band_of_real_data():
    # seeds 0.00, 0.00, 0.20 from chance: mean 0.067; its own spread (0.12) must not make it "excellent"
    assert place(LADDER, 0.2 / 3, 3) == ("high", "between real data and noise-0.5mw")


def test_ladder_needs_real_rows_and_two_levels_and_the_median_leans_worse():
    assert ladder_from([ReferenceReading("real", 0, (0.5,)), ReferenceReading("noise-1sd", 1, (0.6,))], C2ST) is None
    assert LADDER.rungs == (("noise-0.5mw", pytest.approx(0.08)), ("noise-1mw", pytest.approx(0.16)))
    assert overall(["excellent", "low"]) == "low" and overall(["high", "high", "low"]) == "high"
    assert legend([LADDER])["medium"] == "no worse than real data with noise of 1 x the mode width"


def test_conditioning_is_easy_at_the_real_rows_ceiling_and_falls_back_to_a_fixed_threshold():
    from advisor.rules.evidence import Evidence, Summary
    from advisor.rules.table import _conditioning

    spec = MetricSpec(name="cond_accuracy", title="c", unit="", higher_is_better=True, category="quality")
    evidence = Evidence("quick", {"wine": {}}, {}, {"cond_accuracy": spec})
    evidence.values = {
        ("vae", "default"): {"cond_accuracy": {"wine": Summary(0.95, 0.01, 3)}},
        ("flow", "default"): {"cond_accuracy": {"wine": Summary(0.80, 0.01, 3)}},
        ("diffusion", "ddpm"): {"cond_accuracy": {"wine": Summary(0.70, 0.01, 3)}},
        ("diffusion", "ddim"): {"cond_accuracy": {"wine": Summary(0.96, 0.01, 3)}},  # its best sampler counts
    }
    conditional = {"conditioning": True}
    assert _conditioning({}, evidence, "vae") == ("no", "card: not conditional")
    # without a calibration: the fixed threshold, said so
    assert _conditioning(conditional, evidence, "flow")[0] == "moderate"
    assert "no calibration stored" in _conditioning(conditional, evidence, "vae")[1]
    evidence.ceilings = {"wine": (0.95, 0.97, 0.99)}  # real rows asked for their own labels
    grade, basis = _conditioning(conditional, evidence, "vae")
    assert grade == "easy" and basis.startswith("cond_accuracy within seed noise of real rows' on 1 of 1 datasets")
    assert "wine 0.950 vs 0.970" in basis
    assert _conditioning(conditional, evidence, "flow")[0] == "moderate"
    assert _conditioning(conditional, evidence, "diffusion")[0] == "easy"


def test_a_dataset_whose_c2st_cannot_see_its_strongest_noise_grades_no_one():
    from advisor.rules.evidence import Evidence, Summary
    from advisor.rules.grades import calibrated_quality

    flat = ladder_from(  # quick-budget wine: 36 test rows, real 0.486 and 1 sd of noise 0.485
        [
            ReferenceReading("real", 0, (0.44, 0.52, 0.50)),
            ReferenceReading("noise-0.25sd", 1, (0.47, 0.55, 0.50)),
            ReferenceReading("noise-1sd", 2, (0.43, 0.49, 0.54)),
        ],
        C2ST,
    )
    assert LADDER.sees_noise and not flat.sees_noise
    evidence = Evidence("quick", {"wine": {}, "ring8": {}}, {}, {"c2st": C2ST})
    evidence.values = {
        ("vae", "default"): {"c2st": {"wine": Summary(0.7, 0.01, 3, 0.2, 0.01), "ring8": Summary(0.5, 0, 3, 0.005, 0)}}
    }
    evidence.ladders = {"wine": flat, "ring8": LADDER}
    grade, basis = calibrated_quality(evidence, ("vae", "default"))
    assert grade == "excellent"  # from ring8 alone: a ladder that reads noise as real cannot place 0.7
    assert "not graded, C2ST there does not see its strongest noise beyond seed noise: wine" in basis
    from advisor.rules.table import _quality

    evidence.values = {("vae", "default"): {"c2st": {"wine": Summary(0.7, 0.01, 3, 0.2, 0.01)}}}
    grade, basis, calibrated = _quality(evidence, "vae")  # measured only where the ladder is blind
    assert not calibrated and basis.endswith(
        "fixed thresholds, the stored calibration's C2ST does not see noise on wine"
    )
