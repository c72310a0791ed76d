"""`advisor bench -f sdv-tvae -d wine --seeds 3 --budget smoke` completes every run."""

import json
import subprocess
import sys

CLI = "from advisor.cli import main; main()"  # the interpreter running the tests, wherever `advisor` is


def _advisor(*args: str) -> str:
    result = subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_bench_sdv_tvae_on_wine_completes(tmp_path):
    db = str(tmp_path / "sdv.db")
    _advisor("bench", "-f", "sdv-tvae", "-d", "wine", "--seeds", "3", "--budget", "smoke", "--db", db)
    runs = json.loads(_advisor("results", "export", "--format", "json", "--db", db))
    assert sorted((r["family"], r["dataset"], r["seed"], r["status"]) for r in runs) == [
        ("sdv-tvae", "wine", seed, "COMPLETE") for seed in range(3)
    ]
    assert all(r["metrics"]["c2st"] is not None for r in runs)


def test_on_a_mixed_table_sdv_models_its_own_columns(tmp_path):
    """Penguins' text categories, whole numbers and gaps reach SDV as they are, typed by SDV's detection;
    its rows are encoded like the real ones and scored on the same metrics."""
    db = str(tmp_path / "sdv.db")
    _advisor("bench", "-f", "sdv-copula", "-d", "penguins", "--seeds", "1", "--budget", "smoke", "--db", db)
    run = json.loads(_advisor("results", "show", "1", "--json", "--db", db))
    assert run["status"] == "COMPLETE", run
    sdtypes = run["fit"]["selected"]["sdtypes"]
    assert sdtypes["island"] == sdtypes["sex"] == "categorical" and sdtypes["bill_length_mm"] == "numerical"
    assert "The table's own columns" in run["fit"]["notes"]
    assert 0.8 < run["metrics"]["column_shapes"]["value"] <= 1.0
