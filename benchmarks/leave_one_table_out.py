"""Does the advice carry to a table nobody measured? Leave each table out and ask the others.

    python benchmarks/leave_one_table_out.py [--db results.db] [--budget quick] [--need best-quality ...]

For every tabular table in the store whose card carries meta-features, and every need asked: the
prior from the other tables (`advisor.rules.prior`) against the table's own tie set (the candidates
first or tied first for the need on it, from its own runs). Printed per need, beside two baselines
that ignore which table it is: the kind-level answer (`recommend --data-kind tabular` on the other
tables) and the overall best (the lowest average rank across the other tables, Friedman/Holm):

- hit: the share of the picks that are in the table's tie set (a tie of picks counts fractionally),
  averaged over tables; the issue's aim is 80% for every need;
- tie: the mean size of the tables' tie sets (a hit bought with wide ties says nothing);
- regret: the mean over tables of 1 - the picks' score on the table (0 = a pick is the best);
- top-3: the share of tables where the prior's first three candidates include one of the tie set (aim
  95% for best-quality).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence

from advisor.plugins import load_registry
from advisor.rules.engine import gather_for, rank_evidence, scores_by_table
from advisor.rules.prior import prior_for
from advisor.stats.friedman import compare_across_tables
from advisor.store import open_store

NEEDS = ("best-quality", "stable-training", "small-model", "exact-likelihood", "fast-sampling", "fast-training")


def _hit(picks: Sequence[str], tie: set[str]) -> float:
    return sum(p in tie for p in picks) / len(picks) if picks else 0.0


def _regret(picks: Sequence[str], scores: dict[str, float]) -> float:
    return statistics.fmean(1.0 - scores.get(p, 0.0) for p in picks) if picks else 1.0


def judge(db: str, budget: str | None, needs: Sequence[str]) -> None:
    """Print, per need, the prior's and the baselines' hit rate, tie size, regret and top-3 rate."""
    registry = load_registry()
    cards, specs = registry.family_cards(), registry.metric_specs()
    with open_store(db, readonly=True) as store:
        for name in needs:
            need = [registry.need(name)]
            evidence = gather_for(store, need, specs, budget=budget, data_kind="tabular")
            tables = sorted(t for t, card in evidence.datasets.items() if isinstance(card.get("meta"), dict))
            scores = scores_by_table(evidence.restricted(tables), need, cards)
            rows = {"prior": [], "kind-level": [], "overall best": []}
            ties, top3 = [], []
            for table in tables:
                if table not in scores:
                    continue
                own = scores[table]
                tie = {c for c, s in own.items() if s == max(own.values())}
                others = [t for t in tables if t != table]
                prior = prior_for(evidence, need, cards, evidence.datasets[table]["meta"], exclude=[table])
                if prior is None:
                    continue
                kind_level = rank_evidence(evidence.restricted(others), need, cards).winners
                rest = {t: s for t, s in scores.items() if t != table}
                overall = compare_across_tables(rest) if len(rest) >= 2 else None
                best = (
                    [c for c in overall.candidates if overall.average_ranks[c] == overall.average_ranks[overall.best]]
                    if overall
                    else []
                )
                for label, picks in (("prior", prior.picks), ("kind-level", kind_level), ("overall best", best)):
                    rows[label].append((_hit(picks, tie), _regret(picks, own)))
                ties.append(len(tie))
                top3.append(any(c.label in tie for c in prior.candidates[:3]))
            if not ties:
                print(f"{name}: no table with meta-features and measurements")
                continue
            print(f"{name}: {len(ties)} tables, mean tie set {statistics.fmean(ties):.2f} candidates")
            for label, values in rows.items():
                hit = statistics.fmean(h for h, _ in values)
                regret = statistics.fmean(r for _, r in values)
                extra = f", top-3 {statistics.fmean(top3):.0%}" if label == "prior" else ""
                print(f"  {label:13s} hit {hit:.0%}, regret {regret:.3f}{extra}")


def main() -> None:
    """Parse the options and judge."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="results.db")
    parser.add_argument("--budget", default=None)
    parser.add_argument("--need", action="append", dest="needs")
    args = parser.parse_args()
    judge(args.db, args.budget, args.needs or NEEDS)


if __name__ == "__main__":
    main()
