"""Original vs generated columns, as a user of a tabular synthesizer checks them.

    python benchmarks/table_roundtrip.py [--advisor PATH] [--budget smoke] [--rows 500] [--out DIR]

For penguins and a credit book written here (an identifier, dates in `%Y/%m/%d`, ordinal labels
`1st/2nd/3rd`, 11 loan terms, a one-decimal column with a few values at four decimals, non-negative amounts,
a column with 1 gap in 2,000 rows), runs `advisor generate` for gmm, flow and diffusion and prints,
per column, the original's and each family's type, share missing, range and top categories, and
the share of generated values outside the original's range or value set.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

FAMILIES = {"gmm": "default", "flow": "default", "diffusion": "ddim-50"}
PENGUINS = Path(__file__).resolve().parent.parent / "advisor" / "data" / "files" / "penguins.csv"
LOAN_TERMS = (6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 72)


def credit_book(path: Path, rows: int = 2000, seed: int = 0) -> Path:
    """A credit book resembling the ones users bring: ids, dates, integer sets, gaps, noisy decimals."""
    rng = np.random.default_rng(seed)
    age = rng.integers(19, 70, rows)
    seniority = np.clip((age - 18) * rng.uniform(0, 0.8, rows), 0, None).astype(int)
    amount = np.round(rng.lognormal(6.8, 0.5, rows), -1).astype(int)
    price = np.round(amount * rng.uniform(1.05, 2.0, rows), -1).astype(int)
    rate = np.round(rng.uniform(2, 18, rows), 1).astype(object)
    rate[rng.choice(rows, 9, replace=False)] = [f"{v:.4f}" for v in rng.uniform(2, 18, 9)]  # a few more precise
    debt = np.round(rng.exponential(400, rows)).astype(int).astype(object)
    debt[rng.integers(rows)] = ""
    frame = pd.DataFrame(
        {
            "loan_id": [f"LN-{i:06d}" for i in rng.permutation(rows) + 1000],
            "opened": (pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")).strftime(
                "%Y/%m/%d"
            ),
            "grade": rng.choice(["1st", "2nd", "3rd"], rows, p=[0.5, 0.3, 0.2]),
            "term": rng.choice(LOAN_TERMS, rows),
            "age": age,
            "seniority": seniority,
            "home": rng.choice(["rent", "owner", "parents", "other", ""], rows, p=[0.3, 0.4, 0.2, 0.08, 0.02]),
            "records": rng.choice(["yes", "no"], rows, p=[0.2, 0.8]),
            "rate": rate,
            "amount": amount,
            "price": price,
            "debt": debt,
        }
    )
    frame.to_csv(path, index=False)
    return path


def _kind(series: pd.Series) -> str:
    values = series.dropna().astype(str)
    if values.empty:
        return "empty"
    if pd.to_numeric(values, errors="coerce").notna().all():
        numbers = pd.to_numeric(values)
        return "int" if (numbers == numbers.round()).all() else "float"
    if values.str.fullmatch(r"\d{4}[-/]\d{2}[-/]\d{2}.*").all():
        return "date " + ("Y/m/d" if "/" in values.iloc[0] else "Y-m-d")
    return "text"


def _range(series: pd.Series) -> str:
    values = series.dropna().astype(str)
    numbers = pd.to_numeric(values, errors="coerce")
    if len(values) and numbers.notna().all():
        decimals = max((len(v.split(".")[1]) if "." in v else 0) for v in values)
        return f"{numbers.min():g}..{numbers.max():g} ({decimals} dp)"
    if len(values) and _kind(series).startswith("date"):
        return f"{values.min()}..{values.max()}"
    top = values.value_counts(normalize=True).head(3)
    extra = values.nunique() - len(top)
    return ", ".join(f"{k} {v:.0%}" for k, v in top.items()) + (f" (+{extra})" if extra else "")


def _outside(original: pd.Series, generated: pd.Series) -> str:
    """Share of generated values outside the original's range (numbers, dates) or value set (text)."""
    seen, made = original.dropna().astype(str), generated.dropna().astype(str)
    if made.empty:
        return "-"
    numbers, made_numbers = pd.to_numeric(seen, errors="coerce"), pd.to_numeric(made, errors="coerce")
    if numbers.notna().all() and made_numbers.notna().all():
        if seen.nunique() <= 20:
            return f"{(~made_numbers.isin(set(numbers))).mean():.1%} off set"
        return f"{((made_numbers < numbers.min()) | (made_numbers > numbers.max())).mean():.1%} out"
    if _kind(original).startswith("date"):
        dates = pd.to_datetime(made, errors="coerce", format="mixed")
        low, high = pd.to_datetime(seen, format="mixed").min(), pd.to_datetime(seen, format="mixed").max()
        return f"{(dates.isna() | (dates < low) | (dates > high)).mean():.1%} out"
    if seen.nunique() > 0.95 * len(seen):
        same = made.str.replace(r"\d", "9", regex=True).isin(set(seen.str.replace(r"\d", "9", regex=True)))
        return f"{made.is_unique and 'unique' or 'repeats'}, {same.mean():.0%} same form"
    return f"{(~made.isin(set(seen))).mean():.1%} off set"


def compare(original: pd.DataFrame, generated: dict[str, pd.DataFrame]) -> str:
    """A markdown table: per column, the original and each family's type, missing share, range, outside."""
    lines = ["| column | source | type | missing | range / top | outside |", "|---|---|---|---|---|---|"]
    for name in original.columns:
        lines.append(
            f"| {name} | original | {_kind(original[name])} | {original[name].isna().mean():.2%} | "
            f"{_range(original[name])} | |"
        )
        for family, frame in generated.items():
            if name not in frame:
                lines.append(f"| | {family} | absent | | | |")
                continue
            column = frame[name]
            lines.append(
                f"| | {family} | {_kind(column)} | {column.isna().mean():.2%} | {_range(column)} | "
                f"{_outside(original[name], column)} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Generate with each family on each table and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisor", default="advisor", help="the advisor executable to run")
    parser.add_argument("--budget", default="smoke")
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--out", type=Path, default=None, help="keep the generated files here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    tables = {"penguins": PENGUINS, "credit": credit_book(out / "credit.csv")}
    for table, path in tables.items():
        generated = {}
        for family, sampler in FAMILIES.items():
            target = out / f"{table}-{family}.csv"
            command = [
                args.advisor,
                "generate",
                "-f",
                family,
                "--sampler",
                sampler,
                "--data",
                str(path),
                "-n",
                str(args.rows),
                "--out",
                str(target),
                "--budget",
                args.budget,
            ]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                print(f"{table} {family}: exit {done.returncode}: {done.stderr.strip()[-300:]}", file=sys.stderr)
                continue
            generated[family] = pd.read_csv(target, dtype=str)
        original = pd.read_csv(path, dtype=str)
        print(f"\n### {table} ({args.budget} budget, {args.rows} rows per family)\n")
        print(compare(original, generated))


if __name__ == "__main__":
    main()
