"""Assemble the report: read the store, draw the figures, write one self-contained index.html.

The report needs no re-training and no network at view time: samples come from the store (a small
array is stored per run), real data from the registered dataset's seed-0 test split, and every
figure is embedded in index.html as a data: URI, so the page alone is the report (to mail or attach).
The figures are also written as PNG files beside it, for slides.
"""

from __future__ import annotations

import base64
import html
import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from advisor.rules.answer import AcrossTables, Answer
from advisor.rules.claims import PROPERTIES
from advisor.rules.evidence import candidate_label
from advisor.rules.table import comparison_table
from advisor.store import read
from advisor.store.engine import Store
from advisor.wording import VERDICT_MARKS, across_tables_lines, claim_text, score_digits, tie_text

#: the need whose ranking across tables the report draws (Demšar's critical-difference diagram)
ACROSS_TABLES_NEED = "best-quality"

__all__ = ["write_report"]


def _collect(store: Store, budget: str, datasets: tuple[str, ...]) -> dict[str, Any]:
    """Per dataset: metric values by candidate (the latest COMPLETE run of each seed, as every answer
    reads them), and one stored-sample run id per candidate."""
    metrics: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    kinds: dict[str, str] = {}
    sample_runs: dict[str, dict[str, int]] = defaultdict(dict)
    with store.connect() as conn:
        rows = read.latest_complete_values(conn, read.Scope(budget=budget, datasets=datasets or None))
    for row in rows:
        label = candidate_label((row["family"], row["sampler"]))
        metrics[row["dataset"]][row["metric"]][label].append(row["value"])
        if row["metric"] == "test_nll" and row["kind"]:
            kinds[label] = row["kind"]
        sample_runs[row["dataset"]].setdefault(label, row["run_id"])
    return {"metrics": metrics, "kinds": kinds, "sample_runs": sample_runs}


#: Metrics in each dataset's table of numbers, in this order (those measured on the dataset).
_TABLE_METRICS = ("test_nll", "c2st", "precision", "recall", "sample_throughput", "train_seconds")


def _numbers_table(dataset: str, by_metric: dict[str, dict[str, list[float]]]) -> str:
    """The numbers behind the figures: seed mean ± standard deviation (seeds) per candidate and metric."""
    metrics = [m for m in _TABLE_METRICS if by_metric.get(m)]
    labels = sorted({label for m in metrics for label in by_metric[m]})
    if not metrics:
        return ""

    def cell(values: list[float] | None) -> str:
        if not values:
            return "<td>-</td>"
        spread = f" ± {statistics.stdev(values):.2g}" if len(values) > 1 else ""
        return f'<td class="number">{statistics.fmean(values):.4g}{spread} ({len(values)})</td>'

    header = "".join(f"<th>{html.escape(m)}</th>" for m in metrics)
    rows = "\n".join(
        f"<tr><th>{html.escape(label)}</th>{''.join(cell(by_metric[m].get(label)) for m in metrics)}</tr>"
        for label in labels
    )
    caption = f"{html.escape(dataset)}: seed mean ± standard deviation (seeds), latest run of each seed"
    return f'<table class="numbers"><caption>{caption}</caption><tr><th>candidate</th>{header}</tr>\n{rows}</table>'


def _real_data(registry: Any, dataset: str, budget: Any) -> Any:
    if dataset not in registry.datasets:
        return None  # user data: never re-read, never shown
    return registry.dataset(dataset)().split(budget, 0).test[:1000]


def _needs_rows(
    store: Store, registry: Any, cards: dict[str, dict], budget: str, datasets: tuple[str, ...]
) -> tuple[list[str], list[str], dict[str, AcrossTables]]:
    """The kinds of data measured, one table row per registered need (the answer on each kind: winners,
    runner-up, and the rule of thumb judged on each, as `advisor recommend` gives them), and per kind
    the best-quality ranking across its tables where there are enough of them."""
    from advisor.rules.engine import gather_for, rank_evidence

    specs = registry.metric_specs()
    rows, kinds, across = [], None, {}
    for name, entry in sorted(registry.needs.items()):
        evidence = gather_for(store, [entry.obj], specs, budget=budget, datasets=datasets)
        if not evidence.candidates:
            continue
        by_kind: dict[str, list[str]] = {}
        for dataset, card in sorted(evidence.datasets.items()):
            by_kind.setdefault(card.get("kind", "?"), []).append(dataset)
        kinds = kinds or sorted(by_kind)
        cells = [html.escape(name)]
        verdicts = []
        for kind in kinds:
            if kind not in by_kind:
                cells.append("")
                continue
            answer = rank_evidence(evidence.restricted(by_kind[kind]), [entry.obj], cards)
            cells.append(_kind_cell(answer))
            verdicts += [f"{kind}: {claim_text(claim)}" for claim in answer.claims]
            if name == ACROSS_TABLES_NEED and answer.across_tables:
                across[kind] = answer.across_tables
        cells.append(html.escape("; ".join(verdicts)))
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return kinds or [], rows, across


