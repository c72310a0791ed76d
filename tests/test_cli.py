import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from advisor.store import SCHEMA_VERSION
from tests.conftest import FIXTURE_PLUGINS

BENCH = ("bench", "--family", "gmm", "--family", "kde", "--dataset", "ring8", "--seeds", "3", "--budget", "smoke")


@pytest.fixture(scope="module")
def benched_once(tmp_path_factory):
    from tests.conftest import CLI

    path = tmp_path_factory.mktemp("benched") / "results.db"
    CLI()(*BENCH, "--db", path)
    return path


@pytest.fixture
def benched(benched_once, db):
    """A private copy of one smoke bench's store (6 COMPLETE runs), so tests may change it."""
    shutil.copy(benched_once, db)
    return db


@pytest.mark.slow
def test_bench_stores_complete_runs_readable_everywhere(cli, benched):
    runs = cli.json("results", "list", "--db", benched)
    assert len(runs) == 6
    assert {(r["family"], r["seed"]) for r in runs} == {(f, s) for f in ("gmm", "kde") for s in range(3)}
    assert all(r["status"] == "COMPLETE" for r in runs)
    for run in runs:
        for name in ("test_nll", "kl_to_truth", "modes_covered", "sample_throughput", "train_seconds"):
            assert isinstance(run["metrics"][name]["value"], float), (name, run)
    # plain SQL users read the same numbers through the view
    rows = (
        sqlite3.connect(benched)
        .execute(
            "SELECT family, COUNT(DISTINCT run_id) FROM latest_metrics WHERE metric = 'kl_to_truth' GROUP BY family"
        )
        .fetchall()
    )
    assert dict(rows) == {"gmm": 3, "kde": 3}


@pytest.mark.slow
def test_bench_resumes_by_skipping_complete_cells(cli, benched):
    result = cli(*BENCH, "--db", benched)
    assert "6 of 6 cells already COMPLETE" in result.stderr
    assert len(cli.json("results", "list", "--db", benched)) == 6
    one_more_seed = cli(*BENCH[:-4], "--seeds", "4", "--budget", "smoke", "--db", benched).stderr
    assert "6 of 8 cells already COMPLETE" in one_more_seed
    assert "[2/2] " in one_more_seed and "/8]" not in one_more_seed  # counted and timed: the cells it runs
    cli(*BENCH[:-4], "--seeds", "1", "--budget", "smoke", "--rerun", "--db", benched)
    assert len(cli.json("results", "list", "--db", benched)) == 10


def test_results_filters_show_and_export(cli, benched):
    gmm = cli.json("results", "list", "--family", "gmm", "--db", benched)
    assert {r["family"] for r in gmm} == {"gmm"}
    shown = cli.json("results", "show", str(gmm[0]["id"]), "--db", benched)
    assert shown["fit"]["selected"]["n_components"] >= 8
    assert shown["provenance"]["data_hash"] == shown["data_hash"]
    assert "Metrics" in cli("results", "show", str(gmm[0]["id"]), "--db", benched).stdout

    rows = list(csv.DictReader(io.StringIO(cli("results", "export", "--db", benched).stdout)))
    assert len({r["run_id"] for r in rows}) == 6
    kl = [r for r in rows if r["metric"] == "kl_to_truth"]
    assert all(float(r["value"]) < 0.2 for r in kl)
    exported = json.loads(cli("results", "export", "--format", "json", "--db", benched).stdout)
    assert len(exported) == 6
    assert (
        "cannot write 'no/such/dir/x.csv'"
        in cli("results", "export", "-o", "no/such/dir/x.csv", "--db", benched, expect=2).stderr
    )


def test_results_sql_reads_and_refuses_writes(cli, benched):
    rows = json.loads(cli("results", "sql", "SELECT COUNT(*) AS n FROM runs", "--json", "--db", benched).stdout)
    assert rows == [{"n": 6}]
    result = cli("results", "sql", "DELETE FROM runs", "--db", benched, expect=2)
    assert "read-only" in result.stderr
    assert "give one" in cli("results", "sql", "SELECT 1", "--json", "--csv", "--db", benched, expect=2).stderr
    assert "statement is empty" in cli("results", "sql", " ", "--db", benched, expect=2).stderr
    assert sqlite3.connect(benched).execute("SELECT COUNT(*) FROM runs").fetchone() == (6,)


