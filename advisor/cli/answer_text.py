"""A recommendation as text: per kind of data first, then the ranking, the evidence and its scope.

Every line a user reads is escaped (units like "[samples/s]" and plugin text are not rich markup).
The JSON answer (`--json`) carries the same content; this module only decides what to print.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from advisor.cli.common import format_value, print_table, stdout
from advisor.rules.scope import scope_line

__all__ = ["print_answer"]

#: a fitted slope of log samples/s on log dims steeper than this is said (sequential samplers: ~ -1)
STEEP_SCALING = -0.75


def print_answer(data: dict[str, Any], needs: list, *, explain: bool = False, pooled: bool = False) -> None:
    """Print `data` (the JSON of `advisor recommend`) for people.

    With answers per kind of data that disagree, each kind is ranked on its own and the pooled
    ranking is shown only when asked (`pooled`); when they agree, the pooled ranking is the answer.
    """
    console = stdout()
    if data.get("note"):
        console.print(f"[dim]{escape(data['note'])}[/]")
    for need in needs:
        ranked_by = f"ranked by {', '.join(need.objectives)}" if need.objectives else "filters only, ranks no one"
        console.print(escape(f"{need.name}: {need.requirements_text() or 'no hard requirement'}; {ranked_by}"))
    by_kind = data.get("by_kind") or {}
    if len(by_kind) > 1:
        _kind_summary(by_kind, data.get("kinds_agree", False))
    if len(by_kind) > 1 and not data.get("kinds_agree") and not pooled:
        for kind, answer in by_kind.items():
            console.print(f"\n[bold]On {escape(kind)} data[/]")
            _ranking(answer, needs, explain)
    else:
        if len(by_kind) > 1:
            console.print("\n[bold]Pooled over every kind of data[/]")
        _ranking(data, needs, explain)
    _scaling(data.get("scaling", []))  # across every kind measured: one kind rarely spans enough dims
    console.print("")
    for item in data["eliminated"]:
        console.print("[dim]" + escape(f"eliminated {item['family']}: {item['reason']}") + "[/]")
    console.print(f"[dim]store: {escape(data['store'])}[/]")


def _kind_summary(by_kind: dict[str, Any], agree: bool) -> None:
    """One line per kind: the winner(s), the runner-up and its score."""
    console = stdout()
    console.print("[bold]Per kind of data[/]" + (" (the kinds agree)" if agree else " (the kinds disagree)"))
    for kind, answer in by_kind.items():
        dims = answer["scope"]["kinds"].get(kind, {}).get("dims") or []
        where = f"{kind}, {dims[0]}-{dims[1]} dims" if dims and dims[0] != dims[1] else f"{kind}, {dims[0]} dims"
        winners = answer["winners"]
        best = winners[0] if len(winners) == 1 else f"a tie between {', '.join(winners)}"
        runner_up = next((r for r in answer["ranked"] if r["rank"] > 1), None)
        second = f"; runner-up {runner_up['label']} (score {runner_up['score']:.2f})" if runner_up else ""
        if alternative := answer.get("without_copying"):
            best += f" (memorizes; the best that does not: {alternative['candidate']})"
        console.print(escape(f"  {where}: {best if answer['ranked'] else 'no candidate left'}{second}"))


def _ranking(data: dict[str, Any], needs: list, explain: bool) -> None:
    """The ranked table, the recommendation and every note of one answer."""
    console = stdout()
    console.print(escape(f"evidence: {scope_line(data['scope'])}") if data.get("scope") else "")
    objectives = list(dict.fromkeys(m for need in needs for m in need.objectives))
    rows = [[r["rank"], r["label"], f"{r['score']:.2f}", *_cells(r, objectives), r["runs"]] for r in data["ranked"]]
    columns = ["#", "candidate", "score", *objectives, "runs"]
    if scale := data.get("quality_scale"):  # the calibrated grade, the same scale as `advisor table`
        columns.append("quality (calibrated)")
        for row, r in zip(rows, data["ranked"], strict=True):
            row.append(r.get("quality_grade") or "-")
    if rows:
        print_table("Ranked (score 1 = best on every objective)", columns, rows)
        if scale:
            meaning = "; ".join(f"{grade} = {text}" for grade, text in scale.items())
            console.print(f"[dim]{escape('quality (calibrated), from C2ST per dataset: ' + meaning)}[/]")
        winners = data["winners"]
        if len(winners) == 1:
            console.print(f"[bold green]Recommendation: {escape(winners[0])}[/]")
        else:
            console.print(
                f"[bold green]Recommendation: a tie between {escape(', '.join(winners))}[/] "
                "(within seed noise on every objective and dataset; more seeds would separate them)"
            )
        if alternative := data.get("without_copying"):
            console.print(
                escape(
                    f"{'it memorizes' if len(winners) == 1 else 'they memorize'} (see the caveat); the best that "
                    f"does not: {alternative['candidate']} (#{alternative['rank']}, score {alternative['score']:.2f})"
                )
            )
    else:
        console.print("[bold red]No candidate is left.[/]")
        if data["nearest"]:
            nearest = data["nearest"]
            console.print(
                escape(f"nearest alternative: {nearest['family']}, which only fails: {'; '.join(nearest['fails'])}")
            )
    if data["pareto"]:
        console.print(escape("Pareto set (no candidate is better on every need): " + ", ".join(data["pareto"])))
    for peer in data.get("peers", []):
        console.print(
            escape(
                f"{peer['candidate']}, which users of {peer['library']} would pick, ranks {_ordinal(peer['rank'])} "
                f"of {peer['of']}"
            )
        )
    _instability(data.get("instability", []), explain)
    for sentence in data["tradeoffs"]:
        console.print(escape(f"trade-off: {sentence}"))
    for claim in data["claims"]:
        verdict = {True: "agrees", False: "DISAGREES", None: "cannot be checked"}[claim["agrees"]]
        note = f" ({claim['note']})" if claim["note"] else ""
        line = f"textbook claim for {claim['need']}: {claim['claim']!r}; measured best: {claim['measured_best']}"
        console.print(escape(f"{line} -> {verdict}{note}"))
    for item in data["unmeasured"]:
        console.print("[yellow]" + escape(f"not ranked {item['family']}: {item['reason']}") + "[/]")
    for caveat in data.get("caveats", []):
        console.print("[yellow]" + escape(f"caveat: {caveat}") + "[/]")
    if explain and data["ranked"]:
        _explain(data)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _cells(ranked: dict[str, Any], objectives: list[str]) -> list[str]:
    cells = []
    for metric in objectives:
        o = ranked["objectives"].get(metric)
        if o is None:
            cells.append("-")
            continue
        far = f", {format_value(o['distance'])} from {o['reference']:g}" if o.get("distance") is not None else ""
        cells.append(f"{format_value(o['mean'])} {o['unit']}".strip() + f" ({len(o['scored_on'])} ds{far})")
    return cells


def _explain(data: dict[str, Any]) -> None:
    """Why the first candidate leads, dataset by dataset, and where each other one fell behind."""
    console = stdout()
    best = data["ranked"][0]
    console.print(f"\n[bold]Why {escape(best['label'])} first[/]")
    for metric, o in best["objectives"].items():
        per = ", ".join(
            f"{d} {format_value(v['mean'])}"
            + (f"±{format_value(v['std'])} (n={v['n']})" if v["n"] > 1 else " (one seed)")
            + ("" if d in o["scored_on"] else " (left out)")
            for d, v in o["per_dataset"].items()
        )
        better = "higher" if o["higher_is_better"] else "lower"
        console.print(escape(f"  {metric} [{o['unit'] or '-'}; {better} is better]: {per}"))
    for r in data["ranked"][1:]:
        console.print(f"[bold]{escape(r['label'])}[/] (score {r['score']:.2f}):")
        for sentence in r["why_not_first"] or ["no measured gap on shared datasets"]:
            console.print(escape(f"  - {sentence}"))


def _instability(rows: list[dict[str, Any]], explain: bool) -> None:
    """Counted outcomes: each candidate that collapsed or failed, then the ones that never did."""
    console = stdout()
    steady: dict[tuple[int, float], list[str]] = {}
    for row in rows:
        low, high = row["interval"]
        if not row["collapsed"] and not row["failed"]:
            steady.setdefault((row["runs"], high), []).append(row["candidate"])
            continue
        console.print(
            escape(
                f"{row['candidate']}: collapsed in {row['collapsed']} and failed in {row['failed']} of {row['runs']} "
                f"seeds (unstable {row['rate']:.0%}, 95% interval {low:.0%}-{high:.0%})"
            )
        )
        if explain:
            for dataset, reasons in row["collapses"].items():
                console.print(escape(f"  collapsed on {dataset}: {'; '.join(reasons)}"))
    for (runs, high), names in steady.items():
        console.print(
            escape(f"never collapsed or failed in {runs} seeds (95% interval 0%-{high:.0%}): {', '.join(names)}")
        )


def _scaling(rows: list[dict[str, Any]]) -> None:
    """How sampling throughput falls with dimension, for the candidates whose cost grows fastest."""
    console = stdout()
    for row in rows:
        if row["slope"] <= STEEP_SCALING or row.get("sampling") == "sequential":
            low, high = row["dims"]
            console.print(
                escape(
                    f"{row['candidate']} ({row.get('sampling') or '?'} sampling): samples/s scale as dims^"
                    f"{row['slope']:.2f}, fitted over {low}-{high} dims on {row['datasets']} datasets; expect "
                    f"{10 ** (-row['slope']):.0f}x slower sampling for 10x the dimensions"
                )
            )