def _across_tables_section(across: dict[str, AcrossTables], out: Path) -> str:
    """Per kind of data, the critical-difference diagram of the best-quality ranking across its tables."""
    from advisor.report.cd_diagram import critical_difference_diagram

    parts = []
    for kind, record in sorted(across.items()):
        title = f"{ACROSS_TABLES_NEED} on {len(record.tables)} {kind} tables"
        picture = critical_difference_diagram(record, out / f"{kind}-across-tables.png", title)
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in across_tables_lines(record))
        parts.append(f"<h3>{html.escape(title)}</h3>\n{_embedded(picture)}\n<ul>{lines}</ul>")
    return f"<section><h2>Across tables</h2>\n{''.join(parts)}\n</section>" if parts else ""


def _kind_cell(answer: Answer) -> str:
    """Winners (score) and the runner-up of one kind's ranking, escaped."""
    if not answer.ranked:
        return "no candidate left"
    digits = score_digits(answer.ranked)
    best = f"<b>{html.escape(tie_text(answer.winners))}</b> ({answer.ranked[0].score:.{digits}f})"
    if alternative := answer.without_copying:
        best += f"<br>memorizes; the best that does not: {html.escape(tie_text(alternative.candidates))}"
    runner_up = next((r for r in answer.ranked if r.rank > 1), None)
    return best + (f"<br>then {html.escape(runner_up.label)} ({runner_up.score:.{digits}f})" if runner_up else "")


def _embedded(picture: Path) -> str:
    """An <img> carrying the PNG at `picture` inline, as a data: URI (nothing to fetch)."""
    data = base64.b64encode(picture.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(picture.stem)}">'


def _claims_rows(table: dict[str, Any]) -> list[str]:
    """The claims table's rows, one per family (a new family adds a row, never a column)."""
    rows = []
    for family, cells in table["families"].items():
        tds = []
        for prop in PROPERTIES:
            cell = cells[prop]
            claim = f" (claim: {cell['claim']})" if cell["verdict"] == "disagrees" else ""
            tds.append(
                f'<td class="{cell["verdict"].replace(" ", "-")}" title="{html.escape(cell["basis"])}">'
                f"{html.escape(cell['grade'])}{' (card)' if cell['basis'] == 'card' else ''} "
                f"{VERDICT_MARKS[cell['verdict']]}{html.escape(claim)}</td>"
            )
        rows.append(f"<tr><th>{html.escape(family)}</th>{''.join(tds)}</tr>")
    return rows


