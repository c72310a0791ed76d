import subprocess
import sys

import pytest

from advisor.plugins import load_registry
from tests.conftest import FIXTURE_DIST, FIXTURE_PLUGINS, install_into


def test_builtins_load_through_entry_points_with_complete_cards(cli):
    listing = cli.json("plugins", "list")
    families = {f["name"]: f for f in listing["families"]}
    assert {"gmm", "kde"} <= set(families)
    for name in ("gmm", "kde"):
        card = families[name]["card"]
        assert card["likelihood"] == "exact" and card["sampling"] == "one-shot"
        assert set(card) >= {"title", "latent", "training", "conditioning", "data_kinds", "samplers", "references"}
        assert families[name]["source"].startswith("entry point advisor_plugins.")
    assert {"ring8", "grid25"} <= {d["name"] for d in listing["datasets"]}
    metrics = {m["name"]: m["spec"] for m in listing["metrics"]}
    assert metrics["test_nll"]["unit"] == "nats/dim" and metrics["test_nll"]["higher_is_better"] is False
    assert metrics["sample_throughput"]["higher_is_better"] is True
    assert listing["broken"] == []


def test_broken_plugins_are_reported_and_the_rest_loads(cli):
    listing = cli.json("--plugins-dir", FIXTURE_PLUGINS, "plugins", "list")
    broken = {b["name"]: b["error"] for b in listing["broken"]}
    assert "not-installed-anywhere" in broken["broken_import"]
    assert "likelihood" in broken["bad_card"]  # pydantic names the field
    assert "not a Family subclass" in broken["bad_register"]
    names = {f["name"] for f in listing["families"]}
    assert {"gmm", "kde", "raising", "nan-sampler", "wrong-shape", "no-report"} <= names
    assert "bad-card" not in names


def test_broken_plugins_shown_in_table_output(cli):
    out = cli("--plugins-dir", FIXTURE_PLUGINS, "plugins", "list").stdout
    assert "Broken plugins" in out and "broken_import" in out


def test_plugins_dir_from_environment(cli, monkeypatch):
    monkeypatch.setenv("ADVISOR_PLUGINS_DIR", str(FIXTURE_PLUGINS))
    assert "raising" in {f["name"] for f in cli.json("plugins", "list")["families"]}


def test_missing_plugins_dir_is_an_input_error(cli, tmp_path):
    result = cli("--plugins-dir", tmp_path / "nope", "plugins", "list", expect=2)
    assert "does not exist" in result.stderr


_DUPE = (
    "from advisor import hookimpl\n"
    "from advisor_plugins.gmm import GaussianMixtureFamily\n"
    "@hookimpl\n"
    "def advisor_families(register):\n"
    "    register(GaussianMixtureFamily)\n"
)


def test_duplicate_family_name_is_reported(tmp_path):
    (tmp_path / "dupe.py").write_text(_DUPE)
    registry = load_registry(tmp_path)
    assert any("already registered by plugin 'gmm'" in b.error for b in registry.broken)
    assert registry.families["gmm"].plugin.name == "gmm"


