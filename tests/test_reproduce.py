"""`advisor results reproduce`: a stored cell re-measured agrees with its seed spread; a number
tampered by hand does not, and the command says so with exit 1."""

import json
import sqlite3

import pytest


@pytest.fixture(scope="module")
def smoke_store(tmp_path_factory):
    from tests.conftest import CLI

    path = tmp_path_factory.mktemp("reproduce") / "results.db"
    CLI()("bench", "-f", "gmm", "-d", "ring8", "--seeds", "3", "--budget", "smoke", "--db", path)
    return path


@pytest.mark.slow
def test_a_stored_cell_reproduces_within_its_spread(cli, smoke_store, tmp_path):
    scratch = tmp_path / "scratch.db"
    [found] = cli.json("results", "reproduce", "1", "--db", smoke_store, "--scratch", scratch)
    assert found["reproduces"] and found["status"] == "COMPLETE"
    verdicts = {c["metric"]: c["verdict"] for c in found["checks"]}
    assert {"c2st", "test_nll", "modes_covered", "precision"} <= set(verdicts)
    assert set(verdicts.values()) <= {"identical", "within spread"}
    assert "train_seconds" not in verdicts  # costs depend on the machine: not judged
    assert sqlite3.connect(smoke_store).execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 3  # store untouched
    assert sqlite3.connect(scratch).execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_a_tampered_value_is_reported_outside_with_exit_1(cli, smoke_store, tmp_path):
    tampered = tmp_path / "tampered.db"
    tampered.write_bytes(smoke_store.read_bytes())
    with sqlite3.connect(tampered) as conn:
        conn.execute("UPDATE metrics SET value = value + 5 WHERE name = 'test_nll'")  # every seed: a new spread
    result = cli("results", "reproduce", "--sample", "1", "--db", tampered, expect=1)
    assert "DOES NOT REPRODUCE" in result.stdout and "OUTSIDE SPREAD" in result.stdout
    assert "test_nll" in result.stdout


def test_reproduce_needs_runs_to_check(cli, smoke_store):
    assert "RUN_IDs or --sample" in cli("results", "reproduce", "--db", smoke_store, expect=2).stderr
    assert "no run with id 99" in cli("results", "reproduce", "99", "--db", smoke_store, expect=2).stderr


def test_a_sample_is_drawn_from_the_runs_the_store_answers_with(smoke_store, tmp_path):
    from advisor.errors import InputError
    from advisor.runner.reproduce import choose_runs
    from advisor.store import open_store

    rerun = tmp_path / "rerun.db"
    rerun.write_bytes(smoke_store.read_bytes())
    with sqlite3.connect(rerun) as conn:  # seed 0 re-run: run 1 is superseded by a later run of its cell
        columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(runs)") if row[1] != "id")
        conn.execute(f"INSERT INTO runs ({columns}) SELECT {columns} FROM runs WHERE id = 1")
    with open_store(rerun) as store, store.connect() as conn:
        assert choose_runs(conn, sample=10).run_ids == [2, 3, 4]
        drawn = choose_runs(conn, sample=2, families=["gmm"], datasets=["ring8"], seed=3).run_ids
        assert drawn in ([2, 3], [2, 4], [3, 4])
        with pytest.raises(InputError, match="no COMPLETE run matches"):
            choose_runs(conn, sample=1, families=["kde"])


def test_a_sample_leaves_out_runs_this_machine_cannot_rerun_and_says_why(cli, smoke_store, tmp_path):
    """A store measured with a plugin of another environment (the SDV peers) still samples here."""
    mixed = tmp_path / "mixed.db"
    mixed.write_bytes(smoke_store.read_bytes())
    with sqlite3.connect(mixed) as conn:  # seeds 1 and 2 become runs of a family not installed here
        conn.execute("UPDATE runs SET family = 'peer-from-elsewhere' WHERE seed > 0")
    result = cli("results", "reproduce", "--sample", "5", "--db", mixed, "--json")
    assert [found["run_id"] for found in json.loads(result.stdout)] == [1]
    assert "left out of the draw: 2 run(s): family 'peer-from-elsewhere' is not installed here" in result.stderr
    only_peers = cli("results", "reproduce", "--sample", "1", "-f", "peer-from-elsewhere", "--db", mixed, expect=2)
    assert "2 left out: family 'peer-from-elsewhere' is not installed here" in only_peers.stderr
