"""Comparing candidates across tables: ranks, Friedman, Nemenyi and Holm, checked against Demšar (2006)
and against scipy's distributions; the critical-difference diagram."""

import math
import subprocess
import sys

import pytest

from advisor.report.cd_diagram import critical_difference_diagram
from advisor.stats.distributions import chi2_sf, f_sf, nemenyi_q, normal_sf, regularized_beta, studentized_range_cdf
from advisor.stats.friedman import compare_across_tables, table_ranks

# Demšar 2006, Table 6: AUC of C4.5 with m = 0 and of C4.5 with m and/or cf tuned, on 14 data sets (in the
# paper's row order). The paper ranks the 13th row's printed tie 0.975 / 0.975 as 2 and 3 (the unrounded
# AUCs differ), so C4.5+cf carries a last digit here that orders them as the paper's ranks do.
DEMSAR_NAMES = ("C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf")
DEMSAR_AUC = (
    (0.763, 0.768, 0.771, 0.798),
    (0.599, 0.591, 0.590, 0.569),
    (0.954, 0.971, 0.968, 0.967),
    (0.628, 0.661, 0.654, 0.657),
    (0.882, 0.888, 0.886, 0.898),
    (0.936, 0.931, 0.916, 0.931),
    (0.661, 0.668, 0.609, 0.685),
    (0.583, 0.583, 0.563, 0.625),
    (0.775, 0.838, 0.866, 0.875),
    (1.000, 1.000, 1.000, 1.000),
    (0.940, 0.962, 0.965, 0.962),
    (0.619, 0.666, 0.614, 0.669),
    (0.972, 0.981, 0.97501, 0.975),
    (0.957, 0.978, 0.946, 0.970),
)
DEMSAR = {f"data set {i:02d}": dict(zip(DEMSAR_NAMES, auc, strict=True)) for i, auc in enumerate(DEMSAR_AUC, start=1)}


def test_demsar_worked_example():
    result = compare_across_tables(DEMSAR)
    ranks = {c: round(r, 3) for c, r in result.average_ranks.items()}
    assert ranks == {"C4.5": 3.143, "C4.5+m": 2.0, "C4.5+cf": 2.893, "C4.5+m+cf": 1.964}
    assert result.candidates == ("C4.5+m+cf", "C4.5+m", "C4.5+cf", "C4.5") and result.best == "C4.5+m+cf"
    assert round(result.friedman_chi2, 2) == 9.28
    assert round(result.iman_davenport_f, 2) == 3.69
    # F(3, 39) at alpha 0.05 is 2.85: the candidates differ
    assert result.differ and result.iman_davenport_p < 0.05 < chi2_sf(7.8, 3)
    assert result.critical_difference == pytest.approx(2.569 * math.sqrt(4 * 5 / (6 * 14)), abs=5e-4)
    assert round(result.critical_difference, 2) == 1.25
    # Nemenyi at 0.05: C4.5's 3.143 - 1.964 = 1.18 is under the CD, so nothing is told apart ...
    assert result.nemenyi_indistinguishable == result.candidates
    # ... at 0.10 (CD 1.12) C4.5 is worse than C4.5+m+cf, as in the paper
    at_ten = compare_across_tables(DEMSAR, alpha=0.10)
    assert round(at_ten.critical_difference, 2) == 1.12
    assert at_ten.nemenyi_indistinguishable == ("C4.5+m+cf", "C4.5+m", "C4.5+cf")
    assert at_ten.nemenyi_groups() == [("C4.5+m+cf", "C4.5+m", "C4.5+cf"), ("C4.5+cf", "C4.5")]
    assert result.wins == {"C4.5": 3, "C4.5+m": 5, "C4.5+cf": 2, "C4.5+m+cf": 7}  # data set 10: a four-way tie


def test_demsar_holm_against_the_control():
    """The paper's Holm example: C4.5 as the control; z = (R_i - R_0) / 0.488."""
    result = compare_across_tables(DEMSAR, control="C4.5")
    steps = {s.candidate: s for s in result.holm}
    assert [s.candidate for s in result.holm] == ["C4.5+m+cf", "C4.5+m", "C4.5+cf"]
    assert abs(steps["C4.5+m+cf"].z) == pytest.approx(2.415, abs=1e-3)
    assert steps["C4.5+m+cf"].p == pytest.approx(0.016, abs=5e-4) and steps["C4.5+m+cf"].threshold == 0.05 / 3
    assert abs(steps["C4.5+m"].z) == pytest.approx(2.342, abs=1e-3)
    assert steps["C4.5+m"].p == pytest.approx(0.019, abs=5e-4) and steps["C4.5+m"].threshold == 0.05 / 2
    assert steps["C4.5+m+cf"].rejected and steps["C4.5+m"].rejected and not steps["C4.5+cf"].rejected
    assert result.holm_indistinguishable == ("C4.5+cf", "C4.5")
    # against the best, Holm tells C4.5 apart (p 0.0157 < 0.05/3) and keeps the other two
    best = compare_across_tables(DEMSAR)
    assert best.control == "C4.5+m+cf"
    assert best.holm_indistinguishable == ("C4.5+m+cf", "C4.5+m", "C4.5+cf")


