"""The plugin manager: loads every plugin, isolates broken ones, and holds what they registered.

Plugins come from the entry-point group ``advisor`` (built-ins and pip-installed packages alike) and
from single ``.py`` files in a plugins directory (``--plugins-dir`` / ``ADVISOR_PLUGINS_DIR``). Each
plugin is all-or-nothing: if importing it, validating its hooks, or anything it registers fails, the
plugin is recorded as broken with its error and nothing of it is kept; every other plugin still loads.
A plugin whose import hangs or ends the process is found by `find_import_faults` in a child process
(`advisor plugins list` and `validate` use it) and is then listed as broken without being imported.
Other commands do not pay for that child; under `import_watchdog` a plugin whose import blocks ends
the command with exit code 2 and a message naming it, instead of a command that never returns.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
import pydantic
import pydantic_core

import advisor
from advisor import hookspecs
from advisor.cards import DatasetCard, FamilyCard, MetricSpec, Need
from advisor.errors import InputError, unknown_name

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = [
    "PluginInfo",
    "BrokenPlugin",
    "Registry",
    "load_registry",
    "find_import_faults",
    "import_watchdog",
    "watchdog_limit",
    "ENTRY_POINT_GROUP",
    "IMPORT_WATCHDOG_ENV",
    "IMPORT_WATCHDOG_S",
]

#: how long one plugin's import (and registration) may block a command under `import_watchdog` (seconds;
#: the environment variable overrides it)
IMPORT_WATCHDOG_S = 60.0
IMPORT_WATCHDOG_ENV = "ADVISOR_PLUGIN_IMPORT_LIMIT"
#: the plugin `load_registry` is loading now and since when (`time.monotonic()`), if any: what the watchdog reads
_loading: list[tuple[PluginInfo, float]] = []

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
_BUILTIN_DISTRIBUTION = "advisor"


@dataclass(frozen=True)
class PluginInfo:
    """Where a plugin came from."""

    name: str
    source: str
    version: str | None = None


@dataclass(frozen=True)
class BrokenPlugin:
    """A plugin that could not be loaded, with the reason.

    `claimed` holds the (kind, name) pairs it registered or tried to register before it was refused,
    so a lookup of one of those names can say which broken plugin holds it.
    """

    name: str
    source: str
    error: str
    claimed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Registered:
    """One registered object and the plugin that registered it."""

    obj: Any
    plugin: PluginInfo


class RegistrationError(Exception):
    """A plugin registered something the advisor cannot use."""


def _checked_family(obj: Any) -> tuple[str, Any]:
    from advisor.family import Family

    if not (isinstance(obj, type) and issubclass(obj, Family)):
        raise RegistrationError(f"advisor_families registered {obj!r}, which is not a Family subclass")
    card = getattr(obj, "card", None)
    if not isinstance(card, FamilyCard):
        raise RegistrationError(f"family class {obj.__name__} has no `card = FamilyCard(...)`")
    if obj.original_columns and card.likelihood != "none":
        raise RegistrationError(
            f"family {card.name!r} models a table's own columns (original_columns) and declares likelihood "
            f"{card.likelihood!r}: a density of those columns is not one in the encoding every family is "
            "compared in; declare likelihood 'none'"
        )
    return card.name, obj


def _checked_dataset(obj: Any) -> tuple[str, Any]:
    from advisor.data.base import Dataset

    if not (isinstance(obj, type) and issubclass(obj, Dataset)):
        raise RegistrationError(f"advisor_datasets registered {obj!r}, which is not a Dataset subclass")
    if not isinstance(getattr(obj, "card", None), DatasetCard):
        raise RegistrationError(f"dataset class {obj.__name__} has no `card = DatasetCard(...)`")
    return obj.card.name, obj


def _checked_metric(obj: Any) -> tuple[str, Any]:
    from advisor.metrics.base import Metric
    from advisor.rules.derived import DERIVED_OBJECTIVES

    if not (isinstance(obj, type) and issubclass(obj, Metric)):
        raise RegistrationError(f"advisor_metrics registered {obj!r}, which is not a Metric subclass")
    if not isinstance(getattr(obj, "spec", None), MetricSpec):
        raise RegistrationError(f"metric class {obj.__name__} has no `spec = MetricSpec(...)`")
    if obj.spec.name in DERIVED_OBJECTIVES:
        raise RegistrationError(f"metric {obj.spec.name!r} is the name of an objective the rule engine derives")
    return obj.spec.name, obj


def _checked_need(obj: Any) -> tuple[str, Any]:
    if not isinstance(obj, Need):
        raise RegistrationError(f"advisor_needs registered {obj!r}, which is not a Need")
    return obj.name, obj


# hook name -> (kind used in messages, validator returning (name, object))
_KINDS: dict[str, tuple[str, Callable[[Any], tuple[str, Any]]]] = {
    "advisor_families": ("family", _checked_family),
    "advisor_datasets": ("dataset", _checked_dataset),
    "advisor_metrics": ("metric", _checked_metric),
    "advisor_needs": ("need", _checked_need),
}


_KIND_NAMES = tuple(kind for kind, _ in _KINDS.values())


@dataclass
class Registry:
    """Everything the loaded plugins registered, by kind and name, plus the broken plugins."""

    families: dict[str, Registered] = field(default_factory=dict)
    datasets: dict[str, Registered] = field(default_factory=dict)
    metrics: dict[str, Registered] = field(default_factory=dict)
    needs: dict[str, Registered] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)
    broken: list[BrokenPlugin] = field(default_factory=list)

    def _table(self, kind: str) -> dict[str, Registered]:
        return {"family": self.families, "dataset": self.datasets, "metric": self.metrics, "need": self.needs}[kind]

    def get(self, kind: str, name: str) -> Any:
        """Return the registered `kind` ('family', 'dataset', 'metric', 'need') called `name`.

        InputError when it is unknown (naming the broken plugin that holds it, or every broken plugin
        that might), or when a broken plugin claimed the same name (naming both plugins).
        """
        table = self._table(kind)
        claimants = [b for b in self.broken if (kind, name) in b.claimed]
        if name in table and claimants:
            owner = table[name].plugin
            raise InputError(
                f"{kind} {name!r} is claimed by two plugins: {owner.name!r} ({owner.source}) registered it, and "
                f"the broken plugin that was refused for it:\n{_listed(claimants)}\nRename the {kind} in one of "
                "them, or uninstall one, so the name means one thing."
            )
        if name in table:
            return table[name].obj
        if claimants:
            raise InputError(f"{kind} {name!r} is not loaded: it belongs to a broken plugin:\n{_listed(claimants)}")
        broken = [b for b in self.broken if not any(k == kind for k, _ in b.claimed)]
        hint = f"\nIt may belong to a broken plugin (fix it, then try again):\n{_listed(broken)}" if broken else ""
        raise InputError(f"{unknown_name(kind, name, table)}{hint}")

    def family(self, name: str) -> Any:
        """The family class called `name` (or a variant `family@key=value`); InputError if unknown."""
        from advisor.variants import make_variant, parse_variant

        base, options = parse_variant(name)
        cls = self.get("family", base)
        return make_variant(cls, name, options) if options else cls

    def family_plugin(self, name: str) -> PluginInfo:
        """The plugin that registered family `name` (a variant's base family)."""
        from advisor.variants import parse_variant

        self.family(name)  # refuses unknown names and options
        return self.families[parse_variant(name)[0]].plugin

    def dataset(self, name: str) -> Any:
        """The dataset class called `name`; InputError listing valid names if unknown."""
        return self.get("dataset", name)

    def metric(self, name: str) -> Any:
        """The metric class called `name`; InputError listing valid names if unknown."""
        return self.get("metric", name)

    def need(self, name: str) -> Need:
        """The need called `name`; InputError listing valid names if unknown."""
        return self.get("need", name)

    def family_cards(self) -> dict[str, dict]:
        """Every registered family's card as JSON-ready data, by family name."""
        return {name: entry.obj.card.model_dump(mode="json") for name, entry in self.families.items()}

    def metric_specs(self) -> dict[str, MetricSpec]:
        """Every registered metric's spec (how it is compared), by metric name."""
        return {name: entry.obj.spec for name, entry in self.metrics.items()}

    def _drop_plugin(self, info: PluginInfo, error: str) -> None:
        """Take back everything `info` registered and record it as broken (plugins are all-or-nothing)."""
        claimed = []
        for kind in _KIND_NAMES:
            table = self._table(kind)
            for name in [n for n, entry in table.items() if entry.plugin == info]:
                claimed.append((kind, name))
                del table[name]
        self.plugins.remove(info)
        self.broken.append(BrokenPlugin(info.name, info.source, error, tuple(claimed)))

    def _check_needs(self) -> None:
        """Refuse needs whose objectives are neither registered metrics nor derived objectives.

        Runs once every plugin is loaded (a need may rank by a metric another plugin registers); the
        plugin of a need that names an unknown objective is reported broken, naming need and field.
        """
        from advisor.rules.derived import DERIVED_OBJECTIVES

        known = set(self.metrics) | set(DERIVED_OBJECTIVES)
        for name, entry in list(self.needs.items()):
            if entry.plugin not in self.plugins:
                continue  # already dropped with an earlier need of the same plugin
            unknown = [m for m in entry.obj.objectives if m not in known]
            if unknown:
                suggestion = difflib.get_close_matches(unknown[0], sorted(known), n=1)
                hint = f" (did you mean {suggestion[0]!r}?)" if suggestion else ""
                self._drop_plugin(
                    entry.plugin,
                    f"RegistrationError: need {name!r}: objectives names {', '.join(map(repr, unknown))}, which is "
                    f"neither a registered metric nor a derived objective{hint}; known: {', '.join(sorted(known))}",
                )

    def _add_plugin(self, pm: pluggy.PluginManager, module: Any, info: PluginInfo) -> None:
        """Register one plugin module and everything it registers, or record it as broken."""
        staged: list[tuple[str, str, Any]] = []
        claimed: list[tuple[str, str]] = []  # every name it tried to register, refused or not
        try:
            pm.register(module, name=info.name)
            try:
                pm.check_pending()
                for hook_name, (kind, check) in _KINDS.items():
                    for impl in getattr(pm.hook, hook_name).get_hookimpls():
                        if impl.plugin_name != info.name:
                            continue

                        def register(obj: Any, kind: str = kind, check: Callable = check) -> None:
                            name, checked = check(obj)
                            claimed.append((kind, name))
                            if name in self._table(kind) or any(s[:2] == (kind, name) for s in staged):
                                owner = self._table(kind).get(name)
                                by = f" by plugin {owner.plugin.name!r}" if owner else ""
                                raise RegistrationError(f"{kind} {name!r} is already registered{by}")
                            staged.append((kind, name, checked))

                        impl.function(register=register)
            except BaseException:
                pm.unregister(name=info.name)
                raise
        except Exception as exc:  # noqa: BLE001 - any failure of a plugin is isolated and reported
            self.broken.append(BrokenPlugin(info.name, info.source, _describe(exc), tuple(claimed)))
            return
        for kind, name, obj in staged:
            self._table(kind)[name] = Registered(obj, info)
        self.plugins.append(info)


def _listed(broken: list[BrokenPlugin]) -> str:
    """Broken plugins in words, one per line: "  plugin 'x' (source): error"."""
    return "\n".join(f"  plugin {b.name!r} ({b.source}): {b.error}" for b in broken)


#: where library code lives (pydantic validating a card, pluggy calling a hook, the advisor itself):
#: a plugin's error points at the innermost frame outside them, the plugin's own line
_LIBRARY_DIRS = tuple(
    str(Path(module.__file__).parent) + os.sep for module in (pydantic, pydantic_core, pluggy, advisor)
)


def _plugin_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost traceback frame in the plugin's code (not in pydantic, pluggy, importlib or the advisor)."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(("<", *_LIBRARY_DIRS))
    ]
    return frames[-1] if frames else None


