"""Every sentence an answer says, from its typed records (`advisor.rules.answer`), in one place.

The CLI, the HTML report and anything else that shows an answer to a person call these functions;
the JSON (`--json`, the HTTP API) carries the records themselves. Numbers keep their direction and
unit; several caveats of one kind become one line.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from advisor.formatting import number
from advisor.rules.answer import (
    AcrossTables,
    Answer,
    Caveat,
    CaveatCode,
    ClaimCheck,
    Comparison,
    DatasetComparison,
    DatasetSummary,
    Elimination,
    Instability,
    Nearest,
    NotRanked,
    NotRankedCode,
    ObjectiveEvidence,
    Peer,
    Prior,
    Race,
    RankedCandidate,
    RankingDifference,
    Scaling,
    Shortlist,
    ShortlistCode,
    Tradeoff,
    Verdict,
    WithoutCopying,
)

__all__ = [
    "DROPPED_AT_WIDTH",
    "SCORE_LEGEND",
    "VERDICT_MARKS",
    "Note",
    "across_tables_lines",
    "answer_notes",
    "caveat_lines",
    "claim_text",
    "comparison_text",
    "difference_texts",
    "direction",
    "elimination_text",
    "instability_lines",
    "listing",
    "nearest_text",
    "not_ranked_lines",
    "not_ranked_text",
    "not_shortlisted_text",
    "objective_cell",
    "objective_header",
    "objective_legend",
    "objective_numbers",
    "ordinal",
    "peer_text",
    "prior_lines",
    "race_lines",
    "scaling_text",
    "score_digits",
    "seed_tie_text",
    "shortlist_text",
    "tie_text",
    "tradeoff_texts",
    "without_copying_text",
]

#: what the ranked table's score column means
SCORE_LEGEND = (
    "score: 1 = best, or within seed noise of the best, on every objective and dataset; "
    "0 = furthest behind; equal scores share a rank, and rank 1 reaches down to any candidate that would be "
    "first if one seed's runs were dropped for all candidates, and to every candidate scoring between"
)
#: said under a ranked table that left objectives out to fit the terminal
DROPPED_AT_WIDTH = "not shown at this width (see --explain or --json)"
#: how a cell of `advisor table` marks the measurement against the textbook's claim (rules/table.py's verdicts)
VERDICT_MARKS = {"agrees": "✓", "disagrees": "✗", "no claim": "", "not measured": "?"}
#: a fitted slope of log samples/s on log dims steeper than this is said (sequential samplers: about -1)
STEEP_SCALING = -0.75


def listing(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def direction(higher_is_better: bool, reference: float | None) -> str:
    """How to read a metric: 'higher is better', 'lower is better', or 'closer to 0.5 is better'."""
    if reference is not None:
        return f"closer to {reference:g} is better"
    return "higher is better" if higher_is_better else "lower is better"


def objective_header(objective: ObjectiveEvidence | Comparison) -> str:
    """A column header: the metric, its unit and its direction ('test_nll nats/dim, lower better')."""
    unit = f" {objective.unit}" if objective.unit else ""
    return f"{objective.metric}{unit} ({direction(objective.higher_is_better, objective.reference)})"


def objective_cell(objective: ObjectiveEvidence) -> str:
    """The mean over the datasets scored; a metric with a reference also its mean per-seed distance from it."""
    return _off_by(objective.mean, objective.distance if objective.reference is not None else None)


def objective_legend(objective: ObjectiveEvidence) -> str:
    """What a ranked table's objective column shows and which way is better."""
    legend = f"{direction(objective.higher_is_better, objective.reference)}; mean over the datasets compared"
    if objective.reference is not None:
        legend += f" ('off by': distance from {objective.reference:g}, seed by seed, which is ranked)"
    return legend


def _seeds(summary: DatasetSummary) -> str:
    return f"±{number(summary.std)} over {summary.n} seeds" if summary.n > 1 else "one seed"


def objective_numbers(objective: ObjectiveEvidence) -> str:
    """Every dataset's seed mean and spread, the datasets left out of the score marked."""
    return ", ".join(
        f"{dataset} {number(summary.mean)} {_seeds(summary)}"
        + ("" if dataset in objective.scored_on else " (left out)")
        for dataset, summary in objective.per_dataset.items()
    )


