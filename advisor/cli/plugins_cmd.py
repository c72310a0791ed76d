"""`advisor plugins`: what is loaded (families, datasets, metrics, needs) and what is broken."""

from __future__ import annotations

from typing import Any

import click

from advisor.cli.common import json_option, print_json, print_table, registry_from, stdout

__all__ = ["plugins"]


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
@json_option
@click.pass_context
def list_plugins(ctx: click.Context, as_json: bool) -> None:
    """List families with their cards, datasets, metrics, needs, and broken plugins with errors."""
    listing = _listing(registry_from(ctx))
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
