"""Does racing find the leader for less? Replay `recommend --data`'s race on tables measured in full.

    python benchmarks/racing.py [--db results.db] [--need best-quality] [--time-limit 600 ...] [--jobs 2]
                                [--every-candidate]

For every table of the store whose candidates all have 3 complete seeds, the race that `recommend
--data FILE --time-limit 10m --jobs 2` runs on that table is replayed with `advisor.runner.user_data`'s
own pieces: its candidates (`race_candidates`: the SDV peers too, as for a user who installed
advisor-sdv), the families it races (`raced_families`: the prior's shortlist, judged on the other tables
alone, or every candidate with `--every-candidate`), its order (`race_order`: the prior from the other
tables, then the cheapest), its noise
priors (`race_noise_priors`, the table left out), its cost estimates (the other tables' cells,
extrapolated to the table's shape and corrected by the cells the race has seen, `CostTracker`) and
`racing.run_race` itself. Instead of running a cell again, the replay reveals its stored runs (the
race's cells are (family, table, seed, budget) cells of the full measurement, and a cell is
deterministic given its seed) and advances a clock by the cell's stored wall time: `jobs` cells start
together and the batch lasts as long as its slowest; a cell still running at the deadline is stopped
and lost, as the runner stops it. Not replayed: reading the file and the grading ladder before the
race (a second or two on these tables).

Printed per table: the answer's winners on the raced cells (what `recommend --data` says after the
race, ranked by every objective of the need, ties robust to one seed; the first of them has the best
score with every raced seed) and the race's own leader (on its metric, the need's first objective),
the full measurement's tie set (the engine's first for the need, from every candidate's 3 seeds or
with any one seed left out: `advisor.rules.seed_robust`), cells run and their seconds against the full
measurement's; the tables left out, with the reason. Then the issue's two numbers: the share of tables
where the answer's first is in the full tie set (aim 90%), beside the share of the answer's winners
there (a tie of winners counts fractionally) and the race's leader's; and the race's cell time against
the full measurement's (aim at most 1/3).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from advisor.budgets import get_budget
from advisor.cards import Need
from advisor.plugins import Registry, load_registry
from advisor.rules.engine import gather_for, scores_by_table, tie_sets_by_table
from advisor.rules.evidence import Evidence, candidate_label, gather
from advisor.rules.prior import every_candidate_asked, hit, judged_prior
from advisor.rules.seed_robust import winners
from advisor.runner import racing
from advisor.runner.planning import CostTracker, DataShape, estimate_costs
from advisor.runner.racing import DEFAULT_SEEDS, RaceState, Standing, race_metric, run_race, standings
from advisor.runner.user_data import (
    ANSWER_RESERVE_S,
    race_candidates,
    race_noise_priors,
    race_order,
    raced_families,
)
from advisor.store import open_store
from advisor.store.engine import Store
from advisor.store.read import CostRecord, cost_history

BUDGET = "quick"  # the regenerated store's budget; the race measures at the full measurement's


class Replay:
    """One table's race, replayed on a clock from the table's stored cells."""

    def __init__(self, store: Store, table: str, cell_seconds: Mapping[str, Mapping[int, float]], deadline: float):
        self.store, self.table, self.cell_seconds, self.deadline = store, table, cell_seconds, deadline
        self.clock = 0.0
        self.spent = 0.0  # cell seconds used, those of the cells stopped at the deadline included
        self.revealed: dict[str, int] = {}

    def run(self, batch: list[tuple[str, int]], tracker: CostTracker) -> int:
        """Run `batch` side by side from now: a cell that ends by the deadline is revealed (and teaches the cost
        tracker), one that would not is stopped there and lost. Returns how many cells completed."""
        completed = 0
        for family, seed in batch:
            seconds = self.cell_seconds[family][seed]
            self.spent += min(seconds, self.deadline - self.clock)
            if self.clock + seconds <= self.deadline:
                self.revealed[family] = max(self.revealed.get(family, 0), seed + 1)
                tracker.observe(family, seconds)
                completed += 1
        self.clock = min(self.deadline, self.clock + max(self.cell_seconds[f][s] for f, s in batch))
        return completed

    def state(
        self, metric: str, specs: Mapping, priors: Mapping[str, float]
    ) -> tuple[dict[str, int], dict[str, Standing]]:
        """Seeds revealed per family, and the standings they give (what the race reads from the store)."""
        tried = dict(self.revealed)
        evidence = gather(self.store, [metric], specs, budget=BUDGET, datasets=(self.table,), first_seeds=tried)
        return tried, standings(evidence, metric, self.table, priors)


def replay(
    store: Store,
    registry: Registry,
    needs: list[Need],
    measured: Evidence,
    table: str,
    time_limit: float,
    jobs: int,
    every_candidate: bool = False,
) -> dict[str, Any]:
    """One table's race, replayed from its stored cells (`measured`: the store's tabular evidence for `needs`):
    what it ran, found and cost; or {"skipped": reason}."""
    specs = registry.metric_specs()
    card = measured.datasets[table]
    cards = {**registry.family_cards(), **measured.cards}  # the SDV peers too, from their stored cards
    candidates = race_candidates(cards, needs, "tabular")
    with store.connect() as conn:
        cell_seconds = _cell_seconds(cost_history(conn, candidates, BUDGET), table)
    short = [f for f in candidates if len(cell_seconds.get(f, {})) < DEFAULT_SEEDS]
    one_table = measured.restricted([table])
    full = scores_by_table(one_table, needs, cards).get(table)
    if short or not full:
        return {
            "table": table,
            "skipped": f"fewer than {DEFAULT_SEEDS} complete seeds: {', '.join(short)}"
            if short
            else "no score for the need on it",
        }
    prior = judged_prior(measured, needs, cards, card["meta"], exclude=[table])  # its shortlist from the others
    shape = DataShape.of(card.get("dims"), card.get("size"), get_budget(BUDGET))
    costs = estimate_costs([store], candidates, "tabular", BUDGET, shape, exclude=[table])
    if every_candidate:
        prior = every_candidate_asked(prior)
    order = race_order(raced_families(candidates, prior), costs, prior)
    metric = race_metric(needs)
    priors = race_noise_priors([store], specs, metric, "tabular", BUDGET, exclude=[table])
    tracker, clock = CostTracker(costs), Replay(store, table, cell_seconds, time_limit - ANSWER_RESERVE_S)
    outcome = run_race(
        order,
        lambda: clock.state(metric, specs, priors),
        lambda family: tracker.estimate(family) <= clock.deadline - clock.clock,
        lambda batch: clock.run(batch, tracker),
        jobs=jobs,
    )
    tried, standing = clock.state(metric, specs, priors)
    leader = RaceState(order, tried, standing, DEFAULT_SEEDS).leader()
    families = {candidate_label(c): c[0] for c in measured.candidates}
    full_tie = sorted({families[label] for label in tie_sets_by_table(one_table, needs, cards, {table: full})[table]})
    raced = gather_for(store, needs, specs, budget=BUDGET, datasets=(table,), first_seeds=tried)
    raced_scores = scores_by_table(raced, needs, cards)  # the race's cells are on `table` alone
    answer = sorted({families[label] for label in tie_sets_by_table(raced, needs, cards, raced_scores).get(table, ())})
    answer_leader = sorted({families[label] for label in winners(raced_scores.get(table, {}))})
    whole = sum(cell_seconds[f][s] for f in candidates for s in range(DEFAULT_SEEDS))
    return {
        "table": table,
        "order": order,  # the families raced: the prior's shortlist, or every candidate
        "candidates": len(candidates),
        "leader": leader.family if leader else None,  # on the race's metric
        "race_tie_set": outcome.tie_set,
        "answer": answer,  # the answer's winners on the raced cells, for the need (every objective)
        "answer_leader": answer_leader,  # the first of them: the best score with every raced seed
        "leader_of_answer_hit": hit(answer_leader, set(full_tie)),
        "full_tie_set": full_tie,
        "hit": hit(answer, set(full_tie)),
        "leader_hit": bool(leader and leader.family in full_tie),
        "cells": sum(tried.values()),
        "cells_full": DEFAULT_SEEDS * len(candidates),
        "seconds": clock.spent,
        "seconds_full": whole,
        "wall": clock.clock,
        "raced_out": sorted(outcome.raced_out),
        "waiting": outcome.waiting,
    }


def _cell_seconds(records: Sequence[CostRecord], table: str) -> dict[str, dict[int, float]]:
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
    parser.add_argument(
        "--time-limit",
        type=float,
        action="append",
        dest="time_limits",
        help="seconds (default 600: 10 min); several: one summary per limit, the trade-off of time against the hit",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="also write every table's replay to this file")
    parser.add_argument(
        "--drop-untied",
        action="store_true",
        help="a what-if: race out every candidate not tied with the leader (the answer's own tie rule), not only "
        "those whose band lies wholly below the leader's (`seednoise.clearly_behind`)",
    )
    parser.add_argument(
        "--every-candidate",
        action="store_true",
        help="race every candidate, as `recommend --data --every-candidate` does, not only the prior's shortlist",
    )
    args = parser.parse_args()
    if args.drop_untied:
        # raced out = behind_leader > 0 alone; never a candidate without any noise estimate (infinite error)
        racing.clearly_behind = lambda candidate, leader: not math.isinf(candidate[1])
    registry = load_registry()
    needs = [registry.need(n) for n in args.needs or ["best-quality"]]
    limits = args.time_limits or [600.0]
    rows = []
    with open_store(args.db, readonly=True) as store:
        evidence = gather_for(store, needs, registry.metric_specs(), budget=BUDGET, data_kind="tabular")
        tables = [t for t, card in sorted(evidence.datasets.items()) if isinstance(card.get("meta"), dict)]
        for limit in limits:
            replays = [
                {
                    "time_limit": limit,
                    **replay(store, registry, needs, evidence, table, limit, args.jobs, args.every_candidate),
                }
                for table in tables
            ]
            if len(limits) > 1:
                print(f"time limit {limit:g} s:")
            _print(replays, per_table=len(limits) == 1, left_out=limit == limits[0])
            rows += replays
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


def _print(rows: list[Mapping], *, per_table: bool = True, left_out: bool = True) -> None:
    """The tables `left_out` and, with `per_table`, one line per table; then the share of hits and of cell time."""
    for row in (r for r in rows if "skipped" in r and left_out):
        print(f"{row['table']:28s} left out: {row['skipped']}")
    rows = [r for r in rows if "skipped" not in r]
    if not rows:
        print("no table replayed: none has every candidate on 3 complete seeds and meta-features")
    for row in rows if per_table else ():
        print(
            f"{row['table']:28s} raced {len(row['order']):2d}/{row['candidates']} answer "
            f"{','.join(row['answer']):24s} {row['hit']:4.0%} race leader "
            f"{row['leader']!s:14s} full tie {','.join(row['full_tie_set']):24s} cells {row['cells']:2d}/"
            f"{row['cells_full']} time {row['seconds']:6.0f}/{row['seconds_full']:6.0f} s"
            + ("  (time limit reached)" if row["waiting"] else "")
        )
    if rows:
        answer = statistics.fmean(r["hit"] for r in rows)
        leader = statistics.fmean(r["leader_hit"] for r in rows)
        share = sum(r["seconds"] for r in rows) / sum(r["seconds_full"] for r in rows)
        print(
            f"{len(rows)} tables: the answer's first in the full tie set on "
            f"{statistics.fmean(r['leader_of_answer_hit'] for r in rows):.0%}, its winners on {answer:.0%} "
            f"({statistics.fmean(len(r['answer']) for r in rows):.1f} on average; the full tie set "
            f"{statistics.fmean(len(r['full_tie_set']) for r in rows):.1f}) (the race's leader "
            f"{leader:.0%}); cell time {share:.0%} of the full measurement's; "
            f"{statistics.fmean(len(r['order']) for r in rows):.1f} of {rows[0]['candidates']} families raced"
        )
        bound = [r for r in rows if r["waiting"]]
        if bound:
            share = sum(r["seconds"] for r in bound) / sum(r["seconds_full"] for r in bound)
            hits = statistics.fmean(r["hit"] for r in bound)
            print(f"  of which {len(bound)} reached the time limit: winner {hits:.0%}, cell time {share:.0%}")


if __name__ == "__main__":
    main()