def _pair(comparison: Comparison, item: DatasetComparison) -> str:
    mine, theirs = item.mine, item.theirs
    text = f"{number(mine.mean)} vs {number(theirs.mean)}"
    if comparison.reference is not None:  # compared by the per-seed distance from the reference
        far = [
            s.distance_mean if s.distance_mean is not None else abs(s.mean - comparison.reference)
            for s in (mine, theirs)
        ]
        text += f", {number(far[0])} vs {number(far[1])} from {comparison.reference:g}"
    elif comparison.scale == "log" and mine.mean > 0 and theirs.mean > 0 and mine.mean != theirs.mean:
        text += f", {max(mine.mean, theirs.mean) / min(mine.mean, theirs.mean):.3g}x"
    if item.verdict in (Verdict.LESS_CONSISTENT, Verdict.MORE_CONSISTENT):  # about the seeds' scatter: show it
        text += f"; seed sd {number(mine.std)} vs {number(theirs.std)}"
    elif item.verdict is Verdict.ONE_SEED:
        text += f"; seeds {mine.n} vs {theirs.n}"
    return text


def comparison_text(comparison: Comparison) -> str:
    """'test_nll nats/dim (lower is better) vs flow: worse on ring8 (0.21 vs 0.16); within seed noise on ...'."""
    groups: dict[Verdict, list[str]] = {verdict: [] for verdict in Verdict}
    for item in comparison.datasets:
        groups[item.verdict].append(f"{item.dataset} ({_pair(comparison, item)})")
    parts = [f"{verdict} on {', '.join(items)}" for verdict, items in groups.items() if items]
    return f"{objective_header(comparison)} vs {comparison.rival}: {'; '.join(parts)}"


def tie_text(winners: Sequence[str]) -> str:
    """The winner, or 'a tie between a, b and c'."""
    return winners[0] if len(winners) == 1 else f"a tie between {listing(winners)}"


def elimination_text(item: Elimination) -> str:
    """'eliminated gan: likelihood is 'none'; exact-likelihood needs exact'."""
    return f"eliminated {item.family}: {'; '.join(item.reasons)}"


def not_ranked_text(item: NotRanked) -> str:
    """Why a candidate that meets the requirements is not ranked."""
    return f"not ranked {item.family}: {_why_not_ranked(item)}"


def not_ranked_lines(items: Iterable[NotRanked]) -> list[str]:
    """`not_ranked_text` for each candidate, those with the same reason named together on one line."""
    by_reason: dict[str, list[str]] = {}
    for item in items:
        by_reason.setdefault(_why_not_ranked(item), []).append(item.family)
    return [f"not ranked {listing(families)}: {why}" for why, families in by_reason.items()]


def _why_not_ranked(item: NotRanked) -> str:
    if item.code is NotRankedCode.NOT_MEASURED:
        return "meets the requirements but has no measurements in this scope"
    if item.code is NotRankedCode.MISSING_OBJECTIVE:
        return f"no measurements of {', '.join(item.metrics)}"
    if item.code is NotRankedCode.THIN:
        return (
            f"{item.metrics[0]} measured on {item.have} of the {item.most} datasets its rivals have; "
            "not ranked until the bench completes it"
        )
    return item.detail or "not run"


def nearest_text(nearest: Sequence[Nearest]) -> str:
    """When nothing is left: which measured families come closest, and what each fails."""
    named = "; ".join(f"{n.family}, which only fails: {'; '.join(n.fails)}" for n in nearest)
    return f"nearest alternative{'s' if len(nearest) > 1 else ''}: {named}"


def without_copying_text(alternative: WithoutCopying, winners: int) -> str:
    """When every winner memorizes: the best that does not."""
    who = "it memorizes" if winners == 1 else "they memorize"
    return (
        f"{who} (see the caveat); the best that does not: {tie_text(alternative.candidates)} "
        f"(#{alternative.rank}, score {alternative.score:.2f})"
    )


def peer_text(peer: Peer) -> str:
    """Where another library's family ranks."""
    return f"{peer.candidate}, which users of {peer.library} would pick, ranks {ordinal(peer.rank)} of {peer.of}"


