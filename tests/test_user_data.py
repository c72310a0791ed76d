"""A user's table is read as written (separator, decimal mark, encoding), typed column by column, has
its gaps handled by a stated policy, and errors name the file, row and column."""

import numpy as np
import pandas as pd
import pytest

from advisor.budgets import get_budget
from advisor.data.user import TableOptions, describe_table, load_user_data
from advisor.errors import InputError


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def mixed_table(rows=120, seed=0):
    """Text categories, booleans, integers, a date, floats, an id, a constant and missing cells."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": [f"row-{i:04d}" for i in range(rows)],
            "species": rng.choice(["Adelie", "Gentoo", "Chinstrap"], rows),
            "member": rng.choice(["true", "false"], rows),
            "count": rng.integers(0, 6, rows),
            "seen": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, rows), unit="D"),
            "mass": rng.normal(4000, 500, rows).round(1),
            "site": ["north"] * rows,
        }
    )
    frame["seen"] = frame["seen"].dt.strftime("%Y-%m-%d")
    frame.loc[rng.choice(rows, 5, replace=False), "mass"] = np.nan
    frame.loc[rng.choice(rows, 4, replace=False), "species"] = None
    return frame


def test_column_kinds_are_inferred_and_explained(tmp_path):
    path = tmp_path / "mixed.csv"
    mixed_table().to_csv(path, index=False)
    schema, report = describe_table(path)
    kinds = {c.name: (c.kind, c.sdtype) for c in schema.columns}
    assert kinds == {
        "id": ("identifier", "id"),
        "species": ("categorical", "categorical"),
        "member": ("boolean", "boolean"),
        "count": ("integer", "numerical"),
        "seen": ("datetime", "datetime"),
        "mass": ("continuous", "numerical"),
        "site": ("constant", "categorical"),
    }
    assert schema.column("species").levels == ("(missing)", "Adelie", "Chinstrap", "Gentoo")[1:] + ("(missing)",)
    assert any("'site' (constant" in note and "'id' (identifier" in note for note in schema.notes)
    assert any("9 missing cells in 9 rows" in note for note in schema.notes)
    assert report.describe() == "CSV, ','-separated, decimal point, utf-8-sig"


def test_split_encoding_and_decoding_round_trip_the_schema(tmp_path):
    path = tmp_path / "mixed.csv"
    original = mixed_table()
    original.to_csv(path, index=False)
    dataset = load_user_data(path)
    split = dataset.split(get_budget("smoke"), 0)
    assert split.train.shape == (96, dataset.card.dims) and split.test.shape[0] == 24
    np.testing.assert_allclose(split.train.mean(0), 0, atol=1e-5)
    decoded = split.encoder.decode(split.train)  # the training rows themselves decode exactly
    assert list(decoded.columns) == list(original.columns)
    assert set(decoded["species"].dropna()) <= {"Adelie", "Gentoo", "Chinstrap"}
    assert decoded["species"].isna().sum() > 0 or original["species"].isna().sum() == 0
    assert (decoded["site"] == "north").all() and decoded["id"].is_unique
    assert decoded["id"].str.fullmatch(r"row-0\d{3}").all()  # identifiers in their own form
    assert decoded["count"].dtype == "Int64" and decoded["seen"].dtype.kind == "M"
    assert "one-hot, dequantized" in dataset.card.encoding


def test_semicolon_decimal_comma_latin1_file_is_read_as_written(tmp_path):
    rows = "\n".join(f"{i};{i * 0.5:.1f};Zürich".replace(".", ",") for i in range(60))
    path = _write(tmp_path, "europe.csv", "n;wert;ort\n" + rows, encoding="latin-1")
    frame_schema, report = describe_table(path)
    assert (report.sep, report.decimal) == (";", ",") and report.encoding in ("cp1252", "latin-1")
    assert frame_schema.column("wert").kind == "continuous"


@pytest.mark.parametrize(
    "options, expect",
    [
        (TableOptions(missing="refuse"), "row 2, column 'mass': missing value"),
        (TableOptions(categorical=("nope",)), "--categorical 'nope': no such column"),
    ],
)
def test_missing_policy_and_overrides(tmp_path, options, expect):
    path = tmp_path / "mixed.csv"
    table = mixed_table()
    table.loc[0, "mass"] = np.nan
    table.to_csv(path, index=False)
    with pytest.raises(InputError, match=expect):
        load_user_data(path, options)


def test_drop_policy_and_categorical_override(tmp_path):
    path = tmp_path / "mixed.csv"
    mixed_table().to_csv(path, index=False)
    dataset = load_user_data(path, TableOptions(missing="drop", categorical=("count",), drop=("member",)))
    assert dataset.schema.rows_dropped == 9 and len(dataset.frame) == 111
    assert dataset.schema.column("count").kind == "categorical" and dataset.schema.column("member").kind == "dropped"


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("text.csv", "a,b\n" + "1,2\n" * 30 + "1,hello\n", "row 32, column 'b': 'hello' is not a number"),
        ("inf.csv", "a,b\n" + "1,2\n" * 30 + "3,inf\n", "row 32, column 'b': value inf is infinite"),
        ("ragged.csv", "a,b\n1,2\n1,2,3\n", "row 3: 3 columns, expected 2"),
        ("all-missing.csv", "a,b,c\n" + "".join(f"{i}.5,,{i}.25\n" for i in range(60)), "a: continuous"),
        ("one-column.csv", "a\n" + "".join(f"{i}.5\n" for i in range(60)), "1 modelled column"),
        ("few-rows.csv", "a,b\n" + "".join(f"{i}.5,{i}.25\n" for i in range(49)), "49 data rows"),
        ("empty.csv", "", "the file is empty"),
        ("data.json", "1,2\n", "unsupported file type"),
    ],
)
def test_bad_files_name_file_row_and_column(tmp_path, name, text, message):
    path = _write(tmp_path, name, text)
    if message == "a: continuous":  # not an error: the empty column is left out, the rest modelled
        schema, _ = describe_table(path)
        assert schema.column("b").kind == "constant" and schema.column("b").reason == "no value at all"
        return
    with pytest.raises(InputError, match="^" + str(path).replace(".", r"\.")) as info:
        load_user_data(path)
    assert message in str(info.value)


def test_a_wrong_encoding_names_the_row(tmp_path):
    path = _write(tmp_path, "latin.csv", "a,b\n1,x\n2,caf\xe9\n", encoding="latin-1")
    with pytest.raises(InputError, match="row 3: byte 0xe9 is not valid utf-8"):
        load_user_data(path, TableOptions(encoding="utf-8"))


def test_csv_and_npy_give_the_same_numbers(tmp_path):
    x = np.random.default_rng(0).normal(size=(60, 3)).round(6)
    pd.DataFrame(x, columns=[f"column {i}" for i in range(3)]).to_csv(tmp_path / "a.csv", index=False)
    np.save(tmp_path / "a.npy", x)
    from_csv, from_npy = load_user_data(tmp_path / "a.csv"), load_user_data(tmp_path / "a.npy")
    np.testing.assert_array_equal(from_csv.frame.to_numpy(), from_npy.frame.to_numpy())
    assert from_csv.card.kind == "tabular"


def test_npy_refuses_pickles_and_bad_shapes(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="pickled objects are refused"):
        load_user_data(tmp_path / "obj.npy")
    np.save(tmp_path / "flat.npy", np.arange(5.0))
    with pytest.raises(InputError, match="expected a 2-D array"):
        load_user_data(tmp_path / "flat.npy")


def test_labels_from_a_text_column(tmp_path):
    rows = "\n".join(f"{i * 3 % 11},{i * 2 % 7 + 0.5},{'ab'[i % 2]}" for i in range(50))
    dataset = load_user_data(_write(tmp_path, "My Data.csv", "x,y,kind\n" + rows), "kind")
    assert dataset.card.name.startswith("user-my-data-") and dataset.card.classes == 2
    with pytest.raises(InputError, match="no label column 'c'"):
        load_user_data(tmp_path / "My Data.csv", "c")


def test_bench_describe_and_generate_round_trip(cli, tmp_path, db):
    path = tmp_path / "mixed.csv"
    original = mixed_table(rows=200)
    original.to_csv(path, index=False)
    described = cli.json("data", "describe", path)
    assert described["columns"][0]["kind"] == "identifier" and "encoded dims" in described["encoding"]
    runs = cli.json("bench", "-f", "gmm", "--data", path, "--seeds", "1", "--budget", "smoke", "--db", db)
    assert [r["status"] for r in runs] == ["COMPLETE"] and runs[0]["dataset"].startswith("user-mixed-")
    out = tmp_path / "synthetic.csv"
    cli("generate", "--family", "gmm", "--data", path, "-n", "50", "--out", out, "--budget", "smoke")
    synthetic = pd.read_csv(out)
    assert list(synthetic.columns) == list(original.columns) and len(synthetic) == 50
    assert set(synthetic["species"].dropna()) <= {"Adelie", "Gentoo", "Chinstrap"}
    assert pd.to_datetime(synthetic["seen"]).notna().all() and (synthetic["site"] == "north").all()
    assert pd.to_datetime(synthetic["seen"]).dt.year.between(2023, 2026).all()  # near the file's dates, not in 1970
    bad = _write(tmp_path, "bad.csv", "a,b\n" + "1,2\n" * 30 + "1,oops\n")
    result = cli("bench", "-f", "gmm", "--data", bad, "--budget", "smoke", "--db", db, expect=2)
    assert "bad.csv, row 32, column 'b'" in result.stderr


def test_dates_with_mixed_utc_offsets_are_one_clock(tmp_path):
    """A column mixing offsets (+02:00, -05:00) is read as dates on UTC, not refused with an internal error."""
    lines = ["when,x"] + [
        f"2024-05-{1 + i % 28:02d}T04:00:00{'+02:00' if i % 2 else '-05:00'},{i % 7}.5" for i in range(60)
    ]
    path = _write(tmp_path, "tz.csv", "\n".join(lines) + "\n")
    schema, _ = describe_table(path)
    assert schema.column("when").kind == "datetime"
    split = load_user_data(path).split(get_budget("smoke"), 0)
    hours = split.encoder.original_columns(split.train_table)["when"].dt.hour
    assert set(hours) <= {2, 9}  # 04:00+02:00 is 02:00 UTC, 04:00-05:00 is 09:00 UTC