def test_ties_share_the_average_rank_and_direction_is_respected():
    assert table_ranks({"a": 0.9, "b": 0.7, "c": 0.9, "d": 0.1}) == {"a": 1.5, "c": 1.5, "b": 3.0, "d": 4.0}
    assert table_ranks({"a": 3.0, "b": 1.0, "c": 1.0}, higher_is_better=False) == {"b": 1.5, "c": 1.5, "a": 3.0}
    with pytest.raises(ValueError, match="NaN"):
        table_ranks({"a": math.nan, "b": 1.0})


def test_a_table_without_every_candidate_is_left_out_and_named():
    scores = {"t1": {"a": 1.0, "b": 2.0}, "t2": {"a": 1.0, "b": 3.0}, "t3": {"a": 5.0}}
    result = compare_across_tables(scores, higher_is_better=False)
    assert result.tables == ("t1", "t2") and result.left_out == {"t3": ("b",)}
    assert result.average_ranks == {"a": 1.0, "b": 2.0}
    with pytest.raises(ValueError, match="2 tables"):
        compare_across_tables({"t1": {"a": 1.0, "b": 2.0}, "t3": {"a": 5.0}})
    with pytest.raises(ValueError, match="control 'z'"):
        compare_across_tables(scores, control="z")


def test_identical_candidates_cannot_be_told_apart():
    scores = {f"t{i}": {"a": 1.0, "b": 1.0, "c": 1.0} for i in range(5)}
    result = compare_across_tables(scores)
    assert result.friedman_chi2 == 0.0 and result.friedman_p == 1.0 and not result.differ
    assert result.holm_indistinguishable == ("a", "b", "c") and result.nemenyi_groups() == [("a", "b", "c")]


def test_a_candidate_best_on_every_table_stands_alone():
    scores = {f"t{i}": {"a": 3.0, "b": 2.0 + (i % 2) * 0.5, "c": 2.25} for i in range(20)}
    result = compare_across_tables(scores)
    assert result.candidates[0] == "a" and result.wins["a"] == 20
    assert result.holm_indistinguishable == ("a",) and result.nemenyi_indistinguishable == ("a",)
    assert result.iman_davenport_f > 0 and result.iman_davenport_p < 1e-6


# Demšar 2006, Table 5a: the Nemenyi test's q_alpha for k = 2..10 (printed to 3 decimals, some rounded down)
Q_005 = (1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164)
Q_010 = (1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920)


@pytest.mark.parametrize("k", range(2, 11))
def test_nemenyi_q_matches_demsar_table_5(k):
    assert nemenyi_q(k, 0.05) == pytest.approx(Q_005[k - 2], abs=1.5e-3)
    assert nemenyi_q(k, 0.10) == pytest.approx(Q_010[k - 2], abs=1.5e-3)


def test_distributions_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    for x in (-1.0, 0.0, 0.5, 1.96, 4.0, 9.0):
        assert normal_sf(x) == pytest.approx(stats.norm.sf(x), rel=1e-12)
    for df in (1, 2, 3, 7, 15, 40):
        for x in (0.01, 0.5, 3.0, 9.28, 30.0, 120.0):
            assert chi2_sf(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-9, abs=1e-300)
    for df1, df2 in ((1, 1), (3, 39), (11, 290), (2, 5), (14, 14)):
        for x in (0.05, 0.7, 1.0, 3.69, 12.0):
            assert f_sf(x, df1, df2) == pytest.approx(stats.f.sf(x, df1, df2), rel=1e-9, abs=1e-300)
    for a, b, x in ((0.5, 0.5, 0.3), (2.0, 7.5, 0.9), (30.0, 1.5, 0.97)):
        assert regularized_beta(a, b, x) == pytest.approx(stats.beta.cdf(x, a, b), rel=1e-10)
    for k, q in ((2, 1.0), (4, 3.633), (12, 4.5), (20, 5.0)):
        assert studentized_range_cdf(q, k) == pytest.approx(stats.studentized_range.cdf(q, k, 1e7), abs=1e-6)
    for k in (12, 16, 20):  # beyond the paper's table
        expected = stats.studentized_range.ppf(0.95, k, 1e7) / math.sqrt(2)
        assert nemenyi_q(k, 0.05) == pytest.approx(expected, abs=1e-4)


@pytest.mark.slow
def test_the_statistics_import_no_numpy():
    code = (
        "import sys\n"
        "from advisor.stats.friedman import compare_across_tables\n"
        "compare_across_tables({'a': {'x': 1, 'y': 2}, 'b': {'x': 2, 'y': 1}, 'c': {'x': 1, 'y': 3}})\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'pandas', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_critical_difference_diagram_writes_a_png(tmp_path):
    path = critical_difference_diagram(compare_across_tables(DEMSAR, alpha=0.10), tmp_path / "cd.png", "C4.5")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 600 and 100 < height < width
    few = compare_across_tables(dict(list(DEMSAR.items())[:2]))  # two tables: a CD longer than the axis
    assert few.critical_difference > 3 and critical_difference_diagram(few, tmp_path / "few.png").stat().st_size
