"""Does racing find the leader for less? Replay `recommend --data`'s race on tables measured in full.

    python benchmarks/racing.py [--db results.db] [--need best-quality] [--time-limit 600] [--jobs 2]

For every table of the store whose candidates all have 3 complete seeds, the race that `recommend
--data FILE --time-limit 10m --jobs 2` runs on that table is replayed (`advisor.runner.racing.run_race`
with the same order, noise priors and cost estimates as `advisor.runner.user_data`): the prior from
the other tables, then the cheapest; the cost estimates from the other tables' cells, extrapolated to
the table's shape and corrected by the cells the race has seen (`CostTracker`). Instead of running a
cell again, the replay reveals its stored runs (the race's cells are (family, table, seed, budget)
cells of the full measurement, and a cell is deterministic given its seed) and advances a clock by the
cell's stored wall time; `jobs` cells run side by side, each batch lasting as long as its slowest.

Printed per table: the race's leader and tie set, the full measurement's tie set (the engine's, for
the need, from every candidate's 3 seeds), cells run and their seconds against the full measurement's.
Then the issue's two numbers: the share of tables where the raced leader is in the full tie set (aim
90%) and the race's cell time against the full measurement's (aim at most 1/3).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Mapping

from advisor.budgets import get_budget
from advisor.plugins import load_registry
from advisor.rules.engine import gather_for, requirement_failures, scores_by_table
from advisor.rules.evidence import gather
from advisor.rules.prior import prior_for
from advisor.runner.planning import CostTracker, DataShape, estimate_costs
from advisor.runner.racing import DEFAULT_SEEDS, RaceState, noise_priors, race_metric, run_race, standings
from advisor.runner.user_data import ANSWER_RESERVE_S, race_order
from advisor.store import open_store
from advisor.store.read import cost_history

BUDGET = "quick"  # the regenerated store's budget; the race measures at the full measurement's


def replay(store, registry, needs, table: str, card: dict, time_limit: float, jobs: int) -> dict | None:
    """One table's race, replayed from its stored cells: what it ran, found and cost (None unless every
    candidate has its `DEFAULT_SEEDS` seeds on the table)."""
    specs = registry.metric_specs()
    others = gather_for(store, needs, specs, budget=BUDGET, data_kind="tabular")
    cards = {**registry.family_cards(), **others.cards}  # the SDV peers too, from their stored cards
    candidates = sorted(
        f for f, c in cards.items() if not requirement_failures(c, needs) and "tabular" in c.get("data_kinds", ())
    )
    with store.connect() as conn:
        cell_seconds = _cell_seconds(cost_history(conn, candidates, BUDGET), table)
    if any(len(cell_seconds.get(f, {})) < DEFAULT_SEEDS for f in candidates):
        return None
    rest = [t for t in others.datasets if t != table]
    prior = prior_for(others, needs, cards, card["meta"], exclude=[table])
    shape = DataShape.of(card.get("dims"), card.get("size"), get_budget(BUDGET))
    costs = estimate_costs([store], candidates, "tabular", BUDGET, shape, exclude=[table])
    order = race_order(candidates, costs, prior)
    metric = race_metric(needs)
    priors = noise_priors(gather(store, [metric], specs, budget=BUDGET, datasets=rest), metric)
    tracker, clock, revealed = CostTracker(costs), [0.0], {f: 0 for f in candidates}
    deadline = time_limit - ANSWER_RESERVE_S

    def read_state():
        tried = {f: n for f, n in revealed.items() if n}
        evidence = gather(store, [metric], specs, budget=BUDGET, datasets=(table,), first_seeds=tried)
        return tried, standings(evidence, metric, table, priors)

    def fits(family: str) -> bool:
        return tracker.estimate(family) <= deadline - clock[0]

    def run(batch):
        for family, seed in batch:
            revealed[family] = max(revealed[family], seed + 1)
            tracker.observe(family, cell_seconds[family][seed])
        clock[0] += max(cell_seconds[f][s] for f, s in batch)
        return len(batch)

    outcome = run_race(order, read_state, fits, run, jobs=jobs)
    tried, standing = read_state()
    leader = RaceState(order, tried, standing, DEFAULT_SEEDS).leader()
    full = scores_by_table(others.restricted([table]), needs, cards)[table]
    full_tie = sorted({label.split("/")[0] for label, s in full.items() if s == max(full.values())})
    used = sum(cell_seconds[f][s] for f, n in tried.items() for s in range(n))
    whole = sum(sum(by_seed.values()) for by_seed in cell_seconds.values())
    return {
        "table": table,
        "order": order,
        "leader": leader.family if leader else None,
        "race_tie_set": outcome.tie_set,
        "full_tie_set": full_tie,
        "hit": bool(leader and leader.family in full_tie),
        "cells": sum(tried.values()),
        "cells_full": DEFAULT_SEEDS * len(candidates),
        "seconds": used,
        "seconds_full": whole,
        "wall": clock[0],
        "raced_out": sorted(outcome.raced_out),
        "waiting": outcome.waiting,
    }


def _cell_seconds(records, table: str) -> dict[str, dict[int, float]]:
    """Family -> seed -> the wall seconds of its cell on `table` (the samplers of one cell share them)."""
    by_family: dict[str, dict[int, float]] = {}
    for r in records:
        if r.dataset == table and r.cell_seconds is not None:
            by_family.setdefault(r.family, {})[r.seed] = r.cell_seconds
    return by_family


def main() -> None:
    """Replay the race on every whole table and print the issue's two numbers."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="results.db")
    parser.add_argument("--need", action="append", dest="needs")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds (default 10 min)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="also write every table's replay to this file")
    args = parser.parse_args()
    registry = load_registry()
    needs = [registry.need(n) for n in args.needs or ["best-quality"]]
    rows = []
    with open_store(args.db, readonly=True) as store:
        evidence = gather_for(store, needs, registry.metric_specs(), budget=BUDGET, data_kind="tabular")
        for table, card in sorted(evidence.datasets.items()):
            if isinstance(card.get("meta"), dict) and (
                row := replay(store, registry, needs, table, card, args.time_limit, args.jobs)
            ):
                rows.append(row)
    _print(rows)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


def _print(rows: list[Mapping]) -> None:
    for row in rows:
        print(
            f"{row['table']:28s} leader {row['leader']!s:15s} {'hit ' if row['hit'] else 'MISS'} "
            f"full tie {','.join(row['full_tie_set']):30s} cells {row['cells']:2d}/{row['cells_full']} "
            f"time {row['seconds']:6.0f}/{row['seconds_full']:6.0f} s"
        )
    if rows:
        hit = statistics.fmean(r["hit"] for r in rows)
        share = sum(r["seconds"] for r in rows) / sum(r["seconds_full"] for r in rows)
        print(f"{len(rows)} tables: leader in the full tie set on {hit:.0%}; cell time {share:.0%} of the full's")


if __name__ == "__main__":
    main()
