"""Wall time and peak memory of `advisor recommend --data` on a large mixed table.

    python benchmarks/big_table.py [--rows 100000] [--columns 50] [--time-limit 5m] [--keep DIR]

Writes a mixed CSV (continuous, integer, text categories, booleans, a date, about 2% missing
cells), then runs `advisor recommend --need best-quality --data FILE --time-limit T --json` in a
fresh store and prints its wall time, the peak resident memory of the largest process it ran (the
command or one of its cells, as `/usr/bin/time -v` reports it), and which candidates it measured.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from advisor.rules.answer import Caveat
from advisor.wording import caveat_lines

MISSING_RATE = 0.02


def _column(kind: str, rows: int, latent: np.ndarray, rng: np.random.Generator) -> list[str]:
    """One column of the given kind, correlated with the shared latent factor."""
    if kind == "continuous":
        values = 3.0 * latent + rng.normal(size=rows)
        return [f"{v:.4f}" for v in values]
    if kind == "integer":
        values = np.clip(np.round(5 + 2 * latent + rng.normal(size=rows)), 0, 12).astype(int)
        return [str(v) for v in values]
    if kind == "category":
        levels = np.array(["alpha", "beta", "gamma", "delta", "epsilon"])
        index = np.clip(np.floor(latent + 2.5 + 0.5 * rng.normal(size=rows)), 0, 4).astype(int)
        return list(levels[index])
    if kind == "boolean":
        return ["true" if v else "false" for v in latent + rng.normal(size=rows) > 0]
    if kind == "date":
        days = np.round(365 * (2020 + latent) + 30 * rng.normal(size=rows)).astype("int64")
        return [str(np.datetime64(int(d - 365 * 1970), "D")) for d in days]
    raise ValueError(kind)


def write_table(path: Path, rows: int, columns: int, seed: int = 0) -> None:
    """Write a mixed-type CSV of `rows` x `columns` with missing cells."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=rows)
    kinds = ["date"] + [("continuous", "integer", "category", "boolean")[i % 4] for i in range(columns - 1)]
    names = [f"{kind}_{i}" for i, kind in enumerate(kinds)]
    data = [_column(kind, rows, latent, rng) for kind in kinds]
    for column in data[1:]:
        for row in np.flatnonzero(rng.random(rows) < MISSING_RATE):
            column[row] = ""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(names) + "\n")
        for row in zip(*data, strict=True):
            handle.write(",".join(row) + "\n")


def main() -> None:
    """Build the table, run the recommendation, print the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--columns", type=int, default=50)
    parser.add_argument("--time-limit", default="5m")
    parser.add_argument("--keep", type=Path, help="Write the table and the store here and keep them.")
    args = parser.parse_args()

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="advisor-big-table-"))
    workdir.mkdir(parents=True, exist_ok=True)
    table = workdir / "big.csv"
    if not table.exists():
        write_table(table, args.rows, args.columns)
    print(f"table: {table} ({table.stat().st_size / 1e6:.1f} MB, {args.rows} x {args.columns})")

    command = [sys.executable, "-m", "advisor", "recommend", "--need", "best-quality", "--data", str(table)]
    command += ["--time-limit", args.time_limit, "--db", str(workdir / "results.db"), "--json"]
    start = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"exit {finished.returncode}; wall {wall:.0f} s; peak RSS {peak_mib:.0f} MiB")
    if finished.returncode != 0:
        print(finished.stderr[-3000:])
        return
    answer = json.loads(finished.stdout)
    ours, measuring = answer["your_data"], answer["measuring"]
    print(f"cells: {measuring['cells_run']} run of {measuring['cells_planned']} planned; winners: {ours['winners']}")
    for entry in ours["ranked"]:
        print(f"  {entry['rank']}. {entry['label']}: score {entry['score']:.3f}, grade {entry.get('quality_grade')}")
    for entry in measuring["not_run"]:
        print(f"  not run {entry['family']}: {entry['detail']}")
    for line in caveat_lines(Caveat(**c) for c in ours["caveats"] + measuring["caveats"]):
        print(f"  caveat: {line}")
    print(f"  scope: {ours['scope']}")
    print(f"  next: {measuring['generate']}")


if __name__ == "__main__":
    main()