def _describe(exc: BaseException) -> str:
    """One readable paragraph for a plugin's failure: type, message and the plugin's line.

    A pydantic error (an invalid card) is given as its fields and messages, one clause each.
    """
    if isinstance(exc, pydantic.ValidationError):
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']} (got {e['input']!r})" for e in exc.errors()
        )
        message = f"invalid {exc.title}: {problems}"
    else:
        message = str(exc)
    frame = _plugin_frame(exc)
    where = f" (at {frame.filename}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {message}{where}"


def _entry_point_plugins() -> Iterator[tuple[PluginInfo, Callable[[], Any]]]:
    described: dict[int, tuple[str, str]] = {}  # a distribution's METADATA is parsed once, not per entry point

    def describe(ep: EntryPoint) -> tuple[str, str] | None:
        if ep.dist is None:
            return None
        if id(ep.dist) not in described:
            metadata = ep.dist.metadata
            described[id(ep.dist)] = (metadata["Name"], metadata["Version"])
        return described[id(ep.dist)]

    eps = sorted(
        entry_points(group=ENTRY_POINT_GROUP),
        key=lambda ep: ((describe(ep) or ("",))[0] != _BUILTIN_DISTRIBUTION, ep.name),
    )
    for ep in eps:
        dist = describe(ep)
        source = f"entry point {ep.value}" + (f" ({dist[0]} {dist[1]})" if dist else "")
        yield PluginInfo(ep.name, source, dist[1] if dist else None), ep.load