def claim_text(claim: ClaimCheck) -> str:
    """The rule of thumb, what was measured, and whether they agree, in plain words."""
    said = f"The textbook says: {claim.claim} for {claim.need}."
    best = listing(claim.measured_best)
    among = "Among the families it compares"
    if claim.agrees is None:
        verdict = f"{among}, {best} measured best, but none of the families it names was measured: cannot be checked."
    else:
        ties = " (tied)" if len(claim.measured_best) > 1 else ""
        verb = "agrees" if claim.agrees else "does not agree"
        verdict = f"{among}, {best} measured best{ties}: the measurement {verb}."
    notes = []
    if claim.baselines_above:
        notes.append(
            f"{listing(claim.baselines_above)}, outside the textbook's comparison, "
            f"{'rank' if len(claim.baselines_above) > 1 else 'ranks'} above them."
        )
    if claim.memorizing_best and claim.best_not_copying:
        named = "one the claim names" if claim.best_not_copying_claimed else "not one the claim names either"
        notes.append(
            f"{listing(claim.memorizing_best)} {'memorize' if len(claim.memorizing_best) > 1 else 'memorizes'}; "
            f"the best that does not is {listing(claim.best_not_copying)}, {named}."
        )
    return " ".join([said, verdict, *notes])


def tradeoff_texts(tradeoff: Tradeoff) -> list[str]:
    """'best for fast-sampling (gan): sample_throughput ... vs flow: worse on ...', one per comparison."""
    best = tie_text(tradeoff.best)
    return [
        f"best for {tradeoff.need} ({best}) on {tradeoff.other_need}: {comparison_text(c)}"
        for c in tradeoff.comparisons
    ]


def instability_lines(rows: Iterable[Instability], explain: bool) -> list[str]:
    """Each candidate that collapsed or failed, then the ones that never did (one line per seed count)."""
    lines: list[str] = []
    steady: dict[tuple[int, float], list[str]] = {}
    for row in rows:
        low, high = row.interval
        if not row.collapsed and not row.failed:
            steady.setdefault((row.runs, high), []).append(row.candidate)
            continue
        lines.append(
            f"{row.candidate}: collapsed in {row.collapsed} and failed in {row.failed} of {row.runs} seeds "
            f"(unstable {row.rate:.0%}, 95% interval {low:.0%}-{high:.0%})"
        )
        if explain:
            lines += [f"  collapsed on {dataset}: {'; '.join(reasons)}" for dataset, reasons in row.collapses.items()]
    lines += [
        f"never collapsed or failed in {runs} seeds (95% interval 0%-{high:.0%}): {', '.join(names)}"
        for (runs, high), names in steady.items()
    ]
    return lines


def scaling_text(row: Scaling) -> str | None:
    """How sampling slows with dimension, for a candidate whose cost grows fast (None otherwise)."""
    if row.slope > STEEP_SCALING and row.sampling != "sequential":
        return None
    low, high = row.dims
    return (
        f"{row.candidate} ({row.sampling or '?'} sampling): samples/s scale as dims^{row.slope:.2f}, fitted over "
        f"{low}-{high} dims on {row.datasets} datasets; expect {10 ** (-row.slope):.0f}x slower sampling for 10x "
        "the dimensions"
    )


def difference_texts(difference: RankingDifference | None) -> list[str]:
    """Where the ranking on the user's data differs from the reference datasets'."""
    if difference is None:
        return []
    mine, theirs = tie_text(difference.best_mine), tie_text(difference.best_reference)
    lines = [
        f"both agree on the best: {mine}"
        if set(difference.best_mine) == set(difference.best_reference)
        else f"on your data the best is {mine}; on the reference datasets it is {theirs}"
    ]
    if difference.moved:
        moves = ", ".join(f"{label} ({before} -> {after})" for label, before, after in difference.moved)
        lines.append(f"rank changes, reference -> your data: {moves}")
    return lines


class Note(NamedTuple):
    """One line of an answer's notes: its kind (how it is shown) and its text."""

    kind: str  # "recommendation", "alarm" (nothing left), "note", "warning" (caveats, not ranked), "aside"
    text: str


def _between(candidate: RankedCandidate, top: float) -> bool:
    """Ranked 1 below the `top` score only because it scores between the top and a candidate first without a seed."""
    return candidate.rank == 1 and candidate.score < top and candidate.first_without_seed is None


def score_digits(ranked: Sequence[RankedCandidate]) -> int:
    """Decimals to print scores with: 2, or up to 4 where candidates of different ranks would read the same."""
    digits = 2
    pairs = list(itertools.pairwise(ranked))
    while digits < 4 and any(a.rank != b.rank and f"{a.score:.{digits}f}" == f"{b.score:.{digits}f}" for a, b in pairs):
        digits += 1
    return digits


