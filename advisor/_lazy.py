"""Deferred imports, so that loading plugins to list cards or answer `recommend` stays fast.

Modules that register plugins are imported by every command. They bind heavy libraries with
`lazy_import`, which returns the module object at once and executes it on first attribute access.

Pitfall: *any* attribute access executes the module, including the `__class__` lookup that
`isinstance` makes. pluggy inspects every module-level name of a plugin module, so a module that is
itself registered as a plugin must not hold a lazy module at module level (import inside methods).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy_import"]


def lazy_import(name: str) -> ModuleType:
    """Return module `name`, executing it only when one of its attributes is first used."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
