"""Shared fixtures: a CLI runner, store paths, and the directory of misbehaving test plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from advisor.cli import main

FIXTURE_PLUGINS = Path(__file__).parent / "fixture_plugins"
FIXTURE_DIST = Path(__file__).parent / "fixture_dist"


class CLI:
    """Invoke `advisor` in-process and decode JSON output."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int | None = 0) -> Result:
        result = self.runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (
                f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli() -> CLI:
    return CLI()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "results.db"


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    """A user's CSV: two Gaussian blobs in columns a and b, and a constant column no density may be fitted on."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 0.4, (150, 2)), rng.normal(2, 0.4, (150, 2))])
    path = tmp_path / "two blobs.csv"
    path.write_text("a,b,unit\n" + "\n".join(f"{u:.4f},{v:.4f},7" for u, v in x))
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ADVISOR_DB", raising=False)
    monkeypatch.delenv("ADVISOR_PLUGINS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)


def install_into(package: Path, site: Path) -> dict[str, str]:
    """pip-install `package` (no deps, no build isolation) into `site`; return an environment that sees it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(package),
        ],
        check=True,
        capture_output=True,
    )
    return {**os.environ, "PYTHONPATH": str(site)}


def tiny_budget(train_steps: int):
    """A budget of a few seconds for family unit tests: small data, small evaluation, `train_steps` steps."""
    from advisor.budgets import get_budget

    return get_budget("smoke").model_copy(
        update={
            "name": "tiny",
            "train_steps": train_steps,
            "batch_size": 128,
            "n_train": 500,
            "n_test": 200,
            "n_eval_samples": 200,
            "n_stored_samples": 0,
            "throughput_batch": 100,
            "time_limit_s": 60,
        }
    )