def seed_tie_text(candidate: RankedCandidate, top: float) -> str:
    """Why a candidate below the `top` score is ranked 1: it would be first with a seed's runs dropped for all
    candidates, or it scores between the top and one that would ('' for any other candidate)."""
    if candidate.first_without_seed is not None:
        return f", rank 1: it would be first if every candidate's seed-{candidate.first_without_seed} runs were dropped"
    if _between(candidate, top):
        return ", rank 1: it scores between the top and a candidate that would be first without one seed"
    return ""


def _tie_reason(answer: Answer) -> str:
    """Why the winners are tied: level within seed noise, or a lead that one seed decides ('' for one winner)."""
    if len(answer.winners) < 2:
        return ""
    by_seed = [r for r in answer.ranked if r.first_without_seed is not None]
    if not by_seed:
        return " (within seed noise on every objective and dataset; more seeds could separate them)"
    leads = ". ".join(
        f"If every candidate's seed-{r.first_without_seed} runs were dropped, {r.label} would be first" for r in by_seed
    )
    between = [r.label for r in answer.ranked if _between(r, answer.ranked[0].score)]
    and_between = f", and {listing(between)} {'scores' if len(between) == 1 else 'score'} between" if between else ""
    return f". {leads}{and_between}: which of them is best rests on one seed, and more seeds could separate them"


def answer_notes(answer: Answer, *, explain: bool = False) -> list[Note]:
    """Every line an answer says under its ranking, in order: the recommendation, then the notes, claims,
    candidates not ranked and caveats, then the eliminations. The CLI and the HTTP API's page show these."""
    notes: list[Note] = []
    if answer.ranked:
        notes.append(Note("recommendation", f"Recommendation: {tie_text(answer.winners)}{_tie_reason(answer)}"))
        if answer.without_copying:
            notes.append(Note("note", without_copying_text(answer.without_copying, len(answer.winners))))
    else:
        notes.append(Note("alarm", "No candidate is left."))
        if answer.nearest:
            notes.append(Note("note", nearest_text(answer.nearest)))
    if answer.across_tables:
        notes += [Note("note", line) for line in across_tables_lines(answer.across_tables)]
    if answer.pareto:
        notes.append(Note("note", "Pareto set (no candidate is better on every need): " + ", ".join(answer.pareto)))
    notes += [Note("note", peer_text(peer)) for peer in answer.peers]
    notes += [Note("note", line) for line in instability_lines(answer.instability, explain)]
    notes += [Note("note", f"trade-off: {line}") for t in answer.tradeoffs for line in tradeoff_texts(t)]
    notes += [Note("note", claim_text(claim)) for claim in answer.claims]
    notes += [Note("warning", not_ranked_text(item)) for item in answer.unmeasured]
    notes += [Note("warning", f"caveat: {line}") for line in caveat_lines(answer.caveats)]
    notes += [Note("aside", elimination_text(item)) for item in answer.eliminated]
    return notes


def across_tables_lines(record: AcrossTables) -> list[str]:
    """Average ranks across tables, whether the tables tell the candidates apart, and who cannot be told
    apart from the best."""
    ranks = ", ".join(f"{label} {rank:.1f}" for label, rank in record.average_ranks.items())
    lines = [f"across {len(record.tables)} tables, average rank (1 = best): {ranks}"]
    behind = [c for c in record.average_ranks if c not in record.indistinguishable]
    if not record.differ:
        lines.append(
            f"the {len(record.tables)} tables do not tell these candidates apart (Friedman p = "
            f"{record.friedman_p:.2f}); more tables would"
        )
    elif behind:
        lines.append(
            f"across these tables, not told apart from the best ({listing(record.best)}; Holm, alpha "
            f"{record.alpha:g}): {listing(record.indistinguishable)}; behind: {listing(behind)}"
        )
    else:
        lines.append(f"the tables differ (Friedman p = {record.friedman_p:.2g}), but no candidate is behind the best")
    if record.left_out:
        lines.append(f"tables left out (a candidate was not measured there): {', '.join(record.left_out)}")
    return lines


