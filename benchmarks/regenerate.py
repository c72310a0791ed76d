"""Regenerate the shipped store in resumable parts, table by table, and log what each part cost.

    python benchmarks/regenerate.py --db results.db [--jobs 2] [--sdv-python tmp/sdv-venv/bin/python]
                                    [--tables-only] [--list]

`make results` runs it. The parts, in order:

1. every table, smallest first (the three bundled tables, then the corpus by rows): the built-in
   families, then the SDV peers (from their venv: SDV pins pandas<3, which the core never imports),
   3 seeds at the quick budget, then the quality metrics' calibration on the table. A table is whole
   (all candidates, all seeds, graded) before the next starts, so an interrupted regeneration already
   holds complete tables that the leave-one-table-out benchmark can read;
2. every family on the 2-D and image datasets, 3 seeds, and their calibration;
3. 10 seeds on the mode-counting mixtures (ring8, grid25), where instability is counted;
4. packing into one self-contained file (no -wal/-shm) that installed copies can read, keeping the
   samples of each candidate's first seed only (what the report draws; the rest would triple the file),
   500 rows of each.

Every attempt at a part is appended to ``DB.regenerate.jsonl`` (part, command, seconds, exit status),
so the log's seconds add up to the regeneration's time however often it was resumed. A part that
exited 0 is skipped when the script runs again; a bench skips the cells it already holds, so any other
part resumes where it stopped. A bench that exits 1 had a run fail (a failure is a measurement: the
store keeps it), or met an internal error, which exits 1 too: the regeneration goes on, and the part
is tried again on the next run of the script (its failed cells run again; its complete ones do not).
Any other exit status (bad input, a killed bench) stops the regeneration.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from advisor.data.corpus import CORPUS_FILE, corpus_name
from advisor.plugins import load_registry

BUNDLED_TABLES = ("wine", "penguins", "breast-cancer")
PEERS = ("sdv-copula", "sdv-ctgan", "sdv-tvae")
SEEDS = 3
MIXTURE_SEEDS = 10
BUDGET = "quick"
SHIPPED_SAMPLE_ROWS = 500  # enough points for the report's sample grids, half the stored 1,000
FAILED_RUNS = 1  # a bench's exit status when a run did not complete (or on an internal error)


@dataclass(frozen=True)
class Part:
    """One resumable step of the regeneration: a name for the log and the command that does it."""

    name: str
    command: list[str]


def corpus_tables_by_rows() -> list[str]:
    """The frozen corpus's tables, smallest first (ties by name, so the order never changes)."""
    tables = json.loads(CORPUS_FILE.read_text())["tables"]
    return [
        corpus_name(t["package"], t["item"]) for t in sorted(tables, key=lambda t: (t["rows"], t["package"], t["item"]))
    ]


def parts(db: str, jobs: int, python: str, sdv_python: str, tables_only: bool) -> list[Part]:
    """Every part of the regeneration, in the order they run."""
    bench = ["bench", "--budget", BUDGET, "--jobs", str(jobs), "--device", "cpu", "--db", db]
    core, peers = [python, "-m", "advisor"], [sdv_python, "-m", "advisor"]
    calibrate = [*core, "metrics", "calibrate", "--budget", BUDGET, "--seeds", str(SEEDS), "--db", db]
    steps: list[Part] = []
    for table in (*BUNDLED_TABLES, *corpus_tables_by_rows()):
        steps += [
            Part(f"{table}: built-ins", [*core, *bench, "--all", "-d", table, "--seeds", str(SEEDS)]),
            Part(
                f"{table}: peers",
                [*peers, *bench, *(a for p in PEERS for a in ("-f", p)), "-d", table, "--seeds", str(SEEDS)],
            ),
            Part(f"{table}: calibration", [*calibrate, "-d", table]),
        ]
    if tables_only:
        return steps
    for kind in ("2d", "image"):
        steps.append(
            Part(f"{kind}: every family", [*core, *bench, "--all", "--data-kind", kind, "--seeds", str(SEEDS)])
        )
    others = sorted(n for n, e in load_registry().datasets.items() if e.obj.card.kind != "tabular")
    steps += [
        Part("calibration of the rest", [*calibrate, *(a for name in others for a in ("-d", name))]),
        Part(
            "mixtures: 10 seeds", [*core, *bench, "--all", "-d", "ring8", "-d", "grid25", "--seeds", str(MIXTURE_SEEDS)]
        ),
        Part(
            "pack", [*core, "db", "pack", "--first-seed-samples", "--sample-rows", str(SHIPPED_SAMPLE_ROWS), "--db", db]
        ),
    ]
    return steps


def logged(log: Path) -> list[dict]:
    """Every attempt the log records (part, command, seconds, exit status), oldest first."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.exists() else []


def seconds_spent(log: Path) -> dict[str, float]:
    """Each logged part's seconds, every attempt's added up."""
    spent: dict[str, float] = {}
    for entry in logged(log):
        spent[entry["part"]] = spent.get(entry["part"], 0.0) + entry["seconds"]
    return spent


def finished(log: Path) -> set[str]:
    """Names of the parts the log records as finished with exit status 0."""
    return {entry["part"] for entry in logged(log) if entry["exit"] == 0}


def main() -> int:
    """Run the parts not yet finished, in order; stop at the first that fails for a reason other than a run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="results.db", help="the store to fill (an SQLite file)")
    parser.add_argument("--jobs", type=int, default=2, help="cells in parallel")
    parser.add_argument("--sdv-python", default="tmp/sdv-venv/bin/python", help="the SDV venv's python (make sdv-venv)")
    parser.add_argument("--tables-only", action="store_true", help="only the tables (part 1)")
    parser.add_argument(
        "--list", action="store_true", help="print the parts, whether each is finished and its time; run nothing"
    )
    args = parser.parse_args()
    log = Path(f"{args.db}.regenerate.jsonl")
    done = finished(log)
    todo = parts(args.db, args.jobs, sys.executable, args.sdv_python, args.tables_only)
    if args.list:
        spent = seconds_spent(log)
        for part in todo:
            took = f"  {spent[part.name] / 60:6.1f} min" if part.name in spent else ""
            print(f"{'done' if part.name in done else 'todo'}  {part.name}{took}")
        print(f"{len(done)} of {len(todo)} parts done in {sum(spent.values()) / 3600:.2f} h")
        return 0
    for part in todo:
        if part.name in done:
            continue
        print(f"== {part.name}", flush=True)
        start = time.monotonic()
        status = subprocess.run(part.command).returncode
        seconds = round(time.monotonic() - start, 1)
        with log.open("a") as out:
            out.write(
                json.dumps({"part": part.name, "command": part.command, "seconds": seconds, "exit": status}) + "\n"
            )
        if status not in (0, FAILED_RUNS):
            print(f"== {part.name} stopped (exit {status}) after {seconds} s; run again to resume", flush=True)
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