def _file_plugins(location: Path) -> Iterator[tuple[PluginInfo, Callable[[], Any]]]:
    """The single-file plugins in directory `location`, or `location` itself when it is one .py file."""
    if location.is_file() and location.suffix == ".py":
        paths = [location]
    elif location.is_dir():
        paths = sorted(location.glob("*.py"))
    else:
        raise InputError(f"plugins directory {str(location)!r} does not exist or is not a directory")
    for path in paths:
        yield PluginInfo(path.stem, str(path)), functools.partial(_import_file, path)


def _import_file(path: Path) -> ModuleType:
    module_name = f"advisor_plugins_dir.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _sources(plugins_dir: str | None) -> list[tuple[PluginInfo, Callable[[], Any]]]:
    sources = list(_entry_point_plugins())
    if plugins_dir:
        sources += list(_file_plugins(Path(plugins_dir)))
    return sources


def _load_into(
    registry: Registry,
    plugins_dir: str | None,
    faults: tuple[BrokenPlugin, ...],
    before_each: Callable[[PluginInfo], None] = lambda info: None,
    after_each: Callable[[PluginInfo], None] = lambda info: None,
) -> None:
    """Load every plugin into `registry`, except those in `faults` (recorded broken with their reason).

    `before_each` is told which plugin is about to be imported and registered (`find_import_faults`),
    `after_each` when that is done, whether it worked or not (`import_watchdog`).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    faulty = {(fault.name, fault.source): fault for fault in faults}
    for info, load in _sources(plugins_dir):
        if (info.name, info.source) in faulty:
            registry.broken.append(faulty[info.name, info.source])
            continue
        if pm.has_plugin(info.name) or any(b.name == info.name for b in registry.broken):
            registry.broken.append(BrokenPlugin(info.name, info.source, "a plugin of this name is already loaded"))
            continue
        before_each(info)
        try:
            module = load()
        except Exception as exc:  # noqa: BLE001 - a plugin that fails to import is reported, not fatal
            registry.broken.append(BrokenPlugin(info.name, info.source, _describe(exc)))
            continue
        else:
            registry._add_plugin(pm, module, info)
        finally:
            after_each(info)
    registry._check_needs()


@functools.lru_cache(maxsize=8)
def _load(plugins_dir: str | None, faults: tuple[BrokenPlugin, ...]) -> Registry:
    registry = Registry()
    _load_into(
        registry,
        plugins_dir,
        faults,
        before_each=lambda info: _loading.append((info, time.monotonic())),
        after_each=lambda info: _loading.clear(),
    )
    return registry


def watchdog_limit() -> float:
    """Seconds one plugin may take to load under `import_watchdog`: `IMPORT_WATCHDOG_ENV`, else
    `IMPORT_WATCHDOG_S`; InputError when the variable is not a positive number of seconds."""
    given = os.environ.get(IMPORT_WATCHDOG_ENV)
    if not given:
        return IMPORT_WATCHDOG_S
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise InputError(f"{IMPORT_WATCHDOG_ENV} must be a number of seconds above 0, got {given!r}")
    return seconds


@contextmanager
def import_watchdog(seconds: float | None = None, poll_s: float = 0.5) -> Iterator[None]:
    """Within the block, a plugin that takes longer than `seconds` (default: `watchdog_limit()`) to import and
    register in `load_registry` ends the process with exit code 2 and a message naming it. An import cannot be
    interrupted, so the process ends; the commands load their plugins before they write anything. Each plugin
    is timed on its own: several slow imports in a row are not a blocking one."""
    limit = seconds if seconds is not None else watchdog_limit()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(poll_s):
            current = list(_loading)
            if current and time.monotonic() - current[0][1] > limit:
                info = current[0][0]
                sys.stderr.write(
                    f"Error: plugin {info.name!r} ({info.source}) was still loading after {limit:g} s: it blocks at "
                    "import time. `advisor plugins list` names such plugins without hanging; uninstall it or move "
                    f"it out of the plugins directory (or raise {IMPORT_WATCHDOG_ENV}).\n"
                )
                sys.stderr.flush()
                os._exit(2)

    watcher = threading.Thread(target=watch, name="advisor-import-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


def _resolved(plugins_dir: str | Path | None) -> str | None:
    return str(Path(plugins_dir).resolve()) if plugins_dir else None


def load_registry(plugins_dir: str | Path | None = None, faults: tuple[BrokenPlugin, ...] = ()) -> Registry:
    """Load all plugins (entry points, then the .py files in `plugins_dir`, or that one .py file) once per process.

    The plugins in `faults` (from `find_import_faults`) are not imported: they are listed as broken.
    """
    return _load(_resolved(plugins_dir), tuple(faults))


def _probe(sender: Connection, plugins_dir: str | None, faults: tuple[BrokenPlugin, ...]) -> None:
    """Child process: load every plugin, telling the parent which one is loading; None when all are done."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for descriptor in (1, 2):  # what a plugin prints must not reach the parent's output (JSON on stdout)
        os.dup2(devnull, descriptor)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    _load_into(Registry(), plugins_dir, faults, lambda info: sender.send((info.name, info.source)))
    sender.send(None)


