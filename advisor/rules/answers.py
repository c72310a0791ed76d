"""The answers the CLI and the HTTP API both give, as JSON-ready data (one source, identical output)."""

from __future__ import annotations

from typing import Any

from advisor.store import open_store
from advisor.store.queries import check_filters
from advisor.store.reference import choose_store

__all__ = ["recommendation", "claims_table"]


def recommendation(
    registry: Any,
    need_names: list[str] | tuple[str, ...],
    db: str | None,
    *,
    budget: str | None = None,
    datasets: tuple[str, ...] = (),
    data_kind: str | None = None,
    device: str | None = None,
) -> dict[str, Any]:
    """`advisor recommend --json`: the ranked answer with its evidence, read-only."""
    from advisor.rules.engine import recommend as rank

    needs = [registry.need(name) for name in dict.fromkeys(need_names)]
    location, note = choose_store(db)
    with open_store(location, readonly=True) as store:
        check_filters(store, budget=budget, datasets=datasets)
        answer = rank(
            store, needs, registry.family_cards(), budget=budget, datasets=datasets, data_kind=data_kind, device=device
        )
        location = store.location  # a URL's password is masked
    return {"store": location, **({"note": note} if note else {}), **answer.to_dict()}


def claims_table(registry: Any, db: str | None, *, budget: str | None = None, datasets: tuple[str, ...] = ()) -> dict:
    """`advisor table --json`: measured grades beside the textbook claims, read-only."""
    from advisor.rules.table import comparison_table

    location, note = choose_store(db)
    with open_store(location, readonly=True) as store:
        check_filters(store, budget=budget, datasets=datasets)
        data = comparison_table(store, registry.family_cards(), budget=budget, datasets=datasets)
        location = store.location
    return {"store": location, **({"note": note} if note else {}), **data}