def write_report(
    store: Store, registry: Any, out: Path, *, budget: str | None = None, datasets: tuple[str, ...] = ()
) -> Path:
    """Write index.html (figures embedded) and the figures' PNG files into `out`; returns index.html's path."""
    from advisor.budgets import BUDGETS
    from advisor.report import figures

    out.mkdir(parents=True, exist_ok=True)
    if budget is None:
        with store.connect() as conn:
            budget = read.busiest_budget(conn)
    data = _collect(store, budget, datasets)
    cards = registry.family_cards()
    sections = []
    for dataset in sorted(data["metrics"]):
        by_metric = data["metrics"][dataset]
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", dataset)  # r:AER/HMDA -> r-AER-HMDA: a file name anywhere
        with store.connect() as conn:
            samples = {label: read.load_samples(conn, run_id) for label, run_id in data["sample_runs"][dataset].items()}
        samples = {k: v for k, v in samples.items() if v is not None and len(v)}
        pictures = []
        if samples:
            real = _real_data(registry, dataset, BUDGETS.get(budget, BUDGETS["smoke"]))
            pictures.append(
                figures.sample_grid(real, samples, f"{dataset}: real vs generated", out / f"{slug}-samples.png")
            )
        points = [
            (label, statistics.fmean(by_metric["sample_throughput"][label]), statistics.fmean(by_metric["c2st"][label]))
            for label in sorted(by_metric.get("c2st", {}))
            if label in by_metric.get("sample_throughput", {})
        ]
        if points:
            pictures.append(
                figures.quality_vs_speed(points, f"{dataset}: quality vs sampling speed", out / f"{slug}-pareto.png")
            )
        nll = [
            (label, data["kinds"].get(label, "exact"), statistics.fmean(v), statistics.stdev(v) if len(v) > 1 else 0.0)
            for label, v in sorted(by_metric.get("test_nll", {}).items())
        ]
        if nll:
            pictures.append(figures.nll_bars(nll, f"{dataset}: test NLL by likelihood kind", out / f"{slug}-nll.png"))
        cost = [
            (label, statistics.fmean(v), statistics.fmean(by_metric.get("peak_memory_mb", {}).get(label, [0.0])))
            for label, v in sorted(by_metric.get("train_seconds", {}).items())
        ]
        if cost:
            pictures.append(figures.cost_bars(cost, f"{dataset}: training time and memory", out / f"{slug}-cost.png"))
        images = "\n".join(_embedded(p) for p in pictures)
        numbers = _numbers_table(dataset, by_metric)
        sections.append(f"<section><h2>{html.escape(dataset)}</h2>\n{images}\n{numbers}\n</section>")
    kinds, needs, across = _needs_rows(store, registry, cards, budget, datasets)
    sections.insert(0, _across_tables_section(across, out))
    table = comparison_table(store, cards, registry.metric_specs(), budget=budget, datasets=datasets)
    header = "".join(f"<th>{html.escape(prop)}</th>" for prop in PROPERTIES)
    rows = _claims_rows(table)
    page = _PAGE.format(
        budget=html.escape(str(budget)),
        store=html.escape(store.location),
        header=header,
        rows="\n".join(rows),
        quality_scale=_quality_scale(table.get("quality_scale")),
        needs="\n".join(needs),
        kinds="".join(f"<th>on {html.escape(kind)} data (score)</th>" for kind in kinds),
        sections="\n".join(sections) or "<p>No COMPLETE runs in this scope.</p>",
    )
    index = out / "index.html"
    index.write_text(page)
    return index


def _quality_scale(scale: dict[str, str] | None) -> str:
    """The legend of the sample-quality grades: calibrated, or the fixed thresholds' caveat."""
    if not scale:
        return (
            "<p>Sample quality is graded by fixed C2ST thresholds: the store holds no calibration for this "
            "budget (<code>advisor metrics calibrate --db</code> stores it).</p>"
        )
    items = "".join(f"<li><b>{html.escape(grade)}</b>: {html.escape(text)}</li>" for grade, text in scale.items())
    intro = "Sample quality, graded per dataset by where C2ST falls among reference sets of known quality:"
    return f"<p>{intro}</p>\n<ul>{items}</ul>"


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>advisor report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1100px; }}
img {{ max-width: 100%; margin: 0.5em 0; display: block; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; font-size: 14px; }}
td.agrees {{ background: #e8f5e9; }} td.disagrees {{ background: #ffebee; }}
</style></head><body>
<h1>advisor report</h1>
<p>Budget <b>{budget}</b>, store <code>{store}</code>. Every number and picture comes from stored runs.</p>
<h2>Which family for which need</h2>
<p>What <code>advisor recommend --need NEED</code> answers from this store, for each kind of data
(score 1 = best, or within seed noise of the best, on every objective and dataset; several names
are a tie).</p>
<table><tr><th>need</th>{kinds}<th>textbook rule of thumb, per kind</th></tr>
{needs}
</table>
<h2>Textbook claims against measurements</h2>
<p>✓ the measurement agrees with the usual claim, ✗ it disagrees (claim shown), ? not measured.
Hover a cell for the numbers behind the grade.</p>
<table><tr><th>family</th>{header}</tr>
{rows}
</table>
{quality_scale}
{sections}
</body></html>
"""
