"""Does the advice carry to a table nobody measured? Leave each table out and ask the others.

    python benchmarks/leave_one_table_out.py [--db results.db] [--budget quick] [--need best-quality ...]

For every tabular table in the store whose card carries meta-features, and every need asked: the
prior from the other tables (`advisor.rules.prior`) against the table's own tie set (the candidates
first for the need on it, from its own runs, with every seed or with any one seed left out:
`advisor.rules.seed_robust`). Printed per need, beside two baselines
that ignore which table it is: the kind-level answer (`recommend --data-kind tabular` on the other
tables) and the overall best (the best average rank across the other tables, `prior.overall_best`):

- hit: the share of the picks that are in the table's tie set (a tie of picks counts fractionally),
  averaged over tables; the issue's aim is 80% for every need;
- tie: the mean size of the tables' tie sets (a hit bought with wide ties says nothing), beside the mean size
  of the set at the best score with every seed alone (what the tie set would be if three seeds were exact);
- regret: the mean over tables of how far the picks' score falls short of the table's best (0 = a pick is
  the best; `advisor.rules.prior.regret`);
- top-3: the share of tables where the prior's first three candidates include one of the tie set (aim
  95% for best-quality);
- family: the prior's hit rate counting a pick right when its family is in the tie set, whatever its
  sampler (diffusion's three samplers are three candidates);
- shortlist: the families a race on the table would measure (`advisor.rules.prior.shortlist`, judged on
  the other tables alone: every family where it gives none), their mean number, and the share of tables
  where one of them is in the table's tie set. Every stored family counts (the SDV peers too, as for a
  user who installed advisor-sdv); a family the prior does not rank, which a race would add, never does.

The prior is judged twice: with its shipped settings (`NEIGHBOURS`, `SMOOTHING`, `RANK_BY`), and tuned
inside the leave-one-out (nested): for each left-out table, the settings are chosen from a grid by a
second leave-one-out on the other tables only (`advisor.rules.prior.track_record`: the most hits, then
the least regret, then the shipped settings), so the table judged never chooses them. Each outer fold
scores the other tables without the left-out one; the inner folds reuse those scores.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections import Counter
from collections.abc import Sequence

from advisor.plugins import load_registry
from advisor.rules.engine import gather_for, rank_evidence
from advisor.rules.prior import (
    CRITERIA,
    NEIGHBOURS,
    RANK_BY,
    SMOOTHING,
    PriorEvidence,
    families_in_order,
    hit,
    overall_best,
    prior_evidence,
    prior_from,
    regret,
    shortlist,
    track_record,
)
from advisor.rules.seed_robust import winners
from advisor.runner.user_data import raced_families
from advisor.store import open_store

NEEDS = ("best-quality", "stable-training", "small-model", "exact-likelihood", "fast-sampling", "fast-training")
#: the settings the nested leave-one-out chooses from (the shipped ones first: they win a tie)
GRID = tuple(
    dict.fromkeys(
        [(NEIGHBOURS, SMOOTHING, RANK_BY), *itertools.product((3, 5, 10, 20), (0.01, 0.05, 0.25, 1.0), CRITERIA)]
    )
)


def nested_setting(evidence: PriorEvidence) -> tuple[int, float, str]:
    """The grid's setting whose prior named a winner on the most of `evidence`'s tables, each left out in turn
    (`track_record`); the shipped settings, then the grid's order, win a tie."""

    def record(setting: tuple[int, float, str]) -> tuple[float, float]:
        found = track_record(evidence, neighbours=setting[0], smoothing=setting[1], rank_by=setting[2])
        return (found.hits, -found.mean_regret) if found else (0.0, -1.0)

    return max(GRID, key=record)  # max keeps the first of equals


