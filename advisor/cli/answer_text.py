"""A recommendation on the terminal: per kind of data first, then the ranking, the evidence and its scope.

The words come from `advisor.wording`; this module only lays them out. Every line is escaped (units
like "[samples/s]" and plugin text are not rich markup).
"""

from __future__ import annotations

from rich.markup import escape

from advisor.cards import Need
from advisor.cli.common import print_table, stdout, table_fits
from advisor.rules.answer import Answer, StoreAnswer
from advisor.wording import (
    DROPPED_AT_WIDTH,
    SCORE_LEGEND,
    answer_notes,
    comparison_text,
    direction,
    elimination_text,
    objective_cell,
    objective_legend,
    objective_numbers,
    scaling_text,
    scope_line,
    score_digits,
    seed_tie_text,
    tie_text,
)

__all__ = ["print_answer"]


def print_answer(answer: Answer, needs: list[Need], *, explain: bool = False, pooled: bool = False) -> None:
    """Print `answer` for people.

    With answers per kind of data that disagree, each kind is ranked on its own and the pooled
    ranking is shown only when asked (`pooled`); when they agree, the pooled ranking is the answer.
    """
    console = stdout()
    by_kind = (answer.by_kind or {}) if isinstance(answer, StoreAnswer) else {}
    if isinstance(answer, StoreAnswer) and answer.note:
        console.print(f"[dim]{escape(answer.note)}[/]")
    for need in needs:
        ranked_by = f"ranked by {', '.join(need.objectives)}" if need.objectives else "filters only, ranks no one"
        console.print(escape(f"{need.name}: {need.requirements_text() or 'no hard requirement'}; {ranked_by}"))
    agree = bool(isinstance(answer, StoreAnswer) and answer.kinds_agree)
    if len(by_kind) > 1:
        _kind_summary(by_kind, agree)
    if len(by_kind) > 1 and not agree and not pooled:
        for kind, kind_answer in by_kind.items():
            console.print(f"\n[bold]On {escape(kind)} data[/]")
            _ranking(kind_answer, needs, explain)
    else:
        if len(by_kind) > 1:
            console.print("\n[bold]Pooled over every kind of data[/]")
        _ranking(answer, needs, explain)
    for row in answer.scaling:  # across every kind measured: one kind rarely spans enough dims
        if line := scaling_text(row):
            console.print(escape(line))
    console.print("")
    for item in answer.eliminated:
        console.print("[dim]" + escape(elimination_text(item)) + "[/]")
    if isinstance(answer, StoreAnswer):
        console.print(f"[dim]store: {escape(answer.store)}[/]")


def _kind_summary(by_kind: dict[str, Answer], agree: bool) -> None:
    """One line per kind: the winner(s), the runner-up and its score."""
    console = stdout()
    console.print("[bold]Per kind of data[/]" + (" (the kinds agree)" if agree else " (the kinds disagree)"))
    for kind, answer in by_kind.items():
        dims = (answer.scope.get("kinds", {}).get(kind) or {}).get("dims") or []  # a card may not state them
        where = kind
        if dims:
            where += f", {dims[0]} dims" if dims[0] == dims[1] else f", {dims[0]}-{dims[1]} dims"
        best = tie_text(answer.winners) if answer.ranked else "no candidate left"
        if answer.without_copying:
            best += f" (memorizes; the best that does not: {tie_text(answer.without_copying.candidates)})"
        runner_up = next((r for r in answer.ranked if r.rank > 1), None)
        digits = score_digits(answer.ranked)
        second = f"; runner-up {runner_up.label} (score {runner_up.score:.{digits}f})" if runner_up else ""
        console.print(escape(f"  {where}: {best}{second}"))


#: how each kind of note is shown on the terminal
_STYLES = {"recommendation": "bold green", "alarm": "bold red", "note": "", "warning": "yellow", "aside": "dim"}