def prior_lines(prior: Prior | None) -> list[str]:
    """Before measuring: how the candidates did on the measured tables most like the user's, and how near those are."""
    if prior is None:
        return ["no prior: the reference store holds no measured tables of this kind with meta-features"]
    distances = [n.distance for n in prior.neighbours]
    lines = [
        f"before measuring, from the {len(distances)} measured tables most like yours "
        f"({'near' if prior.near else 'not near'}: distance {min(distances):.2f}-{max(distances):.2f}, where two "
        f"measured tables are typically {prior.typical_distance:.2f} apart): {tie_text(prior.picks)}"
    ]
    lines += [
        f"  {c.label}: first or tied first on {c.first} of {c.of}, mean rank {c.mean_rank:.1f}"
        for c in prior.candidates[:3]
    ]
    if record := prior.track_record:
        lines.append(
            f"  how far to trust it: with each measured table left out in turn, this prior named one of that "
            f"table's winners on {record.hits:g} of {record.tables} tables (a table's winners, tied within seed "
            f"noise or by a lead one seed decides, are {record.mean_tie_set:.1f} candidates on average), and its "
            f"picks scored {record.mean_regret:.2f} below the table's best on average (on the answer's score: 1 for "
            "the best candidate on a table, 0 for the furthest behind); the best on "
            f"average across the other tables, whatever the table, would have named one on {record.overall_hits:g}, "
            f"{record.overall_mean_regret:.2f} below"
        )
    if prior.shortlist is not None:
        lines.append(f"  {shortlist_text(prior.shortlist)}")
    return lines


def shortlist_text(shortlist: Shortlist) -> str:
    """Which families a race measures, and what says the others can be left unmeasured."""
    if shortlist.code == ShortlistCode.SHORTLIST:
        n = len(shortlist.families)
        first = "first family" if n == 1 else f"first {n} families"
        besides = [
            f"{listing(families)}, which {why}"
            for families, why in (
                (shortlist.unranked, "it does not rank"),
                (shortlist.earlier, "an earlier run on this file measured"),
            )
            if families
        ]
        also = f" (and {'; and '.join(besides)})" if besides else ""
        rest = f"; --every-candidate races {listing(shortlist.left_out)} too" if shortlist.left_out else ""
        return (
            f"the race measures the prior's shortlist: {listing(shortlist.families)}{also}. With each measured table "
            f"left out, the prior's {first} held one of that table's winning families on {shortlist.held} of "
            f"{shortlist.tables} tables{rest}"
        )
    why = {
        ShortlistCode.EVERY_FAMILY: "with each measured table left out, no shorter list of the prior's families held "
        f"one of that table's winning families on {shortlist.coverage:.0%} of the {shortlist.tables} tables",
        ShortlistCode.FEW_TABLES: f"{shortlist.tables} measured tables are too few to judge a shortlist on (it "
        f"takes {shortlist.fewest_tables})",
        ShortlistCode.FAR: f"your table lies farther from the measured tables ({shortlist.nearest:.2f} typical "
        f"distances from the nearest) than any of them lay from the rest ({shortlist.farthest:.2f}), so their "
        "track record says nothing about which families it can leave out",
        ShortlistCode.ASKED: "--every-candidate asked for it",
    }[shortlist.code]
    return f"the race measures every candidate: {why}"


def not_shortlisted_text(shortlist: Shortlist) -> str:
    """Why a family outside the shortlist was not measured on the user's table."""
    return (
        f"not measured: outside the prior's shortlist ({listing(shortlist.families)} held one of a table's winning "
        f"families on {shortlist.held} of {shortlist.tables} measured tables, each left out); --every-candidate "
        "races every candidate"
    )


