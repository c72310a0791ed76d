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

The prior is judged twice: with its shipped settings (`NEIGHBOURS`, `NEAR`), and tuned inside the
leave-one-out (nested): for each left-out table, the settings are chosen from a grid by a second
leave-one-out on the other tables only (best hit rate, then lowest regret, then the shipped settings),
so the table judged never chooses them. Each table's scores for a need are computed once (a table's
score reads that table's runs alone) and reused by every fold.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.plugins import load_registry
from advisor.rules.answer import Prior
from advisor.rules.engine import gather_for, rank_evidence, scores_by_table
from advisor.rules.evidence import candidate_label
from advisor.rules.prior import NEAR, NEIGHBOURS, prior_from_scores
from advisor.stats.friedman import compare_across_tables
from advisor.store import open_store

NEEDS = ("best-quality", "stable-training", "small-model", "exact-likelihood", "fast-sampling", "fast-training")
#: the settings the nested leave-one-out chooses from (the shipped ones first: they win a tie)
GRID = ((NEIGHBOURS, NEAR), *((k, n) for k, n in itertools.product((3, 5, 10, 20), (0.01, 0.05, 0.25, 1.0))))


def _hit(picks: Sequence[str], tie: set[str]) -> float:
    return sum(p in tie for p in picks) / len(picks) if picks else 0.0


def _regret(picks: Sequence[str], scores: Mapping[str, float]) -> float:
    return statistics.fmean(1.0 - scores.get(p, 0.0) for p in picks) if picks else 1.0


def _tie(scores: Mapping[str, float]) -> set[str]:
    return {c for c, s in scores.items() if s == max(scores.values())}


@dataclass(frozen=True)
class Folds:
    """One need's per-table scores and meta-features, from which every fold's prior is computed."""

    scores: Mapping[str, Mapping[str, float]]
    metas: Mapping[str, Mapping[str, float]]
    families: Mapping[str, str]  # label -> family
    need: str

    def prior(self, table: str, among: Sequence[str], setting: tuple[int, float]) -> Prior | None:
        """The prior for `table` from the tables `among`, with (neighbours, near) = `setting`."""
        return prior_from_scores(
            {t: self.scores[t] for t in among},
            {t: self.metas[t] for t in among},
            self.metas[table],
            self.families,
            [self.need],
            neighbours=setting[0],
            near=setting[1],
        )

    def nested_setting(self, tables: Sequence[str]) -> tuple[int, float]:
        """The grid's setting with the best leave-one-out hit rate (then regret) on `tables` alone."""

        def inner(setting: tuple[int, float]) -> tuple[float, float]:
            hits, regrets = [], []
            for table in tables:
                found = self.prior(table, [t for t in tables if t != table], setting)
                if found is not None:
                    hits.append(_hit(found.picks, _tie(self.scores[table])))
                    regrets.append(_regret(found.picks, self.scores[table]))
            return (statistics.fmean(hits), -statistics.fmean(regrets)) if hits else (0.0, -1.0)

        return max(GRID, key=inner)  # max keeps the first of equals: the shipped settings win a tie


def judge(db: str, budget: str | None, needs: Sequence[str]) -> None:
    """Print, per need, the prior's and the baselines' hit rate, tie size, regret and top-3 rate."""
    registry = load_registry()
    cards, specs = registry.family_cards(), registry.metric_specs()
    with open_store(db, readonly=True) as store:
        for name in needs:
            need = [registry.need(name)]
            evidence = gather_for(store, need, specs, budget=budget, data_kind="tabular")
            metas = {t: c["meta"] for t, c in evidence.datasets.items() if isinstance(c.get("meta"), dict)}
            scores = {t: s for t, s in scores_by_table(evidence.restricted(metas), need, cards).items() if s}
            tables = sorted(t for t in metas if t in scores)
            families = {candidate_label(c): c[0] for c in evidence.candidates}

            folds = Folds(scores, metas, families, name)
            rows: dict[str, list[tuple[float, float]]] = {
                "prior": [],
                "prior, nested": [],
                "kind-level": [],
                "overall best": [],
            }
            ties, top3, chosen = [], [], Counter()
            for table in tables:
                own, tie = scores[table], _tie(scores[table])
                others = [t for t in tables if t != table]
                shipped = folds.prior(table, others, GRID[0])
                if shipped is None:
                    continue
                setting = folds.nested_setting(others)
                chosen[setting] += 1
                tuned = folds.prior(table, others, setting)
                kind_level = rank_evidence(evidence.restricted(others), need, cards).winners
                overall = compare_across_tables({t: scores[t] for t in others}) if len(others) >= 2 else None
                best = (
                    [c for c in overall.candidates if overall.average_ranks[c] == overall.average_ranks[overall.best]]
                    if overall
                    else []
                )
                for label, picks in (
                    ("prior", shipped.picks),
                    ("prior, nested", tuned.picks),
                    ("kind-level", kind_level),
                    ("overall best", best),
                ):
                    rows[label].append((_hit(picks, tie), _regret(picks, own)))
                ties.append(len(tie))
                top3.append(any(c.label in tie for c in shipped.candidates[:3]))
            if not ties:
                print(f"{name}: no table with meta-features and measurements")
                continue
            print(f"{name}: {len(ties)} tables, mean tie set {statistics.fmean(ties):.2f} candidates")
            for label, values in rows.items():
                hit = statistics.fmean(h for h, _ in values)
                regret = statistics.fmean(r for _, r in values)
                extra = f", top-3 {statistics.fmean(top3):.0%}" if label == "prior" else ""
                print(f"  {label:13s} hit {hit:.0%}, regret {regret:.3f}{extra}")
            print(
                "  nested settings chosen (neighbours, near): "
                + ", ".join(f"{k} x{n}" for k, n in chosen.most_common())
            )


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
