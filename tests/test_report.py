"""`advisor report` renders every figure as a valid PNG referenced from a self-contained page."""

import re


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
    images = re.findall(r'<img src="([^"]+)"', page)
    expected = {f"{d}-{kind}.png" for d in ("ring8", "digits") for kind in ("samples", "pareto", "nll", "cost")}
    assert set(images) == expected
    for name in images:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert "http" not in page.replace("http-equiv", "")  # nothing to fetch at view time
    assert "<th>gmm</th>" in page and "exact" in page
    # the needs table gives the same answer as `advisor recommend`
    for need in ("exact-likelihood", "fast-sampling"):
        best = cli.json("recommend", "--need", need, "--db", db)["ranked"][0]["label"]
        assert re.search(rf"<tr><td>{need}</td><td>{best} \(", page), need


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
