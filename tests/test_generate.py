"""`advisor generate`: every family's default sampler, and no cell a spreadsheet would run as a formula."""

import numpy as np
import pandas as pd
import pytest

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0"]


@pytest.fixture
def formula_csv(tmp_path):
    """A text column whose every level a spreadsheet would run, beside numbers that are negative."""
    rng = np.random.default_rng(0)
    rows = 120
    frame = pd.DataFrame(
        {
            "label": rng.choice(FORMULAS, rows),
            "code": rng.choice(["-1", "-2", "3"], rows),  # text that is a plain number: shown as that number
            "delta": rng.normal(-3.5, 0.5, rows).round(2),  # negative numbers: never escaped
        }
    )
    path = tmp_path / "formulas.csv"
    frame.to_csv(path, index=False)
    return path


def test_text_cells_that_start_a_formula_are_written_escaped_unless_raw(cli, formula_csv, tmp_path):
    out, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    common = ("generate", "-f", "gmm", "--data", formula_csv, "-n", "200", "--budget", "smoke", "--categorical", "code")
    result = cli(*common, "--out", out)
    safe = pd.read_csv(out, dtype={"label": str, "code": str})
    assert (safe["label"].str[0] == "'").all()
    assert set(safe["label"].str[1:]) <= set(FORMULAS)
    assert "200 text cell(s) start with = + - @" in result.stderr and "leading '" in result.stderr
    assert set(safe["code"]) <= {"-1", "-2", "3"}  # numbers written as text stay numbers
    assert safe["delta"].dtype == float and (safe["delta"] < 0).mean() > 0.9  # negative numbers as generated
    result = cli(*common, "--out", raw, "--raw-cells")
    assert set(pd.read_csv(raw)["label"]) <= set(FORMULAS) and "--raw-cells" in result.stderr


def test_spreadsheet_safe_escapes_text_only():
    from advisor.cli.generate_cmd import spreadsheet_safe

    frame = pd.DataFrame(
        {
            "text": ["=1+1", "\tx", "\r=2", "@a", "-a", "+1e3", "-3.5", "plain", None],
            "number": [-3.5, -1.0, 2.0, -4.0, 0.0, 1.0, 2.0, 3.0, np.nan],
            "count": pd.array([-1, 2, 3, -4, 5, 6, 7, 8, None], dtype="Int64"),
        }
    )
    safe, escaped = spreadsheet_safe(frame)
    assert safe["text"].tolist()[:8] == ["'=1+1", "'\tx", "'\r=2", "'@a", "'-a", "+1e3", "-3.5", "plain"]
    assert pd.isna(safe["text"].iloc[8]) and escaped == 5
    pd.testing.assert_frame_equal(safe[["number", "count"]], frame[["number", "count"]])
    assert frame["text"].iloc[0] == "=1+1"  # the caller's frame is left as it was


def test_generate_uses_each_familys_first_sampler_by_default(cli, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "blobs.csv"
    pd.DataFrame(rng.normal(size=(120, 2)), columns=["a", "b"]).to_csv(path, index=False)
    out = tmp_path / "diffusion.csv"
    result = cli("generate", "-f", "diffusion", "--data", path, "-n", "20", "--budget", "smoke", "--out", out)
    assert result.exit_code == 0 and len(pd.read_csv(out)) == 20
    bad = cli("generate", "-f", "gmm", "--data", path, "--sampler", "ddim-50", "--out", out, expect=2)
    assert "gmm has no sampler 'ddim-50'; its samplers: default" in bad.stderr


def test_the_next_step_command_recommend_prints_runs_as_printed(cli, formula_csv):
    """The `advisor generate` line `recommend --data` prints for a winner (a variant, a sampler other than
    the first, table options) runs as printed."""
    import shlex

    from advisor.cli.recommend_cmd import _generate_commands
    from advisor.data.user import TableOptions
    from advisor.rules.answer import Answer, RankedCandidate
    from advisor.runner.user_data import MeasureRequest

    request = MeasureRequest(str(formula_csv), TableOptions(categorical=("code",), drop=("delta",)), budget="smoke")
    winner = RankedCandidate(
        family="diffusion@layers=2",
        sampler="dpm-solver-20",
        label="diffusion@layers=2 (dpm-solver-20)",
        rank=1,
        score=1.0,
        need_scores={},
        objectives={},
        runs=3,
    )
    answer = Answer(needs=[], budget="smoke", datasets=[], ranked=[winner], winners=[winner.label])
    [printed] = _generate_commands(answer, request)
    words = shlex.split(printed)
    assert words[:2] == ["advisor", "generate"] and "--sampler" in words
    cli(*words[1:])
    synthetic = pd.read_csv("synthetic.csv", dtype=str)
    assert len(synthetic) == 1000 and list(synthetic.columns) == ["label", "code"]  # --drop delta: absent