def race_lines(race: Race, winners: Sequence[str] = ()) -> list[str]:
    """How the candidates were raced on the user's table: seeds each, who was raced out with both numbers,
    the tie at the top, what more time would settle, and how the answer's `winners` changed since the last run
    on the file."""
    seeds = ", ".join(f"{family} {n}" for family, n in race.seeds.items())
    lines = [f"raced on {race.metric or 'the first seed only (no need ranks)'}: seeds per candidate: {seeds}"]
    metric = race.metric or ""
    lines += [
        f"{r.label} raced out after {r.seeds} seed{'s' if r.seeds != 1 else ''}: {metric} "
        f"{_off_by(r.mean, r.distance)} vs {r.leader}'s {_off_by(r.leader_mean, r.leader_distance)} "
        f"({r.leader_seeds} seed{'s' if r.leader_seeds != 1 else ''}), behind beyond seed noise: no further seed"
        for r in race.raced_out
    ]
    if race.before_tie_set and set(race.before_tie_set) != set(race.tie_set):
        before = sum(race.before_seeds.get(f, 0) for f in race.before_tie_set) / len(race.before_tie_set)
        after = sum(race.seeds.get(f, 0) for f in race.tie_set) / len(race.tie_set)
        lines.append(
            f"changed since the last run on this file: with {after:.0f} seeds instead of {before:.0f}, "
            f"{listing(race.tie_set)} moved ahead of {listing(race.before_tie_set)} on {metric}"
        )
    if race.before_winners and winners and set(race.before_winners) != set(winners):
        lines.append(
            f"the answer changed since the last run on this file: it named {tie_text(race.before_winners)} after "
            f"{sum(race.before_seeds.values())} cells; after {sum(race.seeds.values())} it names {tie_text(winners)}"
        )
    waiting: dict[str, list[int]] = {}
    for cell in race.not_run:
        if cell.reason == "not-started":
            waiting.setdefault(cell.family, []).append(cell.seed + 1)
    if waiting:
        cells = sum(len(s) for s in waiting.values())
        seconds = sum(race.estimates.get(f, 0.0) * len(s) for f, s in waiting.items())
        named = ", ".join(f"{f} (seed {', '.join(map(str, s))})" for f, s in waiting.items())
        lines.append(f"not started within the time limit: {named}; about {seconds:.0f} s more would run these {cells}")
    if len(race.tie_set) > 1 and all(race.seeds.get(f, 0) >= 3 for f in race.tie_set):
        seconds = sum(race.estimates.get(f, 0.0) for f in race.tie_set)
        lines.append(
            f"on {metric}, {listing(race.tie_set)} are still tied after 3 seeds each; a 4th seed of each could "
            f"separate them: about {seconds:.0f} s"
        )
    return lines


def _off_by(mean: float, distance: float | None) -> str:
    """A seed mean, with its per-seed distance from the metric's reference value where it has one."""
    return f"{number(mean)} (off by {number(distance)})" if distance is not None else number(mean)


def caveat_lines(caveats: Iterable[Caveat]) -> list[str]:
    """One line per kind of caveat: several of one code are merged, each subject named once."""
    by_code: dict[CaveatCode, list[Caveat]] = {}
    for caveat in caveats:
        by_code.setdefault(caveat.code, []).append(caveat)
    lines = []
    for code, items in by_code.items():
        lines += _CAVEAT_WORDING[code](items)
    return lines


def _filters_only(items: list[Caveat]) -> list[str]:
    needs = items[0].needs
    verb = "filters" if len(needs) == 1 else "filter"
    return [f"{', '.join(needs)} only {verb} by card; no measured objective ranks the candidates, so they are level"]


def _no_shared(items: list[Caveat]) -> list[str]:
    metrics = listing(sorted({m for c in items for m in c.metrics}))
    return [
        f"no dataset has {metrics} for every candidate: each candidate's score there averages over the "
        "datasets it was measured on, which differ"
    ]


def _left_out(items: list[Caveat]) -> list[str]:
    return [
        f"{c.datasets[0]} is left out of the comparison on {', '.join(c.metrics)}: {listing(c.subjects)} "
        f"{'has' if len(c.subjects) == 1 else 'have'} no measurements there"
        for c in items
    ]


def _missing_objective(items: list[Caveat]) -> list[str]:
    by_gap: dict[tuple[str, ...], dict[str, None]] = {}
    for c in items:
        by_gap.setdefault(tuple(c.metrics), {}).update(dict.fromkeys(c.subjects))
    return [
        f"no {', '.join(metrics)} on the datasets compared for {listing(subjects)}: "
        "their scores rest on the other objectives"
        for metrics, subjects in by_gap.items()
    ]


def _datasets_by_subjects(items: list[Caveat]) -> dict[tuple[str, ...], list[str]]:
    """The caveats' datasets, grouped by the candidates they concern."""
    by_subjects: dict[tuple[str, ...], list[str]] = {}
    for c in items:
        by_subjects.setdefault(tuple(c.subjects), []).extend(c.datasets)
    return by_subjects


