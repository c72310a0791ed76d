"""Listing plugins stays cheap: the peers register without importing sdv, torch or pandas."""

import importlib
import subprocess
import sys

import pytest

from advisor_sdv import SDVCTGAN, SDVTVAE, SDVCopula

HEAVY = ("sdv", "ctgan", "copulas", "rdt", "torch", "pandas")


def test_registering_the_peers_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from advisor.plugins import load_registry\n"
        f"heavy = {HEAVY!r}\n"
        "before = {m for m in heavy if m in sys.modules}\n"  # whatever the core or other plugins load
        "import advisor_sdv\n"
        "advisor_sdv.advisor_families(lambda family: family.card)\n"
        "print(sorted({m for m in heavy if m in sys.modules} - before))\n"
        "registry = load_registry()\n"
        "print(sorted(n for n in ('sdv-copula', 'sdv-ctgan', 'sdv-tvae') if registry.family(n)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["[]", "['sdv-copula', 'sdv-ctgan', 'sdv-tvae']"]


@pytest.mark.parametrize("family", [SDVCopula, SDVCTGAN, SDVTVAE], ids=lambda f: f.card.name)
def test_heavy_imports_are_declared_and_importable(family):
    assert "sdv.single_table" in family.heavy_imports
    for module in family.heavy_imports:
        importlib.import_module(module)


@pytest.mark.parametrize("family", [SDVCopula, SDVCTGAN, SDVTVAE], ids=lambda f: f.card.name)
def test_cards_say_peer_and_claim_no_likelihood(family):
    assert family.card.peer_of == "SDV"
    assert family.card.likelihood == "none"
    assert family.card.data_kinds == {"tabular"}
    assert any("Patki" in reference for reference in family.card.references)