@pytest.mark.slow
def test_failing_families_are_recorded_and_the_bench_goes_on(cli, db):
    result = cli(
        "--plugins-dir",
        FIXTURE_PLUGINS,
        "bench",
        "-f",
        "raising",
        "-f",
        "gmm",
        "-d",
        "ring8",
        "--seeds",
        "1",
        "--budget",
        "smoke",
        "--db",
        db,
        expect=1,
    )
    assert "boom in fit" in result.stderr
    runs = {r["family"]: r for r in cli.json("results", "list", "--db", db)}
    assert runs["raising"]["status"] == "FAILED" and "boom in fit" in runs["raising"]["error"]
    assert runs["gmm"]["status"] == "COMPLETE"
    # the export keeps a run without metrics: one row, metric columns empty, with its error
    exported = list(csv.DictReader(io.StringIO(cli("results", "export", "-f", "raising", "--db", db).stdout)))
    assert [(r["status"], r["metric"]) for r in exported] == [("FAILED", "")] and "boom in fit" in exported[0]["error"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("bench", "-f", "gmn", "-d", "ring8"), "unknown family 'gmn'. Did you mean 'gmm'"),
        (("bench", "-f", "gmm", "-d", "ring9"), "unknown dataset 'ring9'"),
        (("bench", "-f", "gmm", "-d", "ring8", "--budget", "huge"), "'huge' is not one of"),
        (("bench", "-d", "ring8"), "at least one --family"),
        (("results", "list", "--db", "missing.db"), "no results store at"),
    ],
)
def test_bad_input_exits_2_with_the_fix(cli, db, args, message):
    result = cli(*args, *(() if "--db" in args else ("--db", db)), expect=2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("results", "list", "-d", "ring9"), "has no runs of dataset 'ring9'. Did you mean 'ring8'? It has runs of:"),
        (("results", "list", "-f", "gmn"), "has no runs of family 'gmn'. Did you mean 'gmm'?"),
        (("table", "--budget", "smok"), "has no runs of budget 'smok'. Did you mean 'smoke'?"),
        (("recommend", "-n", "exact-likelihood", "-d", "moons"), "has no runs of dataset 'moons'"),
        (("recommend", "-n", "exact-likelihood", "-j", "2"), "--jobs only applies when measuring your data"),
        (("recommend", "-n", "best-quality", "--every-candidate"), "--every-candidate only applies when measuring"),
        (
            ("recommend", "-n", "best-quality", "--data", "x.csv", "--prior-only", "--every-candidate"),
            "--db, --every-candidate only matter when measuring, but --prior-only measures nothing",
        ),
        (("recommend", "-n", "exact-likelihood", "--data", "x.csv", "-d", "ring8"), "--dataset filters the stored"),
    ],
)
def test_filters_naming_nothing_in_the_store_exit_2(cli, benched, args, message):
    result = cli(*args, "--db", benched, expect=2)
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unknown_run_on_real_store(cli, benched):
    assert "no run with id 999" in cli("results", "show", "999", "--db", benched, expect=2).stderr


def test_non_sqlite_db_is_refused_and_untouched(cli, tmp_path):
    path = tmp_path / "x.db"
    path.write_text("not a database")
    result = cli("bench", "-f", "gmm", "-d", "ring8", "--budget", "smoke", "--db", path, expect=2)
    assert "not an SQLite database" in result.stderr
    assert path.read_text() == "not a database"


def test_old_schema_store_exits_2_with_upgrade_command(cli, benched, monkeypatch):
    from advisor.store import migrations

    with sqlite3.connect(benched) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    result = cli("results", "list", "--db", benched, expect=2)
    assert "No upgrade path exists from that version" in result.stderr
    monkeypatch.setitem(migrations.MIGRATIONS, 0, lambda conn: None)  # a release that knows the step
    result = cli("results", "list", "--db", benched, expect=2)
    assert f"advisor db upgrade --db {benched}" in result.stderr
    assert "upgraded from schema version 0" in cli("db", "upgrade", "--db", benched).stdout
    assert cli.json("results", "list", "--db", benched)


