import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.data.user import load_user_data
from advisor.errors import InputError


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_header_and_text_labels(tmp_path):
    rows = "\n".join(f"{i},{i * 2 % 7},{'ab'[i % 2]}" for i in range(50))
    dataset = load_user_data(_write(tmp_path, "My Data.csv", "x,y,kind\n" + rows), "kind")
    assert dataset.card.name.startswith("user-my-data-")
    assert dataset.card.kind == "2d" and dataset.card.classes == 2
    split = dataset.split(get_budget("smoke"), 0)
    assert split.train.shape == (40, 2) and split.test.shape == (10, 2)
    np.testing.assert_allclose(split.train.mean(0), 0, atol=1e-5)


def test_a_byte_order_mark_does_not_hide_the_header(tmp_path):
    rows = "\n".join(f"{i},{i % 7}" for i in range(60))
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeffx,y\n" + rows).encode("utf-8"))
    dataset = load_user_data(path)
    assert dataset.columns == ["x", "y"] and dataset.x.shape == (60, 2)


def test_csv_without_header_and_npy_give_the_same_dataset(tmp_path):
    x = np.random.default_rng(0).normal(size=(60, 3)).round(6)
    csv_path = _write(tmp_path, "a.csv", "\n".join(",".join(str(v) for v in row) for row in x))
    np.save(tmp_path / "a.npy", x)
    from_csv, from_npy = load_user_data(csv_path), load_user_data(tmp_path / "a.npy")
    np.testing.assert_array_equal(from_csv.x, from_npy.x)
    assert from_csv.card.name == from_npy.card.name and from_csv.card.kind == "tabular"


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("nan.csv", "a,b\n1,2\nnan,3\n", "row 3, column 'a': value 'nan' is NaN or infinite"),
        ("inf.csv", "a,b\n1,2\n3,inf\n", "row 3, column 'b'"),
        ("text.csv", "a,b\n1,2\n1,hello\n", "row 3, column 'b': 'hello' is not a number"),
        ("empty-cell.csv", "a,b\n1,2\n,3\n", "row 3, column 'a': empty cell"),
        ("ragged.csv", "a,b\n1,2\n1\n", "row 3: 1 columns, expected 2"),
        ("one-column.csv", "a\n1\n2\n", "1 feature column"),
        ("one-row.csv", "a,b\n1,2\n", "1 data rows; at least 50 are needed"),
        ("few-rows.csv", "a,b\n" + "1,2\n" * 49, "49 data rows"),
        ("empty.csv", "", "the file is empty"),
        ("data.txt", "1,2\n", "unsupported file type"),
    ],
)
def test_bad_csv_names_file_row_and_column(tmp_path, name, text, message):
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError, match="^" + str(path).replace(".", r"\.")) as info:
        load_user_data(path)
    assert message in str(info.value)


def test_missing_file_and_label_column(tmp_path):
    with pytest.raises(InputError, match="no such data file"):
        load_user_data(tmp_path / "nope.csv")
    path = _write(tmp_path, "a.csv", "a,b\n1,2\n3,4\n")
    with pytest.raises(InputError, match="no label column 'c'; columns are a, b"):
        load_user_data(path, "c")


def test_npy_refuses_pickles_and_bad_shapes(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="pickled objects are refused"):
        load_user_data(tmp_path / "obj.npy")
    (tmp_path / "text.npy").write_text("1,2\n3,4\n")
    with pytest.raises(InputError, match="not a NumPy .npy file"):
        load_user_data(tmp_path / "text.npy")
    np.save(tmp_path / "flat.npy", np.arange(5.0))
    with pytest.raises(InputError, match="expected a 2-D array"):
        load_user_data(tmp_path / "flat.npy")
    np.save(tmp_path / "nan.npy", np.array([[1.0, 2.0], [np.nan, 1.0]]))
    with pytest.raises(InputError, match="row 1, column 0"):
        load_user_data(tmp_path / "nan.npy")


def test_bench_on_user_csv_and_bad_csv_exit_code(cli, tmp_path, db):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(-2, 0.3, (200, 2)), rng.normal(2, 0.3, (200, 2))])
    path = tmp_path / "clusters.csv"
    path.write_text("u,v\n" + "\n".join(f"{a:.5f},{b:.5f}" for a, b in x))
    runs = cli.json("bench", "-f", "gmm", "--data", path, "--seeds", "1", "--budget", "smoke", "--db", db)
    [run] = runs
    assert run["status"] == "COMPLETE" and run["dataset"].startswith("user-clusters-")
    assert run["metrics"]["kl_to_truth"]["flag"] == "not-applicable"
    bad = _write(tmp_path, "bad.csv", "a,b\n1,2\n1,oops\n")
    result = cli("bench", "-f", "gmm", "--data", bad, "--budget", "smoke", "--db", db, expect=2)
    assert "bad.csv, row 3, column 'b'" in result.stderr
