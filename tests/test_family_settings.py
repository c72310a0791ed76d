"""Every built-in family takes its settings as documented constructor arguments with defaults."""

import inspect
import re

import pytest

from advisor.plugins import load_registry

REGISTRY = load_registry()
BUILT_IN = [
    (name, REGISTRY.family(name))
    for name in sorted(REGISTRY.families)
    if REGISTRY.family(name).__module__.startswith("advisor_plugins.")
]


def _documented_args(cls):
    """Names in the `Args:` section of the docstring of the class (or the base class that has one)."""
    docstring = next((k.__doc__ for k in cls.__mro__ if "\n    Args:\n" in (k.__doc__ or "")), "")
    section = docstring.partition("\n    Args:\n")[2]
    return set(re.findall(r"^        (\w+):", section, flags=re.MULTILINE))


def test_every_built_in_family_is_checked():
    assert {name for name, _ in BUILT_IN} >= {"gmm", "kde", "vae", "gan", "flow", "flow-ar", "autoregressive"}


@pytest.mark.parametrize(("name", "cls"), BUILT_IN, ids=[name for name, _ in BUILT_IN])
def test_settings_are_documented_constructor_arguments_with_defaults(name, cls):
    parameters = inspect.signature(cls).parameters
    assert parameters, f"{name}: no settings as constructor arguments"
    assert all(p.default is not inspect.Parameter.empty for p in parameters.values()), name
    assert set(parameters) == _documented_args(cls), f"{name}: document every argument under Args"
    family = cls()  # the harness constructs families without arguments
    assert {key: getattr(family, key) for key in parameters} == {k: p.default for k, p in parameters.items()}


@pytest.mark.parametrize(("name", "cls"), BUILT_IN, ids=[name for name, _ in BUILT_IN])
def test_no_upper_case_class_attributes_as_settings(name, cls):
    constants = [key for klass in cls.__mro__ if klass.__module__.startswith("advisor_plugins.") for key in vars(klass)]
    assert [key for key in constants if key.isupper()] == [], name