def find_import_faults(plugins_dir: str | Path | None, time_limit_s: float) -> tuple[BrokenPlugin, ...]:
    """The plugins whose import (or registration) hangs past `time_limit_s` or ends the process.

    Every plugin is loaded first in a child process (forked: milliseconds), which says which plugin it
    is loading; when the child stops answering or dies, that plugin is the fault, and a new child
    goes on without it. Pass the result to `load_registry`, which then lists those plugins as broken
    instead of importing them. Commands that only list or check plugins use this; `recommend` and
    `bench` do not pay for it.
    """
    import multiprocessing

    location = _resolved(plugins_dir)
    _sources(location)  # a plugins directory that does not exist is an input error here, not in the child
    faults: list[BrokenPlugin] = []
    context = multiprocessing.get_context("fork")
    while True:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_probe, args=(sender, location, tuple(faults)), daemon=True)
        process.start()
        sender.close()
        loading, error = None, None
        try:
            while error is None:
                if not receiver.poll(time_limit_s):
                    error = f"its import did not finish within {time_limit_s:g} s (it blocks at import time)"
                    continue
                try:
                    loading = receiver.recv()
                except EOFError:
                    process.join(5)
                    error = f"its import ended the process ({_process_end(process.exitcode)})"
                    continue
                if loading is None:
                    return tuple(faults)
        finally:
            if process.is_alive():
                process.kill()
            process.join(5)
            receiver.close()
        if loading is None:  # the child failed before any plugin: nothing to blame, load as usual
            return tuple(faults)
        name, source = loading
        faults.append(BrokenPlugin(name, source, f"{error}; it was not loaded, so nothing it registers is available"))


def _process_end(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by signal {-code}"
    return f"exit code {code}"