@pytest.mark.slow
def test_third_party_distribution_registers_through_entry_point(tmp_path):
    env = install_into(FIXTURE_DIST, tmp_path / "site")
    code = (
        "from advisor.plugins import load_registry; r = load_registry(); print(r.families['diag-gauss'].plugin.source)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "advisor-thirdparty-demo 0.0.1" in out.stdout
    db = tmp_path / "x.db"
    bench = subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor",
            "bench",
            "-f",
            "diag-gauss",
            "-d",
            "ring8",
            "--seeds",
            "1",
            "--budget",
            "smoke",
            "--db",
            str(db),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bench.returncode == 0, bench.stderr
    assert '"status": "COMPLETE"' in bench.stdout


def test_plugin_errors_point_at_the_plugins_line_not_into_pydantic(cli):
    broken = {b["name"]: b["error"] for b in cli.json("--plugins-dir", FIXTURE_PLUGINS, "plugins", "list")["broken"]}
    assert broken["bad_card"].endswith(f"(at {FIXTURE_PLUGINS / 'bad_card.py'}:7)")  # the `card = FamilyCard(` line
    assert "likelihood: Input should be 'exact', 'bound', 'estimate' or 'none' (got 'maybe')" in broken["bad_card"]
    assert broken["bad_register"].endswith(f"(at {FIXTURE_PLUGINS / 'bad_register.py'}:8)")  # its register() call


def test_plugins_list_shows_brackets_in_errors_as_written(cli, tmp_path, monkeypatch):
    message = "needs [bold]extras[/bold]: pip install 'x[gpu]' [type=literal_error, input_value='maybe']"
    (tmp_path / "brackets.py").write_text(f"raise ImportError({message!r})\n")
    monkeypatch.setenv("COLUMNS", "400")  # one line per row: the message is not folded
    out = cli("--plugins-dir", tmp_path, "plugins", "list").stdout
    assert f"ImportError: {message}" in out


def test_a_bench_naming_a_broken_plugins_family_says_which_plugin_and_why(cli, db, tmp_path):
    (tmp_path / "half.py").write_text(
        "from advisor import hookimpl\n"
        "from advisor_plugins.kde import KernelDensityFamily\n"
        "class Half(KernelDensityFamily):\n"
        "    card = KernelDensityFamily.card.model_copy(update={'name': 'half'})\n"
        "@hookimpl\n"
        "def advisor_families(register):\n"
        "    register(Half)\n"
        "    raise RuntimeError('half-way')\n"
    )
    bench = ("bench", "-d", "ring8", "--budget", "smoke", "--db", db)
    half = cli("--plugins-dir", tmp_path, *bench, "-f", "half", expect=2).stderr
    assert "family 'half' is not loaded: it belongs to a broken plugin" in half
    assert "plugin 'half'" in half and "RuntimeError: half-way" in half and "half.py:8" in half
    bad_card = cli("--plugins-dir", FIXTURE_PLUGINS, *bench, "-f", "bad-card", expect=2).stderr
    assert "unknown family 'bad-card'" in bad_card and "may belong to a broken plugin" in bad_card
    assert "plugin 'bad_card'" in bad_card and "(got 'maybe')" in bad_card
    assert not db.exists()  # refused before anything ran


def test_a_bench_naming_a_duplicated_family_names_both_plugins(cli, db, tmp_path):
    (tmp_path / "dupe.py").write_text(_DUPE)
    error = cli("--plugins-dir", tmp_path, "bench", "-f", "gmm", "-d", "ring8", "--db", db, expect=2).stderr
    assert "family 'gmm' is claimed by two plugins: 'gmm' (entry point advisor_plugins.gmm" in error
    assert "plugin 'dupe'" in error and "already registered by plugin 'gmm'" in error
    assert not db.exists()


def _faulty_plugins(tmp_path):
    """A plugins directory with one plugin that hangs at import, one that ends its process, one that works."""
    directory = tmp_path / "plugins"
    directory.mkdir()
    (directory / "hangs.py").write_text("import time\n\ntime.sleep(3600)\n")
    (directory / "exits.py").write_text("import os\n\nprint('a plugin talking on stdout')\nos._exit(1)\n")
    (directory / "resampler.py").write_text((FIXTURE_PLUGINS / "conditional.py").read_text())
    return directory


def test_plugins_that_hang_or_exit_at_import_are_listed_broken_beside_the_rest(tmp_path):
    import json
    import subprocess
    import sys
    import time

    started = time.monotonic()
    listing = subprocess.run(
        [sys.executable, "-m", "advisor", "--plugins-dir", str(_faulty_plugins(tmp_path)), "plugins", "list"]
        + ["--import-time-limit", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0 and time.monotonic() - started < 15, listing.stderr
    data = json.loads(listing.stdout)  # nothing the plugins printed is mixed into it
    broken = {b["name"]: b["error"] for b in data["broken"]}
    assert "did not finish within 2 s" in broken["hangs"]
    assert "ended the process (exit code 1)" in broken["exits"]
    assert {"gmm", "class-resampler"} <= {f["name"] for f in data["families"]}


@pytest.mark.parametrize(("plugin", "says"), [("hangs", "did not finish within 2 s"), ("exits", "exit code 1")])
def test_validate_names_a_plugin_file_that_hangs_or_exits_at_import(cli, tmp_path, plugin, says):
    target = _faulty_plugins(tmp_path) / f"{plugin}.py"
    result = cli("plugins", "validate", target, "--import-time-limit", "2", expect=2)
    assert f"{plugin}.py does not load" in result.stderr and says in result.stderr


def test_validate_a_family_beside_plugins_that_hang_or_exit_at_import(cli, tmp_path):
    import json

    directory = _faulty_plugins(tmp_path)
    (directory / "misbehaving.py").write_text((FIXTURE_PLUGINS / "misbehaving.py").read_text())
    args = ("--plugins-dir", directory, "plugins", "validate", "wrong-shape", "--import-time-limit", "2", "--json")
    checks = {c["check"]: c["result"] for c in json.loads(cli(*args, expect=1).stdout)}
    # each check's own process leaves the faulty neighbours out too: nothing hangs, nothing crashes
    assert checks["check_samples"] == "fails" and checks["check_card"] == "ok"
    assert set(checks.values()) == {"ok", "fails"}


def _run_with_plugins(directory, *command, limit="2"):
    import os
    import subprocess
    import sys

    from advisor.plugins import IMPORT_WATCHDOG_ENV

    return subprocess.run(
        [sys.executable, "-m", "advisor", "--plugins-dir", str(directory), *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, IMPORT_WATCHDOG_ENV: limit},
    )


@pytest.mark.parametrize(
    "command", [["recommend", "--need", "exact-likelihood"], ["bench", "-f", "gmm", "-d", "ring8"]]
)
def test_a_plugin_that_hangs_at_import_ends_recommend_and_bench_with_exit_2_naming_it(tmp_path, command):
    directory = tmp_path / "plugins"
    directory.mkdir()
    (directory / "hangs.py").write_text("import time\n\ntime.sleep(3600)\n")
    db = tmp_path / "r.db"
    done = _run_with_plugins(directory, *command, "--db", str(db))
    assert done.returncode == 2, done.stderr
    assert "plugin 'hangs'" in done.stderr and "blocks at import time" in done.stderr
    assert not db.exists()  # nothing was written


def test_slow_imports_in_a_row_are_not_a_blocking_one_and_a_bad_limit_is_refused(tmp_path):
    directory = tmp_path / "plugins"
    directory.mkdir()
    for name in ("a_slow", "b_slow"):  # 1.2 s each: 2.4 s in all, each under the 2 s limit
        (directory / f"{name}.py").write_text("import time\n\ntime.sleep(1.2)\n")
    done = _run_with_plugins(directory, "recommend", "--need", "exact-likelihood", "--json", limit="2")
    assert done.returncode == 0, done.stderr
    refused = _run_with_plugins(directory, "recommend", "--need", "exact-likelihood", limit="soon")
    assert (
        refused.returncode == 2 and "ADVISOR_PLUGIN_IMPORT_LIMIT must be a number of seconds above 0" in refused.stderr
    )
