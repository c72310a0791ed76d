"""A family that models a table's own columns (as SDV's synthesizers do) is handed the training rows as
the table has them — text categories, whole numbers, dates, gaps — and its rows are encoded exactly as
the real rows are, so the metrics compare it with every other family in one encoding."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advisor.budgets import get_budget
from advisor.data.codec import DecodeOptions
from advisor.data.user import load_user_data
from advisor.evaluate.protocol import evaluate_cell
from advisor.plugins import load_registry
from advisor.store.status import RunStatus
from tests.test_user_data import mixed_table

TABLE_PLUGINS = Path(__file__).parent / "fixture_table_plugins"


@pytest.fixture
def mixed_csv(tmp_path):
    path = tmp_path / "mixed.csv"
    mixed_table(rows=200).to_csv(path, index=False)
    return path


def test_the_training_rows_come_back_in_their_own_columns_exactly(mixed_csv):
    original = pd.read_csv(mixed_csv)
    split = load_user_data(mixed_csv).split(get_budget("smoke"), 0)
    table = split.encoder.original_columns(split.train_table)
    rows = original.loc[split.train_table.index]
    assert list(table.columns) == ["species", "member", "count", "seen", "mass"]  # no id, constant, indicator
    assert table["species"].isna().sum() == rows["species"].isna().sum() > 0  # gaps are gaps again
    assert table["species"].dropna().tolist() == rows["species"].dropna().tolist()
    assert table["count"].dtype == "Int64" and table["count"].tolist() == rows["count"].tolist()
    assert table["seen"].dtype.kind == "M"
    assert (table["seen"].to_numpy() == pd.to_datetime(rows["seen"]).to_numpy()).all()
    np.testing.assert_array_equal(table["mass"].to_numpy(float), rows["mass"].to_numpy(float))  # NaN included


def test_rows_in_the_tables_columns_are_encoded_like_the_real_rows(mixed_csv):
    split = load_user_data(mixed_csv).split(get_budget("smoke"), 0)
    encoder = split.encoder
    table = encoder.original_columns(split.train_table)
    encoded = encoder.encode_columns(table, np.random.default_rng(0))
    assert encoded.shape == split.train.shape and encoded.dtype == np.float32
    pd.testing.assert_frame_equal(
        encoder.decode(encoded)[encoder.column_names], encoder.decode(split.train)[encoder.column_names]
    )
    refused = {
        "not one of its levels": table.assign(species="Emperor"),
        "lack column(s) 'mass'": table.drop(columns="mass"),
        "'count' has missing cells; the table's has none": table.assign(count=pd.NA),
        "'mass' has 'heavy', not a continuous value": table.assign(mass="heavy"),  # mass has gaps: not one
        "'seen' has 'soon', not a datetime value": table.assign(seen="soon"),
    }
    no_mass = encoder.encode_columns(table.assign(mass=np.nan), np.random.default_rng(0))  # every cell a gap
    assert np.isfinite(no_mass).all()
    assert encoder.decode(no_mass, DecodeOptions(enforce_gap_rate=False))["mass"].isna().all()
    decoded, repairs = encoder.decode_with_repairs(no_mass)  # by default, gaps at the column's own rate (5 in 200)
    assert decoded["mass"].isna().sum() == round(len(no_mass) * 5 / 200) and repairs.gaps["mass"][0] == len(no_mass)
    for message, rows in refused.items():
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            encoder.encode_columns(rows, np.random.default_rng(0))


def test_a_columns_family_is_measured_through_the_shared_encoding():
    from advisor.plugins import load_registry

    registry = load_registry(TABLE_PLUGINS)
    penguins = registry.dataset("penguins")()
    default, unknown = evaluate_cell(registry, "column-marginals", penguins, get_budget("smoke"), 0, "cpu")
    assert default.status == RunStatus.COMPLETE and default.fit["notes"] == "DataFrame"
    values = {m.name: m.value for m in default.metrics}
    assert values["column_shapes"] > 0.9  # independent marginals: each column's shape is right,
    assert values["column_pairs"] < values["column_shapes"] - 0.05  # the pairs are not: the metric sees it
    assert unknown.status == RunStatus.INVALID and "'island' has 'a level nobody saw'" in unknown.error
    wine = registry.dataset("wine")()  # an all-numeric array: the family gets it as every family does
    [array_run, _] = evaluate_cell(registry, "column-marginals", wine, get_budget("smoke"), 0, "cpu")
    assert array_run.status == RunStatus.COMPLETE and array_run.fit["notes"] == "ndarray"


def test_generate_writes_a_columns_familys_rows_in_the_files_schema(cli, mixed_csv, tmp_path):
    out = tmp_path / "synthetic.csv"
    cli(
        "--plugins-dir",
        TABLE_PLUGINS,
        "generate",
        "-f",
        "column-marginals",
        "--data",
        mixed_csv,
        "-n",
        "40",
        "--out",
        out,
    )
    synthetic, original = pd.read_csv(out), pd.read_csv(mixed_csv)
    assert list(synthetic.columns) == list(original.columns) and len(synthetic) == 40
    assert set(synthetic["species"].dropna()) <= set(original["species"].dropna())
    assert set(synthetic["count"]) <= set(original["count"]) and (synthetic["site"] == "north").all()


def test_a_columns_family_may_not_claim_a_likelihood(tmp_path):
    source = (TABLE_PLUGINS / "marginals.py").read_text().replace('likelihood="none"', 'likelihood="exact"')
    (tmp_path / "claims_density.py").write_text(source)
    [broken] = load_registry(tmp_path).broken
    assert "models a table's own columns" in broken.error and "declare likelihood 'none'" in broken.error


def test_the_conformance_kit_checks_a_columns_family_on_a_mixed_table():
    from advisor.testing import FamilyCheckError, check_samples, check_seed_determinism

    family = load_registry(TABLE_PLUGINS).family("column-marginals")
    check_seed_determinism(family)
    with pytest.raises(FamilyCheckError, match="'unknown-level'.* on penguins: .*'island' has 'a level nobody saw'"):
        check_samples(family)


def test_a_copied_row_with_a_gap_is_the_same_row_once_the_noise_is_taken_out(mixed_csv):
    """Generated gaps are filled as the file's were (its median), so a copy of a training row with a
    missing number lands on that row when the dequantization noise is taken out (memorization)."""
    split = load_user_data(mixed_csv).split(get_budget("smoke"), 0)
    encoder = split.encoder
    table = encoder.original_columns(split.train_table)
    gaps = np.flatnonzero(table["mass"].isna().to_numpy())
    assert len(gaps) > 0
    copies = encoder.encode_columns(table.iloc[gaps].reset_index(drop=True), np.random.default_rng(5))
    np.testing.assert_allclose(encoder.requantized(copies), encoder.requantized(split.train[gaps]), atol=1e-5)
