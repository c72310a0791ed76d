"""`advisor plugins`: what is loaded (families, datasets, metrics, needs) and what is broken."""

from __future__ import annotations

from typing import Any

import click

from advisor.cli.common import Duration, json_option, print_json, print_table, stdout

__all__ = ["plugins"]

#: longest a plugin's import may take when listing or validating (a plugin importing torch: ~2 s)
IMPORT_TIME_LIMIT_S = 20.0


def _import_time_limit(fn: Any) -> Any:
    """--import-time-limit: a plugin whose import runs longer (or ends the process) is listed as broken."""
    return click.option(
        "--import-time-limit",
        "import_time_limit",
        type=Duration(),
        default=IMPORT_TIME_LIMIT_S,
        show_default=True,
        metavar="DURATION",
        help="Each plugin is first imported in a child process: one whose import runs longer than this, or ends "
        "its process, is listed as broken and not imported here.",
    )(fn)


def _isolated_registry(plugins_dir: str | None, time_limit_s: float) -> tuple[Any, tuple]:
    """The registry with every plugin whose import hangs or ends the process left out (broken); and those."""
    from advisor.plugins import find_import_faults, load_registry

    faults = find_import_faults(plugins_dir, time_limit_s)
    return load_registry(plugins_dir, faults), faults


@click.group()
def plugins() -> None:
    """Inspect the loaded plugins."""


def _listing(registry: Any) -> dict[str, Any]:
    def entries(table: dict, attribute: str) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                attribute: getattr(entry.obj, attribute).model_dump(mode="json"),
                "plugin": entry.plugin.name,
                "source": entry.plugin.source,
            }
            for name, entry in sorted(table.items())
        ]

    return {
        "families": entries(registry.families, "card"),
        "datasets": entries(registry.datasets, "card"),
        "metrics": entries(registry.metrics, "spec"),
        "needs": [
            {"name": n, "need": e.obj.model_dump(mode="json"), "plugin": e.plugin.name, "source": e.plugin.source}
            for n, e in sorted(registry.needs.items())
        ],
        "plugins": [{"name": p.name, "source": p.source, "version": p.version} for p in registry.plugins],
        "broken": [{"name": b.name, "source": b.source, "error": b.error} for b in registry.broken],
    }


@plugins.command("list")
@_import_time_limit
@json_option
@click.pass_context
def list_plugins(ctx: click.Context, import_time_limit: float, as_json: bool) -> None:
    """List families with their cards, datasets, metrics, needs, and broken plugins with errors.

    A plugin whose import hangs or ends its process is listed as broken, and the others still are.
    """
    registry, _ = _isolated_registry(ctx.find_root().params.get("plugins_dir"), import_time_limit)
    listing = _listing(registry)
    if as_json:
        print_json(listing)
        return
    print_table(
        "Families",
        ["name", "title", "likelihood", "latent", "training", "sampling", "cond.", "data", "samplers", "plugin"],
        [
            [
                f["name"],
                c["title"],
                c["likelihood"],
                c["latent"],
                c["training"],
                c["sampling"],
                c["conditioning"],
                c["data_kinds"],
                c["samplers"],
                f["plugin"],
            ]
            for f in listing["families"]
            for c in [f["card"]]
        ],
    )
    print_table(
        "Datasets",
        ["name", "title", "kind", "dims", "classes", "known density", "plugin"],
        [
            [d["name"], c["title"], c["kind"], c["dims"], c["classes"], c["known_density"], d["plugin"]]
            for d in listing["datasets"]
            for c in [d["card"]]
        ],
    )
    print_table(
        "Metrics",
        ["name", "title", "unit", "better", "category"],
        [
            [m["name"], s["title"], s["unit"], "higher" if s["higher_is_better"] else "lower", s["category"]]
            for m in listing["metrics"]
            for s in [m["spec"]]
        ],
    )
    if listing["needs"]:
        print_table(
            "Needs",
            ["name", "title", "plugin"],
            [[n["name"], n["need"]["title"], n["plugin"]] for n in listing["needs"]],
        )
    if listing["broken"]:
        print_table(
            "Broken plugins",
            ["name", "source", "error"],
            [[b["name"], b["source"], b["error"]] for b in listing["broken"]],
        )
    else:
        stdout().print(f"{len(listing['plugins'])} plugins loaded, none broken.")


