"""Plugin authors: documented hooks, the scaffold end to end, and `plugins validate`."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import hookspecs
from tests.conftest import install_into

DOCS = Path(__file__).parents[1] / "docs" / "plugins.md"


def test_every_hookspec_is_documented_with_an_example():
    text = DOCS.read_text()
    hooks = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("advisor_")]
    assert len(hooks) == 4
    for hook in hooks:
        section = re.search(rf"### {hook}\(register\)\n(.*?)(?=\n### |\n## |\Z)", text, re.S)
        assert section, f"docs/plugins.md has no section '### {hook}(register)'"
        assert "```python" in section.group(1) and f"def {hook}(register)" in section.group(1), hook


def test_documented_examples_register_cleanly(tmp_path):
    """The docs' examples, written out as a plugins directory, load without being reported broken."""
    from advisor.plugins import load_registry

    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    for index, block in enumerate(b for b in blocks if "@hookimpl" in b):
        (tmp_path / f"example_{index}.py").write_text(block)
    registry = load_registry(tmp_path)
    assert registry.broken == [] and {"isotropic", "blob", "mean_gap", "tiny-and-exact"} <= (
        set(registry.families) | set(registry.datasets) | set(registry.metrics) | set(registry.needs)
    )


@pytest.mark.slow
def test_scaffolded_plugin_installs_tests_benches_and_ranks(cli, tmp_path):
    out = cli("plugins", "new", "tiny-gauss", "--dir", tmp_path).stdout
    package = tmp_path / "advisor-tiny-gauss"
    assert f"pip install -e {package}" in out
    import tomllib

    # "advisor" on PyPI is another project: a declared dependency would make pip fetch it
    assert tomllib.loads((package / "pyproject.toml").read_text())["project"]["dependencies"] == []
    env = install_into(package, tmp_path / "site")

    def advisor(*args):
        return subprocess.run([sys.executable, "-m", "advisor", *args], env=env, capture_output=True, text=True)

    listed = advisor("plugins", "list", "--json")
    assert "tiny-gauss" in listed.stdout, listed.stderr
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert tests.returncode == 0 and "6 passed" in tests.stdout, tests.stdout + tests.stderr
    db = tmp_path / "x.db"
    bench = advisor(
        "bench",
        "--family",
        "tiny-gauss",
        "--family",
        "gmm",
        "--dataset",
        "ring8",
        "--seeds",
        "1",
        "--budget",
        "smoke",
        "--db",
        str(db),
        "--json",
    )
    assert bench.returncode == 0 and bench.stdout.count('"status": "COMPLETE"') == 2, bench.stderr
    answer = advisor("recommend", "--need", "exact-likelihood", "--json", "--db", str(db))
    assert '"family": "tiny-gauss"' in answer.stdout


@pytest.mark.slow
def test_validate_reports_failures_with_fixes(cli):
    from tests.conftest import FIXTURE_PLUGINS

    result = cli("--plugins-dir", FIXTURE_PLUGINS, "plugins", "validate", "wrong-shape", expect=1)
    assert "fails" in result.stdout and "return (n, dims)" in result.stdout
    checks = cli.json("plugins", "validate", "gmm")
    assert checks and {c["result"] for c in checks} == {"ok"} and {c["family"] for c in checks} == {"gmm"}


def test_new_refuses_bad_names_and_existing_folders(cli, tmp_path):
    assert "lower-case" in cli("plugins", "new", "Bad Name", "--dir", tmp_path, expect=2).stderr
    cli("plugins", "new", "twice", "--dir", tmp_path)
    assert "already exists" in cli("plugins", "new", "twice", "--dir", tmp_path, expect=2).stderr


@pytest.mark.slow
def test_validate_a_file_imports_that_file_only(cli, tmp_path):
    from tests.conftest import FIXTURE_PLUGINS

    (tmp_path / "resampler.py").write_text((FIXTURE_PLUGINS / "conditional.py").read_text())
    marker = tmp_path / "imported"
    (tmp_path / "neighbour.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    result = cli("plugins", "validate", tmp_path / "resampler.py")
    assert "class-resampler" in result.stdout and "fails" not in result.stdout
    assert not marker.exists()


def test_field_reference_is_generated_from_the_models_and_kept_current(tmp_path):
    from advisor.docs_reference import BEGIN, END, MODELS, main

    assert main(["--check", str(DOCS)]) == 0, "run: python -m advisor.docs_reference docs/plugins.md"
    text = DOCS.read_text()
    region = text[text.index(BEGIN) : text.index(END)]
    for model in MODELS:
        for field in model.model_fields:
            assert f"| `{field}` |" in region, (model.__name__, field)
    assert "| smoke | 200 |" in region  # the shipped budgets, read from BUDGETS
    stale = tmp_path / "plugins.md"
    stale.write_text(text.replace("| `data_kinds` |", "| `data_kind` |"))
    assert main(["--check", str(stale)]) == 1
    assert main([str(stale)]) == 0 and stale.read_text() == text


def test_docs_state_the_family_contract():
    text = DOCS.read_text()
    for promise in (
        "images are excluded unless the card names",  # data_kinds' default
        "Training that is not stochastic gradient descent maps its work onto steps",
        "### heavy_imports",
        "### num_parameters() and nfe(sampler)",
        "**Fresh draws on every call.**",
        "**Reproducible from `seed`.**",
        "check_family(Isotropic)",
    ):
        assert promise in text, promise


def test_the_documented_family_passes_the_kit():
    from advisor.testing import check_family

    block = next(b for b in re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S) if "class Isotropic" in b)
    namespace = {"__name__": "documented_isotropic"}
    exec(block, namespace)  # noqa: S102 - the documentation's own example
    check_family(namespace["Isotropic"])


def test_determinism_check_names_nan_not_seeding():
    from advisor.plugins import load_registry
    from advisor.testing import FamilyCheckError, check_seed_determinism
    from tests.conftest import FIXTURE_PLUGINS

    with pytest.raises(FamilyCheckError) as error:
        check_seed_determinism(load_registry(FIXTURE_PLUGINS).family("nan-sampler"))
    assert "NaN" in str(error.value) and "seed" not in str(error.value)


@pytest.mark.slow
def test_validate_runs_each_check_isolated_and_reports_hangs_and_crashes(cli):
    import json

    from tests.conftest import FIXTURE_PLUGINS

    def validate(family):
        args = ("--plugins-dir", FIXTURE_PLUGINS, "plugins", "validate", family, "--time-limit", "2", "--json")
        return {c["check"]: c for c in json.loads(cli(*args, expect=1).stdout)}

    hanging = validate("hanging")  # fit sleeps for an hour
    assert hanging["check_card"]["result"] == "ok"
    fit = hanging["check_fit_report_and_budget"]
    assert fit["result"] == "timeout" and "no result within 2 s" in fit["what_to_fix"] and "hangs" in fit["what_to_fix"]
    after = hanging["check_samples"]  # would hang as long again: not run, and the reason named
    assert after["result"] == "not run"
    assert "check_fit_report_and_budget ran past its time limit" in after["what_to_fix"]
    exiting = validate("exiting")  # fit calls os._exit(3)
    crash = exiting["check_samples"]
    assert crash["result"] == "crashed" and "exited with code 3" in crash["what_to_fix"]
    assert "raise an exception instead" in crash["what_to_fix"]
