"""`advisor plugins new`: write a pip-installable family plugin package from templates."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from advisor.errors import InputError

__all__ = ["new_plugin"]

_TEMPLATES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "family.py.tmpl": "{module}.py",
    "test_family.py.tmpl": "tests/test_{module}.py",
    "README.md.tmpl": "README.md",
}


def new_plugin(name: str, directory: Path) -> Path:
    """Write the package for family `name` into `directory`/advisor-`name`; returns the package folder."""
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*", name):
        raise InputError(f"family name {name!r}: use lower-case letters and digits, words joined by '-' or '_'")
    module = "advisor_" + name.replace("-", "_")
    target = directory / f"advisor-{name}"
    if target.exists():
        raise InputError(f"{target} already exists; choose another --dir or remove it first")
    values = {
        "name": name,
        "module": module,
        "class_name": "".join(part.capitalize() for part in re.split(r"[-_]", name)) + "Family",
    }
    for template, destination in _TEMPLATES.items():
        path = target / destination.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = files(__package__).joinpath(template).read_text()
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        path.write_text(text)
    return target
