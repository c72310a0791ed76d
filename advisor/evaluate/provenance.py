"""Provenance recorded with every run: versions, device, git revision, host, and what explains a
difference between machines (CPU model, torch's CPU capability, threads, deterministic algorithms).

The same code and seed give bitwise-identical runs on one machine and different ones across CPUs:
floating-point reductions take other paths with other vector instructions (AVX2 vs AVX-512) or
thread counts. These facts are recorded so `advisor results reproduce` can name the likely cause.
"""

from __future__ import annotations

import functools
import platform
import socket
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from advisor.errors import InputError

__all__ = ["resolve_device", "device_name", "environment", "numerics", "git_revision", "MACHINE_KEYS"]

#: provenance keys that describe the machine and its numerics (compared by `results reproduce`)
MACHINE_KEYS = ("cpu_model", "device_name", "torch_cpu_capability", "threads", "deterministic_algorithms")

_PACKAGES = ("advisor", "numpy", "scikit-learn", "torch", "zuko", "diffusers", "sqlalchemy", "pydantic")


def resolve_device(requested: str) -> str:
    """'auto' -> 'cuda' when torch sees a GPU, else 'cpu'; 'cpu'/'cuda' are checked and returned."""
    if requested not in ("auto", "cpu", "cuda"):
        raise InputError(f"unknown device {requested!r}; use auto, cpu or cuda")
    if requested == "cpu":
        return "cpu"
    cuda = _cuda_available()
    if requested == "cuda" and not cuda:
        raise InputError("--device cuda was asked for, but torch sees no CUDA device; use --device cpu")
    return "cuda" if cuda else "cpu"


@functools.cache
def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


@functools.cache
def device_name(device: str) -> str:
    """A human-readable name of the device, e.g. the GPU model or the CPU model."""
    if device == "cuda":
        import torch

        return torch.cuda.get_device_name()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def git_revision() -> str | None:
    """The source tree's commit (12 hex digits), "-dirty" when tracked source files differ from it.

    Result stores (*.db) do not count: a bench writing into the tracked results.db would otherwise
    mark its own runs dirty. None outside a git checkout (an installed wheel).
    """
    here = str(Path(__file__).resolve().parent)
    try:
        commit = _git(here, "rev-parse", "--short=12", "HEAD")
        changes = _git(here, "status", "--porcelain", "--untracked-files=no", "--", ":/", ":(exclude,top)*.db")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if changes else commit or None


def _git(directory: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", directory, *args], capture_output=True, text=True, timeout=5, check=True
    ).stdout.strip()


@functools.cache
def _package_versions() -> dict[str, str]:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def environment(device: str) -> dict[str, Any]:
    """The machine-and-software part of a run's provenance (no torch import unless on cuda)."""
    return {
        "packages": _package_versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "device": device,
        "device_name": device_name(device),
        "cpu_model": device_name("cpu"),
        "git_revision": git_revision(),
    }


def numerics() -> dict[str, Any]:
    """What the loaded numerical libraries compute with: torch's CPU capability, threads, determinism.

    Reads torch only when a family already imported it (a GMM run records its BLAS threads only).
    """
    from threadpoolctl import threadpool_info

    facts: dict[str, Any] = {"blas_threads": max((p.get("num_threads", 1) for p in threadpool_info()), default=1)}
    torch = sys.modules.get("torch")
    if torch is not None:
        facts.update(
            torch_cpu_capability=torch.backends.cpu.get_cpu_capability(),
            threads=torch.get_num_threads(),
            deterministic_algorithms=torch.are_deterministic_algorithms_enabled(),
        )
    else:
        facts["threads"] = facts["blas_threads"]
    return facts
