"""Listing plugins must stay cheap: no torch, scikit-learn or executed numpy on that path."""

import subprocess
import sys

CHECK = """
import sys
from advisor.plugins import load_registry
registry = load_registry()
assert registry.families and registry.datasets and registry.metrics
heavy = [m for m in ("torch", "sklearn", "zuko", "diffusers") if m in sys.modules]
numpy = sys.modules.get("numpy")
executed = numpy is not None and type(numpy).__name__ != "_LazyModule"
print(heavy, executed)
"""


def test_loading_every_plugin_imports_nothing_heavy():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] False"