def _single_seed_borrowed(items: list[Caveat]) -> list[str]:
    return [
        f"one seed only for {listing(subjects)} on {listing(datasets)}: "
        f"{'its' if len(subjects) == 1 else 'their'} noise is taken as the spread of the other candidates' seeds "
        "there, so a lucky seed does not rank first"
        for subjects, datasets in _datasets_by_subjects(items).items()
    ]


def _single_seed(items: list[Caveat]) -> list[str]:
    return [
        f"one seed only for {listing(subjects)} on {listing(datasets)}: gaps there are not tested against seed noise"
        for subjects, datasets in _datasets_by_subjects(items).items()
    ]


def _failed_runs(items: list[Caveat]) -> list[str]:
    lines = []
    for c in items:
        done = int(c.numbers.get("COMPLETE", 0))
        failed = ", ".join(f"{int(n)} {status}" for status, n in c.numbers.items() if status != "COMPLETE")
        rest = f"its numbers there come from {done} completed run{'s' if done != 1 else ''}" if done else "no numbers"
        lines.append(f"{c.subjects[0]}: {failed} on {c.datasets[0]}; {rest}")
    return lines


def _memorizes(items: list[Caveat]) -> list[str]:
    where = "; ".join(
        f"{c.subjects[0]} ({', '.join(f'{d} {share:.0%}' for d, share in c.numbers.items())})" for c in items
    )
    return [
        f"samples sit on training rows (share closer to a training row than held-out rows are; fresh data ~5%): "
        f"{where}; quality numbers there may reward copying"
    ]


def _none_good(items: list[Caveat]) -> list[str]:
    best = min(items[0].numbers.items(), key=lambda item: abs(item[1] - 0.5))
    return [
        f"no candidate is good on this data: all {len(items[0].subjects)} graded ones are 'low' on the calibrated "
        f"scale (see the quality legend); the closest to real rows, {best[0]}, reads C2ST {best[1]:.3f} "
        "(a classifier tells its samples from real rows that often)"
    ]


def _measuring(items: list[Caveat]) -> list[str]:
    return list(dict.fromkeys(c.detail or "" for c in items))


_CAVEAT_WORDING = {
    CaveatCode.FILTERS_ONLY: _filters_only,
    CaveatCode.NO_SHARED_DATASET: _no_shared,
    CaveatCode.LEFT_OUT: _left_out,
    CaveatCode.MISSING_OBJECTIVE: _missing_objective,
    CaveatCode.SINGLE_SEED: _single_seed,
    CaveatCode.SINGLE_SEED_BORROWED: _single_seed_borrowed,
    CaveatCode.FAILED_RUNS: _failed_runs,
    CaveatCode.MEMORIZES: _memorizes,
    CaveatCode.NONE_GOOD: _none_good,
    CaveatCode.MEASURING: _measuring,
}


#: a kind's datasets are named in the scope line up to this many; beyond, the first few and a count
NAMED_DATASETS = 6


def scope_line(scope: dict) -> str:
    """The evidence's scope (`rules.scope.evidence_scope`) in one line, e.g. "image (64 dims: digits); 1,437
    training rows; budget quick (10,000 steps, batch 512); device cpu". A kind with many datasets names the
    first `NAMED_DATASETS` - 1 and counts the rest (`--json` lists them all)."""
    kinds = "; ".join(
        f"{kind} ({_span(info['dims'], 'dims') if info['dims'] else '?'}: {_datasets(info['datasets'])})"
        for kind, info in scope["kinds"].items()
    )
    parts = [kinds]
    if scope["train_rows"]:
        parts.append(_span(scope["train_rows"], "training rows"))
    if scope["budget"]:
        steps = f" ({_span(scope['steps'], 'steps')}, batch {_span(scope['batch'], '')})" if scope.get("steps") else ""
        parts.append(f"budget {scope['budget']}{steps}")
    if scope["networks"]:
        parts.append(f"networks: {', '.join(scope['networks'])}")
    if scope["devices"]:
        parts.append(f"device {', '.join(scope['devices'])}")
    return "; ".join(parts)


def _datasets(names: Sequence[str]) -> str:
    if len(names) <= NAMED_DATASETS:
        return ", ".join(names)
    shown = NAMED_DATASETS - 1
    return f"{len(names)} datasets, {', '.join(names[:shown])} and {len(names) - shown} more"


def _span(values: Sequence[int], unit: str) -> str:
    low, high = values
    text = f"{low:,}" if low == high else f"{low:,}-{high:,}"
    return f"{text} {unit}" if unit else text