def judge(db: str, budget: str | None, needs: Sequence[str]) -> list[dict]:
    """Print, per need, the prior's and the baselines' hit rate, tie size, regret and top-3 rate; return them."""
    summary = []
    registry = load_registry()
    cards, specs = registry.family_cards(), registry.metric_specs()
    with open_store(db, readonly=True) as store:
        for name in needs:
            need = [registry.need(name)]
            evidence = gather_for(store, need, specs, budget=budget, data_kind="tabular")
            found = prior_evidence(evidence, need, cards)
            rows: dict[str, list[tuple[float, float]]] = {
                label: [] for label in ("prior", "prior, nested", "kind-level", "overall best")
            }
            ties, best_alone, top3, family_hits, chosen = [], [], [], [], Counter()
            short_sizes, short_hits = [], []
            for table in sorted(found.scores):
                own, tie = found.scores[table], found.tie_sets[table]
                rest = prior_evidence(evidence, need, cards, exclude=[table])  # scored again without it
                shipped = prior_from(rest, found.metas[table])
                if shipped is None:
                    continue
                setting = nested_setting(rest)
                chosen[setting] += 1
                tuned = prior_from(
                    rest, found.metas[table], neighbours=setting[0], smoothing=setting[1], rank_by=setting[2]
                )
                kind_level = rank_evidence(evidence.restricted(rest.scores), need, cards).winners
                best = overall_best(rest)
                for label, picks in (
                    ("prior", shipped.picks),
                    ("prior, nested", tuned.picks),
                    ("kind-level", kind_level),
                    ("overall best", best),
                ):
                    rows[label].append((hit(picks, tie), regret(picks, own)))
                ties.append(len(tie))
                best_alone.append(len(winners(own)))
                top3.append(any(c.label in tie for c in shipped.candidates[:3]))
                tie_families = {found.families[label] for label in tie}
                family_hits.append(hit([found.families[label] for label in shipped.picks], tie_families))
                shipped.track_record = track_record(rest)
                shipped.shortlist = shortlist(shipped)
                raced = raced_families(families_in_order(shipped), shipped)
                short_sizes.append(len(raced))
                short_hits.append(bool(tie_families & set(raced)))
            if not ties:
                print(f"{name}: no table with meta-features and measurements")
                continue
            print(
                f"{name}: {len(ties)} tables, mean tie set {statistics.fmean(ties):.2f} candidates "
                f"({statistics.fmean(best_alone):.2f} at the best score with every seed alone)"
            )
            for label, values in rows.items():
                hit_rate = statistics.fmean(h for h, _ in values)
                mean_regret = statistics.fmean(r for _, r in values)
                extra = (
                    f", top-3 {statistics.fmean(top3):.0%}, family {statistics.fmean(family_hits):.0%}, shortlist "
                    f"{statistics.fmean(short_sizes):.1f} families holding a winning one on "
                    f"{statistics.fmean(short_hits):.0%}"
                    if label == "prior"
                    else ""
                )
                print(f"  {label:13s} hit {hit_rate:.0%}, regret {mean_regret:.3f}{extra}")
            settings = ", ".join(f"{k} x{n}" for k, n in chosen.most_common())
            print(f"  nested settings chosen (neighbours, smoothing, rank by): {settings}")
            summary.append(
                {
                    "need": name,
                    "tables": len(ties),
                    "tie": statistics.fmean(ties),
                    "top3": statistics.fmean(top3),
                    "family": statistics.fmean(family_hits),
                    "shortlist": (statistics.fmean(short_sizes), statistics.fmean(short_hits)),
                    **{
                        label: (statistics.fmean(h for h, _ in v), statistics.fmean(r for _, r in v))
                        for label, v in rows.items()
                    },
                }
            )
    return summary


def markdown(summary: list[dict]) -> str:
    """The summary as a Markdown table: per need, hit rate and regret of the prior and of each baseline."""
    labels = ("prior", "prior, nested", "kind-level", "overall best")
    lines = [
        "| need | tables | mean tie set | "
        + " | ".join(f"{label}: hit, regret" for label in labels)
        + " | prior top-3 | prior's family | shortlist: families, held a winner |",
        "|---|---|---|" + "---|" * len(labels) + "---|---|---|",
    ]
    for row in summary:
        cells = " | ".join(f"{row[label][0]:.0%}, {row[label][1]:.3f}" for label in labels)
        prior = f"{row['top3']:.0%} | {row['family']:.0%} | {row['shortlist'][0]:.1f}, {row['shortlist'][1]:.0%}"
        lines.append(f"| {row['need']} | {row['tables']} | {row['tie']:.2f} | {cells} | {prior} |")
    return "\n".join(lines)


def main() -> None:
    """Parse the options and judge."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="results.db")
    parser.add_argument("--budget", default=None)
    parser.add_argument("--need", action="append", dest="needs")
    parser.add_argument("--markdown", action="store_true", help="also print the summary as a Markdown table")
    args = parser.parse_args()
    summary = judge(args.db, args.budget, args.needs or NEEDS)
    if args.markdown:
        print(markdown(summary))


if __name__ == "__main__":
    main()
