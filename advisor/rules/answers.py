"""The answers the CLI and the HTTP API both give, as JSON-ready data (one source, identical output)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from advisor.store import open_store
from advisor.store.read import check_filters
from advisor.store.reference import choose_store

if TYPE_CHECKING:
    from advisor.cards import Need
    from advisor.rules.answer import DatasetAnswer, StoreAnswer

__all__ = ["recommendation", "dataset_recommendation", "claims_table", "needs_named"]


def needs_named(registry: Any, names: Iterable[str]) -> list[Need]:
    """The registered needs called `names`, each once, in the order given (InputError naming an unknown one)."""
    return [registry.need(name) for name in dict.fromkeys(names)]


def recommendation(
    registry: Any,
    need_names: list[str] | tuple[str, ...],
    db: str | None,
    *,
    budget: str | None = None,
    datasets: tuple[str, ...] = (),
    data_kind: str | None = None,
    device: str | None = None,
) -> StoreAnswer:
    """`advisor recommend`: the ranked answer with its evidence, read-only.

    Unless the evidence is narrowed (`datasets`, `data_kind`), the answer is also given per kind of
    data (`by_kind`), since the right family depends on it; `kinds_agree` says whether every kind has
    the same winners. The top-level ranking pools every kind.
    """
    from advisor.rules.answer import StoreAnswer
    from advisor.rules.engine import gather_for, no_measurements, rank_evidence

    needs = needs_named(registry, need_names)
    cards = registry.family_cards()
    location, note = choose_store(db)
    with open_store(location, readonly=True) as store:
        with store.connect() as conn:
            check_filters(conn, store.location, budget=budget, datasets=datasets)
        evidence = gather_for(
            store, needs, registry.metric_specs(), budget=budget, datasets=datasets, data_kind=data_kind, device=device
        )
        location = store.location  # a URL's password is masked
    if not evidence.candidates:
        raise no_measurements(location, budget=budget, data_kind=data_kind, device=device)
    pooled = rank_evidence(evidence, needs, cards)
    by_kind = None
    if not datasets and not data_kind:
        kinds: dict[str, list[str]] = {}
        for name, card in sorted(evidence.datasets.items()):
            kinds.setdefault(card.get("kind", "?"), []).append(name)
        by_kind = {kind: rank_evidence(evidence.restricted(names), needs, cards) for kind, names in kinds.items()}
    return StoreAnswer(
        **dict(pooled),
        store=location,
        note=note,
        by_kind=by_kind,
        kinds_agree=len({tuple(sorted(a.winners)) for a in by_kind.values()}) <= 1 if by_kind else None,
    )


def dataset_recommendation(
    registry: Any,
    need_names: list[str] | tuple[str, ...],
    db: str,
    dataset: str,
    *,
    budget: str | None = None,
    reference: str | None = None,
) -> DatasetAnswer:
    """The answer on one measured dataset (a user's file), beside the ranking on `reference`'s datasets
    of the same kind: what `advisor recommend --data` and the API's `/datasets/NAME/recommend` give,
    read-only, without measuring anything.

    Raises NoMeasurements when `dataset` has no measurements in `db` within `budget`.
    """
    from advisor.errors import AdvisorError
    from advisor.rules.answer import DatasetAnswer
    from advisor.rules.engine import recommend as rank
    from advisor.rules.rankings import ranking_difference
    from advisor.store.read import dataset_cards

    needs = needs_named(registry, need_names)
    cards, specs = registry.family_cards(), registry.metric_specs()
    with open_store(db, readonly=True) as store:
        with store.connect() as conn:
            check_filters(conn, store.location, budget=budget, datasets=(dataset,))
            kind = dataset_cards(conn).get(dataset, {}).get("kind")
        mine = rank(store, needs, cards, specs, budget=budget, datasets=(dataset,))
        location = store.location
    theirs, reference_location = None, None
    if reference is not None:
        with open_store(reference, readonly=True) as store:
            reference_location = store.location  # a URL's password masked, as `location`'s
            try:
                theirs = rank(store, needs, cards, specs, data_kind=kind)
            except AdvisorError:
                theirs = None  # the reference holds nothing of this kind
    return DatasetAnswer(
        store=location,
        dataset=dataset,
        kind=kind,
        your_data=mine,
        reference=theirs,
        reference_store=reference_location,
        difference=ranking_difference(mine, theirs) if theirs else None,
    )


def claims_table(
    registry: Any,
    db: str | None,
    *,
    budget: str | None = None,
    datasets: tuple[str, ...] = (),
    data_kind: str | None = None,
) -> dict:
    """`advisor table --json`: measured grades beside the textbook claims, read-only."""
    from advisor.rules.table import comparison_table

    location, note = choose_store(db)
    with open_store(location, readonly=True) as store:
        with store.connect() as conn:
            check_filters(conn, store.location, budget=budget, datasets=datasets)
        data = comparison_table(
            store,
            registry.family_cards(),
            registry.metric_specs(),
            budget=budget,
            datasets=datasets,
            data_kind=data_kind,
        )
        location = store.location
    return {"store": location, **({"note": note} if note else {}), **data}
