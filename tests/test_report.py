"""`advisor report` renders every figure as a valid PNG embedded in one self-contained page."""

import base64
import itertools
import re

import pytest

from advisor.wording import tie_text

_EMBEDDED = r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)">'


@pytest.mark.slow
def test_report_from_a_smoke_store(cli, db, tmp_path):
    cli(
        "bench",
        "-f",
        "gmm",
        "-f",
        "kde",
        "-d",
        "ring8",
        "-d",
        "digits",
        "--seeds",
        "2",
        "--budget",
        "smoke",
        "--db",
        db,
    )
    out = tmp_path / "report"
    cli("report", "--out", out, "--db", db)
    page = (out / "index.html").read_text()
    images = {alt: base64.b64decode(data) for data, alt in re.findall(_EMBEDDED, page)}
    assert set(images) == {f"{d}-{kind}" for d in ("ring8", "digits") for kind in ("samples", "pareto", "nll", "cost")}
    for name, png in images.items():  # embedded: index.html alone is the report; the PNGs are kept for slides
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and (out / f"{name}.png").read_bytes() == png, name
    text = re.sub(_EMBEDDED, "", page)
    assert not re.search(r"(src|href)=", text) and "http" not in text.replace("http-equiv", "")  # nothing to fetch
    assert "<th>gmm</th>" in page and "exact" in page
    # the needs table gives the same answer as `advisor recommend`, per kind of data
    assert "<th>on 2d data (score)</th><th>on image data (score)</th>" in page
    for need in ("exact-likelihood", "fast-sampling"):
        answer = cli.json("recommend", "--need", need, "--db", db)
        cells = [tie_text(answer["by_kind"][kind]["winners"]) for kind in ("2d", "image")]
        assert re.search(rf"<tr><td>{need}</td><td><b>{cells[0]}</b> \(.*</td><td><b>{cells[1]}</b> \(", page), need


@pytest.mark.slow
def test_report_and_recommend_quote_the_latest_runs_after_a_rerun(cli, db, tmp_path):
    import sqlite3

    bench = ("bench", "-f", "gmm", "-f", "kde", "-d", "ring8", "--seeds", "2", "--budget", "smoke", "--db", db)
    cli(*bench)
    with sqlite3.connect(db) as conn:  # a stale number from an earlier version of the code
        conn.execute(
            "UPDATE metrics SET value = 99 WHERE name = 'test_nll' AND run_id = "
            "(SELECT MIN(id) FROM runs WHERE family = 'gmm')"
        )
    cli(*bench, "--rerun")
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", db)
    gmm = next(r for r in answer["ranked"] if r["family"] == "gmm")["objectives"]["test_nll"]["per_dataset"]["ring8"]
    assert gmm["mean"] < 10 and gmm["n"] == 2  # the re-run replaced the stale run
    out = tmp_path / "report"
    cli("report", "--out", out, "--db", db)
    page = (out / "index.html").read_text()
    row = re.search(r"<tr><th>gmm</th><td class=\"number\">([^ <]+)", page)
    assert row and row.group(1) == f"{gmm['mean']:.4g}"


def _labels_overlap(fig, ax) -> bool:
    fig.tight_layout()  # as the report saves it
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in ax.get_yticklabels() + ax.get_xticklabels()]
    return any(a.overlaps(b) for a, b in itertools.combinations([b for b in boxes if b.width], 2))


def test_nll_legend_shows_each_likelihood_kind_in_its_bars_colour():
    from matplotlib.colors import to_rgba

    from advisor.report import figures

    bars = [("flow", "exact", 1, 0.1), ("vae", "bound", 1.4, 0.2), ("ebm", "estimate", 2, 0), ("kde", "exact", 1, 0)]
    ax = figures.nll_figure(bars, "nll").axes[0]
    legend = ax.get_legend()
    colours = {t.get_text(): h.get_facecolor() for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)}
    assert list(colours) == ["exact", "bound", "estimate"]
    assert len(set(colours.values())) == 3  # three kinds, three colours
    for bar, (_, kind, _, _) in zip(ax.patches, bars, strict=True):  # and each bar in its kind's colour
        assert bar.get_facecolor() == colours[kind] == to_rgba(figures.LIKELIHOOD_COLOURS[kind])


def test_bar_labels_do_not_overlap_with_many_long_candidates():
    from advisor.report import figures

    labels = [f"diffusion-variant-{i} (ddim-{10 * i})" for i in range(14)]
    cost = figures.cost_figure([(label, 1.0 + i, 50.0 + i) for i, label in enumerate(labels)], "cost")
    assert not _labels_overlap(cost, cost.axes[0])
    nll = figures.nll_figure([(label, "exact", 1.0 + i, 0.1) for i, label in enumerate(labels)], "nll")
    assert not _labels_overlap(nll, nll.axes[0])


def test_three_tables_of_a_kind_get_a_critical_difference_diagram(cli, tmp_path):
    from tests.stores import add_dataset, build_store

    db = build_store(tmp_path / "k.db")
    c2st = {"flow": 0.6, "autoregressive": 0.55, "gan": 0.7}
    add_dataset(db, "moons", "2d", {family: {"c2st": value} for family, value in c2st.items()})
    cli("report", "--out", tmp_path / "report", "--db", db)
    page = (tmp_path / "report" / "index.html").read_text()
    assert 'alt="2d-across-tables"' in page and "best-quality on 3 2d tables" in page
    assert "across 3 tables, average rank (1 = best): autoregressive 1.0, flow 2.0, gan 3.0" in page