def _downgrade_to_schema_1(path):
    """Rewrite a store as schema 1 wrote it: a free-text status column (no CHECK), plus a PENDING run."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA legacy_alter_table = ON")
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
        free = re.sub(r",\s*CONSTRAINT run_status CHECK \(status IN \([^)]*\)\)", "", sql)
        assert free != sql
        conn.execute("DROP VIEW latest_metrics")
        conn.execute("ALTER TABLE runs RENAME TO runs_v2")
        conn.execute(free)
        conn.execute("INSERT INTO runs SELECT * FROM runs_v2")
        conn.execute("DROP TABLE runs_v2")
        conn.execute("CREATE INDEX ix_runs_cell ON runs (family, dataset, seed, budget, sampler)")
        conn.execute(
            "INSERT INTO runs (family, sampler, dataset, seed, budget, status, device, created_at) "
            "VALUES ('gmm', 'default', 'ring8', 9, 'smoke', 'PENDING', 'cpu', '2026-01-01 00:00:00')"
        )
        conn.execute("DROP TABLE calibration")  # schema 4's
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")


def test_upgrade_from_schema_1_keeps_every_run_and_enforces_statuses(cli, benched):
    before = sqlite3.connect(benched).execute("SELECT COUNT(*) FROM metrics").fetchone()[0]
    _downgrade_to_schema_1(benched)
    assert "advisor db upgrade" in cli("results", "list", "--db", benched, expect=2).stderr
    assert f"upgraded from schema version 1 to {SCHEMA_VERSION}" in cli("db", "upgrade", "--db", benched).stdout
    conn = sqlite3.connect(benched)
    assert conn.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] == before  # no cascade on the rebuild
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    status, error = conn.execute("SELECT status, error FROM runs WHERE seed = 9").fetchone()
    assert status == "INTERRUPTED" and "status was PENDING" in error
    assert conn.execute("SELECT COUNT(*) FROM latest_metrics").fetchone()[0] == before
    with pytest.raises(sqlite3.IntegrityError, match="run_status"):
        conn.execute("UPDATE runs SET status = 'DONE'")
    assert cli.json("db", "info", "--db", benched)["runs_by_status"] == {"COMPLETE": 6, "INTERRUPTED": 1}


def test_db_info(cli, benched):
    info = cli.json("db", "info", "--db", benched)
    assert info["runs_by_status"] == {"COMPLETE": 6}
    [bench] = info["benches"]  # how the runs were made: one bench, with its command line and revision
    assert bench["command"].startswith("advisor ") and bench["cells"] == 6 and bench["started_at"]
    assert "git_revision" in bench
    assert "Benches that wrote here" in cli("db", "info", "--db", benched).stdout
    assert "already at schema version" in cli("db", "upgrade", "--db", benched).stdout


def test_console_script_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "advisor", "--help"], capture_output=True, text=True, check=True)
    assert "advisor bench" in result.stdout


@pytest.mark.slow
def test_bench_logs_one_line_per_cell_when_not_on_a_terminal(cli, db):
    result = cli("bench", "-f", "gmm", "-d", "ring8", "-d", "grid25", "--seeds", "1", "--budget", "smoke", "--db", db)
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 2 and lines[-1].startswith("[2/2] gmm/")
    assert all(": COMPLETE in " in line and "0 failed" in line for line in lines)


def test_table_puts_families_in_rows_so_names_never_wrap(cli, monkeypatch):
    from advisor.rules import answers
    from advisor.rules.claims import PROPERTIES

    names = [f"autoregressive-{i}" for i in range(10)]  # more families than the textbook's
    cell = {"grade": "excellent", "basis": "measured", "claim": "medium", "verdict": "disagrees"}
    table = {"budget": "smoke", "datasets": ["ring8"], "families": {n: dict.fromkeys(PROPERTIES, cell) for n in names}}
    monkeypatch.setattr(answers, "claims_table", lambda *args, **kwargs: {"store": "x.db", **table})
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli("table").stdout.splitlines()
    for name in names:  # each family on its own line, its name whole
        assert sum(name in line for line in lines) == 1, name
    assert max(map(len, lines)) <= 160
    markdown = cli("table", "--markdown").stdout.splitlines()
    assert markdown[0] == "| family | " + " | ".join(PROPERTIES) + " |"
    assert [row.split(" | ")[0] for row in markdown[2:]] == [f"| {name}" for name in names]
    assert markdown[2].endswith("| excellent ✗ claim: medium |")
    assert cli.json("table") == {"store": "x.db", **table}  # --json unchanged


def test_a_table_that_fits_by_its_longest_words_keeps_them_whole_and_its_border(monkeypatch, capsys):
    from advisor.cli.common import print_table

    monkeypatch.setenv("COLUMNS", "120")  # the table's widest cells need more; its longest words fit
    columns = ["family", "sample quality", "diversity", "training stability", "likelihood", "sampling speed"]
    columns += ["latent space", "conditioning"]
    row = ["autoregressive", "excellent ✗ claim: high", "high ✓", "unstable ✗ claim: stable", "exact (card) ✓"]
    print_table("grades", columns, [[*row, "slow ✓", "no (card) ✓", "moderate ✗ claim: easy"]] * 3)
    lines = capsys.readouterr().out.splitlines()
    body = [line for line in lines if line.startswith("│")]
    assert sum("autoregressive" in line for line in body) == 3  # never folded into "autoregressi" + "ve"
    assert all(line.endswith("│") and len(line) <= 120 for line in body)  # nothing cropped at the right
