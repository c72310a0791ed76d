"""The table codec: columns typed as a person would, generated rows decoded valid (in range, at the file's
rounding, in its sets and formats, gaps at each column's rate), and tables read without silent misreading."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from advisor.budgets import get_budget
from advisor.data.codec import DecodeOptions
from advisor.data.user import TableOptions, describe_table, load_user_data
from advisor.errors import InputError

SMOKE = get_budget("smoke")


def _split(tmp_path, frame, options=None, name="table.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    dataset = load_user_data(path, options or TableOptions())
    return dataset, dataset.split(SMOKE, 0)


def _generated(split, n=2000, scale=0.5, seed=0):
    """Rows as a smooth model makes them: training rows drawn again, blurred in the encoded space."""
    rng = np.random.default_rng(seed)
    rows = split.train[rng.integers(0, len(split.train), n)]
    return (rows + scale * rng.standard_normal(rows.shape)).astype(np.float32)


def _filler(rows, seed=0):
    """A second column, so the table has the two encoded dimensions models need."""
    return np.random.default_rng(seed + 1).normal(10, 2, rows).round(2)


def test_ordinal_labels_are_categories_unless_named_ordinal(tmp_path):
    path = tmp_path / "grades.csv"
    grades = np.random.default_rng(0).choice(["1st", "2nd", "3rd", "10th"], 80)
    pd.DataFrame({"grade": grades, "x": _filler(80)}).to_csv(path, index=False)
    schema, _ = describe_table(path)
    assert (schema.column("grade").kind, schema.column("grade").sdtype) == ("categorical", "categorical")
    ordinal, _ = describe_table(path, TableOptions(ordinal=("grade",)))
    assert ordinal.column("grade").kind == "ordinal" and ordinal.column("grade").levels == ("1st", "2nd", "3rd", "10th")
    dataset = load_user_data(path, TableOptions(ordinal=("grade",)))
    decoded = dataset.split(SMOKE, 0).encoder.decode(_generated(dataset.split(SMOKE, 0), scale=2.0))
    assert set(decoded["grade"]) <= {"1st", "2nd", "3rd", "10th"}


def test_text_that_looks_like_dates_in_a_few_rows_stays_categorical(tmp_path):
    path = tmp_path / "codes.csv"
    codes = ["2020-01-05"] * 3 + ["north", "south", "east"] * 20
    pd.DataFrame({"code": codes, "x": _filler(63)}).to_csv(path, index=False)
    schema, _ = describe_table(path)
    assert schema.column("code").kind == "categorical"


def test_dates_round_trip_in_the_files_format_and_range(tmp_path):
    days = np.random.default_rng(0).integers(0, 900, 300)
    opened = (pd.Timestamp("2012-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y/%m/%d")
    frame = pd.DataFrame({"opened": opened, "x": _filler(300)})
    dataset, split = _split(tmp_path, frame)
    column = dataset.schema.column("opened")
    assert (column.kind, column.format, column.low, column.high) == ("datetime", "%Y/%m/%d", min(opened), max(opened))
    codec = split.encoder
    train = codec.as_written(codec.decode(split.train))["opened"]
    assert train.tolist() == frame["opened"].iloc[split.train_table.index].tolist()  # the file's own text
    generated = codec.as_written(codec.decode(_generated(split, scale=1.0)))["opened"]
    assert generated.str.fullmatch(r"\d{4}/\d{2}/\d{2}").all()
    assert generated.min() >= min(opened) and generated.max() <= max(opened)


def test_a_non_negative_column_never_decodes_negative_and_the_clipping_is_counted(tmp_path):
    rain = np.random.default_rng(0).exponential(2.0, 400).round(1)
    rain[:120] = 0.0  # dry days: many values at the boundary
    dataset, split = _split(tmp_path, pd.DataFrame({"rain": rain, "x": _filler(400)}))
    codec, generated = split.encoder, _generated(split, scale=1.0)
    decoded, repairs = codec.decode_with_repairs(generated)
    assert decoded["rain"].min() >= 0 and decoded["rain"].max() <= rain.max()
    assert repairs.clipped["rain"] > 0 and "clipped into the file's range" in repairs.lines()[0]
    assert codec.validity(generated) < 1.0 == codec.validity(split.train)
    unclipped = codec.decode(generated, DecodeOptions(enforce_min_max_values=False))
    assert (unclipped["rain"] < 0).sum() == pytest.approx(repairs.clipped["rain"], abs=repairs.clipped["rain"])


def test_a_one_decimal_column_with_a_few_noisy_values_decodes_at_one_decimal(tmp_path):
    ages = np.random.default_rng(0).uniform(1, 80, 500).round(1).astype(object)
    ages[:9] = [0.9167, 0.4167, 0.8333, 0.1667, 0.6667, 0.75, 0.92, 40.099999999999994, 3.3000000000000003]  # 9 of 500
    dataset, split = _split(tmp_path, pd.DataFrame({"age": ages, "x": _filler(500)}))
    assert dataset.schema.column("age").decimals == 1
    decoded = split.encoder.decode(_generated(split))
    tenths = decoded["age"].dropna().to_numpy() * 10
    np.testing.assert_allclose(tenths, np.round(tenths), atol=1e-6)
    raw = split.encoder.decode(_generated(split), DecodeOptions(enforce_rounding=False))["age"] * 10
    assert not np.allclose(raw, np.round(raw))  # the rounding is the codec's, switchable


def test_a_column_of_eleven_loan_terms_decodes_into_the_set(tmp_path):
    terms = (6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 72)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"term": rng.choice(terms, 600), "x": _filler(600)})
    dataset, split = _split(tmp_path, frame)
    column = dataset.schema.column("term")
    assert (column.kind, column.values) == ("discrete", tuple(float(t) for t in terms))
    decoded = split.encoder.decode(_generated(split, scale=1.0))
    assert set(decoded["term"]) <= set(terms) and len(set(decoded["term"])) == len(terms)


@pytest.mark.parametrize("column", ["debt", "home"])
def test_a_column_with_one_gap_in_two_thousand_rows_decodes_with_about_that_rate(tmp_path, column):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"debt": rng.exponential(400, 2000).round(), "home": rng.choice(["rent", "own"], 2000)})
    frame.loc[7, column] = np.nan
    frame["x"] = _filler(2000)
    dataset, split = _split(tmp_path, frame)
    generated = _generated(split, n=2000, scale=0.5)
    unrepaired = split.encoder.decode(generated, DecodeOptions(enforce_gap_rate=False))[column].isna().sum()
    decoded, repairs = split.encoder.decode_with_repairs(generated)
    assert unrepaired > 10  # a blurred model misplaces the rare gap (a fixed share whatever the column's rate)
    assert decoded[column].isna().sum() <= 3 and repairs.gaps[column] == (unrepaired, decoded[column].isna().sum())


def test_identifiers_decode_unique_in_their_own_form(tmp_path):
    rng = np.random.default_rng(0)
    names = [f"{a}, Mr. {b}" for a, b in zip(rng.choice(["Braund", "Allen", "Moran"], 300), range(300), strict=True)]
    frame = pd.DataFrame(
        {
            "loan": [f"LN-{i:06d}" for i in rng.permutation(300) + 1000],
            "name": names,
            "x": _filler(300),
            "y": _filler(300, 1),
        }
    )
    dataset, split = _split(tmp_path, frame)
    assert dataset.schema.column("loan").sdtype == dataset.schema.column("name").sdtype == "id"
    decoded = split.encoder.decode(_generated(split, n=500))
    assert decoded["loan"].is_unique and decoded["loan"].str.fullmatch(r"LN-00\d{4}").all()
    assert decoded["name"].is_unique and decoded["name"].str.fullmatch(r"[A-Z][a-z]+, Mr\. \d+").all()


def test_dropped_columns_are_absent(tmp_path):
    frame = pd.DataFrame({"keep": _filler(80), "secret": ["a", "b"] * 40, "x": _filler(80, 1)})
    dataset, split = _split(tmp_path, frame, TableOptions(drop=("secret",)))
    assert dataset.schema.column("secret").kind == "dropped"
    assert list(split.encoder.decode(split.test).columns) == ["keep", "x"]


def test_describe_gives_a_range_for_every_number_and_date(cli, tmp_path):
    days = pd.Timestamp("2020-03-01") + pd.to_timedelta(np.arange(60), unit="D")
    frame = pd.DataFrame({"when": days.strftime("%d.%m.%Y"), "w": _filler(60), "n": np.arange(60) % 7})
    path = tmp_path / "ranges.csv"
    frame.to_csv(path, index=False)
    columns = {c["name"]: c for c in cli.json("data", "describe", path)["columns"]}
    assert (columns["when"]["low"], columns["when"]["high"]) == ("01.03.2020", "29.04.2020")
    assert (columns["w"]["low"], columns["w"]["high"]) == (frame["w"].min(), frame["w"].max())
    assert (columns["n"]["low"], columns["n"]["high"], columns["n"]["sdtype"]) == (0, 6, "numerical")


def test_dates_mixing_day_first_and_month_first_are_refused_naming_both(tmp_path):
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, 1000), unit="D")
    written = [d.strftime("%m/%d/%Y" if i % 12 == 0 else "%d/%m/%Y") for i, d in enumerate(days)]
    path = tmp_path / "mixed-dates.csv"
    pd.DataFrame({"when": written, "x": _filler(1000)}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"mixes day-first dates \(row \d+: .*\) and month-first dates \(row \d+"):
        describe_table(path)


def test_dates_that_read_both_ways_are_read_month_first_with_a_caveat_or_day_first_when_told(tmp_path):
    written = [f"{d:02d}/{m:02d}/2021" for d, m in zip(np.arange(60) % 12 + 1, np.arange(60) // 5 + 1, strict=True)]
    path = tmp_path / "ambiguous.csv"
    pd.DataFrame({"when": written, "x": _filler(60)}).to_csv(path, index=False)
    schema, _ = describe_table(path)
    assert schema.column("when").format == "%m/%d/%Y"
    assert any("reads both day-first and month-first" in note and "--dayfirst" in note for note in schema.notes)
    dayfirst, _ = describe_table(path, TableOptions(dayfirst=True))
    assert dayfirst.column("when").format == "%d/%m/%Y"


def test_a_number_column_with_stray_tokens_is_numbers_with_those_cells_missing(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(50, 10, 1000).round(2).astype(object)
    stray = rng.choice(1000, 100, replace=False)
    values[stray] = rng.choice(["n/a", "?", "-"], 100)
    path = tmp_path / "stray.csv"
    pd.DataFrame({"value": values, "x": _filler(1000)}).to_csv(path, index=False)
    dataset = load_user_data(path)
    column = dataset.schema.column("value")
    assert (column.kind, column.missing) == ("continuous", 100)  # pandas reads 'n/a' as missing; '-' and '?' too now
    assert any("'value': 72 cells held '-', '?'" in note and "read as missing" in note for note in dataset.schema.notes)
    assert dataset.card.dims == 4  # the value, its gap indicator (2) and x: not hundreds of levels


def test_a_ten_thousand_level_column_keeps_its_most_frequent_levels_and_says_so(tmp_path):
    rng = np.random.default_rng(0)
    cities = np.concatenate([[f"city {i}" for i in range(10_000)], rng.choice(["A", "B", "C"], 10_000)])
    path = tmp_path / "cities.csv"
    pd.DataFrame({"city": cities, "x": _filler(20_000)}).to_csv(path, index=False)
    dataset = load_user_data(path)
    column = dataset.schema.column("city")
    assert column.kind == "categorical" and len(column.levels) == 50 and column.levels[-1] == "(other)"
    assert "the 49 most frequent levels kept, the other 9954" in column.reason
    assert any(note.startswith("'city' has 10003 levels") and "--drop 'city'" in note for note in dataset.schema.notes)
    decoded = dataset.split(SMOKE, 0).encoder.decode(_generated(dataset.split(SMOKE, 0), n=300))
    assert set(decoded["city"]) <= set(cities) and "(other)" not in set(decoded["city"])


def test_levels_kept_among_equal_counts_follow_their_text_not_the_row_order():
    from advisor.data.codec.categories import Categorical

    # 60 levels seen twice each, written in reverse order: the 49 kept are the first 49 by text
    names = [f"level {i:02d}" for i in range(60)][::-1]
    codec = Categorical("c", "text", 0, 120)
    codec.fit(pd.Series(names * 2))
    assert codec.own[:-1] == tuple(f"level {i:02d}" for i in range(49)) and codec.own[-1] == "(other)"


def test_duplicate_headers_are_refused_naming_both_positions(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("a,x,b,x\n" + "1,2,3,4\n" * 60)
    with pytest.raises(InputError, match="columns 2 and 4 are both named 'x'"):
        describe_table(path)


def test_a_wide_table_is_read_without_a_flood_of_warnings(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "wide.csv"
    pd.DataFrame(rng.normal(size=(60, 2000)).round(3), columns=[f"c{i}" for i in range(2000)]).to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = load_user_data(path)
        dataset.split(SMOKE, 0)
    assert dataset.card.dims == 2000


def test_validity_and_repairs_are_metrics_of_a_run(tmp_path):
    from advisor.metrics import EvaluationContext, get_metric
    from advisor.plugins import load_registry

    rain = np.random.default_rng(0).exponential(2.0, 400).round(1)
    dataset, split = _split(tmp_path, pd.DataFrame({"rain": rain, "x": _filler(400)}))
    card = load_registry().family("gmm").card
    real, blurred = (
        EvaluationContext(dataset, split, card, rows) for rows in (split.test, _generated(split, scale=1.0))
    )
    validity, repaired = get_metric("validity"), get_metric("repaired_cells")
    assert validity.compute(real) == 1.0 and repaired.compute(real) == 0.0
    assert validity.compute(blurred) < 0.9 and repaired.compute(blurred) > 0.05
    ring = load_registry().dataset("ring8")()
    assert "no table codec" in validity.not_applicable(EvaluationContext(ring, ring.split(SMOKE, 0), card, split.test))


def test_the_column_kind_switch_lives_in_the_codec_package_only():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "advisor"
    kinds = "continuous|integer|discrete|identifier|constant|duplicate|dropped"  # kinds that are not sdtypes
    switch = re.compile(rf"""(?<!dtype)(?<!card)\.kind\s*(==|!=|in\b)|(==|!=)\s*["']({kinds})["']""")
    offenders = [
        str(path.relative_to(root))
        for path in [*root.glob("data/*.py"), root / "evaluate" / "columns.py", root / "metrics" / "tabular.py"]
        if switch.search(path.read_text())
    ]
    assert offenders == []