@plugins.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Where to create the advisor-NAME package folder.",
)
def new(name: str, directory: str) -> None:
    """Create a pip-installable family plugin package with a working model and its tests."""
    from pathlib import Path

    from advisor.scaffold import new_plugin

    target = new_plugin(name, Path(directory))
    lines = (
        f"created {target}",
        "next:",
        f"  pip install -e {target}",
        f"  pytest {target}",
        f"  advisor bench --family {name} --dataset ring8 --budget smoke",
    )
    stdout().print("\n".join(lines), markup=False)


def _no_result_fix(result: Any) -> str:
    """What to fix when a check's process ended without a result, by how it ended (a `CheckResult`)."""
    from advisor.testing import CheckResult

    return {
        CheckResult.TIMEOUT: "fit or sample hangs, or is slower than the smoke budget allows: finish within "
        "budget.train_steps steps and return from sample()",
        CheckResult.CRASHED: "the plugin ended its process (os._exit, a crash in native code): raise an exception "
        "instead, and run `check_family` under pytest to see where",
        CheckResult.INTERRUPTED: "the validation was stopped before this check ended: run it again",
    }[result]


@plugins.command()
@click.argument("target")
@click.option(
    "--time-limit",
    type=Duration(),
    metavar="DURATION",
    help="Longest one check may run, e.g. 90s or 5m (default: three smoke-budget cells, as a check fits "
    "on up to three datasets).",
)
@_import_time_limit
@json_option
@click.pass_context
def validate(
    ctx: click.Context, target: str, time_limit: float | None, import_time_limit: float, as_json: bool
) -> None:
    """Run the conformance kit on a family: a registered NAME or the PATH of a plugin .py file.

    Each check runs in its own process with a time limit, as a bench cell does: a check that kills its
    process is reported and the others still run; after one that hangs, the rest are reported as not
    run (each would wait as long). A plugin whose import hangs or ends its process is reported as
    broken (a file) or left out (another plugin). Exits 1 when a check does not pass; each failure
    says what to fix.
    """
    from pathlib import Path

    from advisor.budgets import get_budget
    from advisor.errors import InputError
    from advisor.runner.isolation import run_in_child
    from advisor.testing import CHECKS, CheckResult, run_check

    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise InputError(f"no such plugin file: {target}")
        location: str | None = str(path.resolve())  # this file only, not its neighbours
        registry, faults = _isolated_registry(location, import_time_limit)
        for broken in registry.broken:
            if broken.name == path.stem:
                raise InputError(f"{target} does not load: {broken.error}")
        names = [name for name, e in registry.families.items() if e.plugin.source == location]
        if not names:
            raise InputError(f"{target} registers no family (does it define an advisor_families hook?)")
    else:
        location = ctx.find_root().params.get("plugins_dir")
        registry, faults = _isolated_registry(location, import_time_limit)
        names = [registry.family(target).card.name]
    limit = time_limit or 3 * get_budget("smoke").time_limit_s
    rows = []
    for name in names:
        timed_out = None  # the checks after one that ran out of time would wait as long each: not run
        for check in CHECKS:
            if timed_out:
                rows.append(
                    [name, check.__name__, CheckResult.NOT_RUN, f"{timed_out} ran past its time limit; fix that first"]
                )
                continue
            end = run_in_child(run_check, (location, name, check.__name__, faults), limit, f"advisor-check-{name}")
            if end.status is not None:
                result = CheckResult.without_result(end.status)
                if result is CheckResult.TIMEOUT:
                    timed_out = check.__name__
                rows.append([name, check.__name__, result, f"{end.reason}: {_no_result_fix(result)}"])
            else:
                rows.append(
                    [name, check.__name__, CheckResult.FAILS if end.result else CheckResult.OK, end.result or ""]
                )
    if as_json:
        print_json([dict(zip(("family", "check", "result", "what_to_fix"), row, strict=True)) for row in rows])
    else:
        print_table("Conformance", ["family", "check", "result", "what to fix"], rows)
    if any(row[2] is not CheckResult.OK for row in rows):
        ctx.exit(1)