def _ranking(answer: Answer, needs: list[Need], explain: bool) -> None:
    """The ranked table, the recommendation and every note of one answer (eliminations come last, once)."""
    console = stdout()
    if answer.scope:
        console.print(escape(f"evidence: {scope_line(answer.scope)}"))
    if answer.ranked:
        _ranked_table(answer, needs)
    for note in answer_notes(answer, explain=explain):
        if note.kind != "aside":
            style = _STYLES[note.kind]
            console.print(f"[{style}]{escape(note.text)}[/]" if style else escape(note.text))
    if explain and answer.ranked:
        _explain(answer)


def _ranked_table(answer: Answer, needs: list[Need]) -> None:
    """The ranking: one row per candidate, one column per objective with its unit.

    At a narrow width the secondary objectives are dropped first (each need's primary one stays; `--json`
    and `--explain` have them all), then the table goes vertical.
    """
    console = stdout()
    every = list(dict.fromkeys(m for need in needs for m in need.objectives))
    primaries = list(dict.fromkeys(need.objectives[0] for need in needs if need.objectives))
    for objectives in (every, primaries):
        columns, rows = _table(answer, objectives)
        if table_fits(columns, rows):
            break
    print_table("Ranked", columns, rows)
    shown = {m: next((r.objectives[m] for r in answer.ranked if m in r.objectives), None) for m in objectives}
    notes = [SCORE_LEGEND]
    notes += [f"{m}: {objective_legend(o)}" for m, o in shown.items() if o]
    if dropped := [m for m in every if m not in objectives]:
        notes.append(f"{DROPPED_AT_WIDTH}: {', '.join(dropped)}")
    if answer.quality_scale:
        meaning = "; ".join(f"{grade} = {text}" for grade, text in answer.quality_scale.items())
        notes.append(f"quality (calibrated, from C2ST per dataset): {meaning}")
    for note in notes:
        console.print(f"[dim]{escape(note)}[/]")


def _table(answer: Answer, objectives: list[str]) -> tuple[list[str], list[list[object]]]:
    """The ranked table's columns and rows with these objectives."""
    units = {m: next((r.objectives[m].unit for r in answer.ranked if m in r.objectives), "") for m in objectives}
    columns = ["#", "candidate", "score", *(f"{m} {units[m]}".strip() for m in objectives), "runs"]
    digits = score_digits(answer.ranked)
    rows = [
        [
            r.rank,
            r.label,
            f"{r.score:.{digits}f}",
            *(objective_cell(r.objectives[m]) if m in r.objectives else "-" for m in objectives),
            r.runs,
        ]
        for r in answer.ranked
    ]
    if answer.quality_scale:  # the calibrated grade, the same scale as `advisor table`
        columns.append("quality")
        for row, r in zip(rows, answer.ranked, strict=True):
            row.append(r.quality_grade or "-")
    return columns, rows


def _explain(answer: Answer) -> None:
    """Why the first candidate leads, dataset by dataset, and where each other one fell behind."""
    console = stdout()
    best = answer.ranked[0]
    tied = [w for w in answer.winners if w != best.label]
    console.print(
        f"\n[bold]Why {escape(best.label)} leads{escape(' (tied with ' + ', '.join(tied) + ')') if tied else ''}[/]"
    )
    for metric, objective in best.objectives.items():
        console.print(
            escape(
                f"  {metric} ({direction(objective.higher_is_better, objective.reference)}): "
                f"{objective_numbers(objective)}"
            )
        )
    digits = score_digits(answer.ranked)
    for r in answer.ranked[1:]:
        score = f"{r.score:.{digits}f}"
        console.print(f"[bold]{escape(r.label)}[/] (score {score}{escape(seed_tie_text(r, best.score))}):")
        for comparison in r.why_not_first or []:
            console.print(escape(f"  - {comparison_text(comparison)}"))
        if not r.why_not_first:
            console.print("  - no measured gap on shared datasets")
