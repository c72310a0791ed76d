"""Every built-in family passes the conformance kit plugin authors use (advisor.testing)."""

import pytest

from advisor.plugins import load_registry
from advisor.testing import FamilyCheckError, check_log_prob, check_samples, parametrize_with_checks
from tests.conftest import FIXTURE_PLUGINS

REGISTRY = load_registry()
BUILTIN = [
    entry.obj
    for name, entry in sorted(REGISTRY.families.items())
    if entry.plugin.source.startswith("entry point advisor_plugins.")
]


@pytest.mark.slow
@parametrize_with_checks(BUILTIN)
def test_builtin_family(family, check):
    check(family)


def test_kit_reports_what_to_fix():
    fixtures = load_registry(FIXTURE_PLUGINS)
    with pytest.raises(FamilyCheckError, match=r"returned shape \(64, 3\); return \(n, dims\)"):
        check_samples(fixtures.family("wrong-shape"))
    with pytest.raises(FamilyCheckError, match="NaN or inf"):
        check_samples(fixtures.family("nan-sampler"))
    check_log_prob(fixtures.family("zeros"))  # no likelihood declared: nothing to check
