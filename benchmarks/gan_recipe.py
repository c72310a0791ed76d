"""Mode coverage of the GAN over many seeds: ring8 and grid25 at the quick budget, through the real harness.

    python benchmarks/gan_recipe.py [--seeds 10] [--budget quick] [--db /tmp/gan.db] [--family gan]
                                    [--datasets ring8 grid25] [--report-only]

Runs `advisor bench -f gan -d ring8 -d grid25 --seeds N --budget quick --jobs 1 --device cpu` into
`--db` (resumable: COMPLETE cells already there are skipped), then reads the store back with
`advisor results list --json` and prints, per dataset and seed, modes covered, the high-quality rate
the training and the whole cell's seconds, then mean ± sd per dataset and the number of seeds that collapsed under
`advisor.rules.stability.collapse_reason` (the one definition the advisor itself uses), failed runs
counted apart. Published anchors (PacGAN, Lin et al. 2018, 10 trials): 2-D grid of 25, GAN 17.3
modes / 94.8% HQ and PacGAN4 24.8 / 93.6%; 8-ring, PacGAN4 7.8 / 95.9%.

It takes tens of minutes on one core: run it in the background with its output to a log. A cell
uses $ADVISOR_THREADS threads (default 1).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from datetime import datetime

from advisor.plugins import load_registry
from advisor.rules.stability import count_outcomes


def bench(family: str, datasets: list[str], seeds: int, budget: str, db: str) -> None:
    """Run the cells that the store does not hold COMPLETE yet (the bench's exit 1 on a failed cell is fine)."""
    command = [sys.executable, "-m", "advisor", "bench", "-f", family, "--seeds", str(seeds), "--budget", budget]
    command += ["--jobs", "1", "--device", "cpu", "--db", db]
    for dataset in datasets:
        command += ["-d", dataset]
    subprocess.run(command, check=False)


def stored_runs(family: str, datasets: list[str], budget: str, db: str) -> list[dict]:
    """The store's runs of `family` on `datasets` at `budget`, read through `advisor results list --json`."""
    command = [sys.executable, "-m", "advisor", "results", "list", "--json", "-f", family, "--budget", budget]
    command += ["--db", db]
    for dataset in datasets:
        command += ["-d", dataset]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def _value(run: dict, metric: str) -> float | None:
    return run["metrics"].get(metric, {}).get("value")


def _seconds(run: dict) -> float | None:
    if not run.get("started_at") or not run.get("finished_at"):
        return None
    return (datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])).total_seconds()


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _mean_sd(values: list[float]) -> str:
    if not values:
        return "-"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3g} ± {sd:.2g}"


def report(runs: list[dict], datasets: list[str], seeds: int) -> None:
    """Print the per-seed table and the per-dataset summary (latest run of each seed < `seeds`)."""
    latest: dict[tuple[str, int], dict] = {}
    for run in sorted(runs, key=lambda r: r["id"]):
        if run["seed"] < seeds:
            latest[(run["dataset"], run["seed"])] = run
    header = f"{'dataset':<8} {'seed':>4} {'status':<9} {'modes':>5} {'hq_rate':>7} {'recall':>6}"
    print(f"{header} {'train_s':>7} {'cell_s':>6}")
    summary, registry = [], load_registry()
    for dataset in datasets:
        modes = registry.dataset(dataset).card.modes
        complete, failed, cell_seconds, train_seconds = [], 0, [], []
        for seed in range(seeds):
            run = latest.get((dataset, seed))
            if run is None:
                continue
            values = {m: _value(run, m) for m in ("modes_covered", "hq_rate", "recall")}
            seconds, train = _seconds(run), _value(run, "train_seconds")
            if seconds is not None:
                cell_seconds.append(seconds)
            if train is not None:
                train_seconds.append(train)
            if run["status"] == "COMPLETE":
                complete.append({k: v for k, v in values.items() if v is not None})
            else:
                failed += 1
            cells = [_fmt(v, 0 if k == "modes_covered" else 3) for k, v in values.items()]
            print(
                f"{dataset:<8} {seed:>4} {run['status']:<9} {cells[0]:>5} {cells[1]:>7} {cells[2]:>6} "
                f"{_fmt(train, 0):>7} {_fmt(seconds, 0):>6}"
            )
        outcomes = count_outcomes(complete, failed, modes)
        summary.append((dataset, modes, complete, outcomes, train_seconds, cell_seconds))
    print()
    header = f"{'dataset':<8} {'runs':>4} {'modes (mean ± sd)':>18} {'hq_rate (mean ± sd)':>20} {'collapsed':>9}"
    print(f"{header} {'failed':>6} {'train s':>12} {'cell s':>12}")
    for dataset, modes, complete, outcomes, train_seconds, cell_seconds in summary:
        covered = _mean_sd([r["modes_covered"] for r in complete if "modes_covered" in r])
        hq = _mean_sd([r["hq_rate"] for r in complete if "hq_rate" in r])
        print(
            f"{dataset:<8} {outcomes.runs:>4} {covered + f' /{modes}':>18} {hq:>20} "
            f"{outcomes.collapsed:>9} {outcomes.failed:>6} {_mean_sd(train_seconds):>12} {_mean_sd(cell_seconds):>12}"
        )
        for reason in outcomes.reasons:
            print(f"  collapsed: {reason}")


def main() -> None:
    """Bench (unless --report-only), then print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--db", default="/tmp/gan_recipe.db")
    parser.add_argument("--family", default="gan")
    parser.add_argument("--datasets", nargs="+", default=["ring8", "grid25"])
    parser.add_argument("--report-only", action="store_true", help="Only read the store; run nothing.")
    args = parser.parse_args()
    if not args.report_only:
        bench(args.family, args.datasets, args.seeds, args.budget, args.db)
    report(stored_runs(args.family, args.datasets, args.budget, args.db), args.datasets, args.seeds)


if __name__ == "__main__":
    main()
