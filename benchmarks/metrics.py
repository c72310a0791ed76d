"""Time the sample-quality metrics against reference implementations on the same arrays.

- precision/recall/density/coverage: the four registered metrics (one shared distance computation)
  against `prdc.compute_prdc` (Naeem et al. 2020);
- sliced_wasserstein: ours against POT's `ot.sliced_wasserstein_distance`, both given the same
  random directions (Bonneel et al. 2015);
- mmd: POT has no MMD, so the reference is the direct unbiased formula (Gretton et al. 2012) on
  POT's `ot.dist` squared-distance matrices, fed the same 5,000-point subsamples and bandwidth.

Usage: ``python benchmarks/metrics.py [--n 10000] [--dims 64] [--repeats 3]``. Needs `prdc` and `POT`
(the test extras).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import ot
from prdc import compute_prdc

from advisor.metrics import get_metric
from advisor.metrics import manifold as manifold_module
from advisor.metrics.distances import DEFAULT_MMD_POINTS, DEFAULT_PROJECTIONS, median_bandwidth, random_directions
from advisor.metrics.pairwise import subsample

PRDC_NAMES = ("precision", "recall", "density", "coverage")


def race(repeats: int, ours: Callable[[], Any], reference: Callable[[], Any]) -> tuple[float, float, Any, Any]:
    """Fastest seconds of `ours` and of `reference` over `repeats` alternating calls, and their results.

    Alternating keeps a change in the machine's load from favouring one side.
    """
    best = [float("inf"), float("inf")]
    results: list[Any] = [None, None]
    for _ in range(repeats):
        for side, fn in enumerate((ours, reference)):
            start = time.perf_counter()
            results[side] = fn()
            best[side] = min(best[side], time.perf_counter() - start)
    return best[0], best[1], results[0], results[1]


def ours_prdc(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """The four registered k-NN metrics, as the harness calls them, from a cold cache."""
    manifold_module._cache.clear()  # time the computation, not a cache hit from an earlier repeat
    return {name: get_metric(name)(real, fake) for name in PRDC_NAMES}


def reference_prdc(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """`prdc.compute_prdc` with k=5, its progress line silenced."""
    with contextlib.redirect_stdout(io.StringIO()):
        return {name: float(value) for name, value in compute_prdc(real, fake, nearest_k=5).items()}


def reference_mmd(real: np.ndarray, fake: np.ndarray, bandwidth: float) -> float:
    """Unbiased squared MMD with an RBF kernel from full `ot.dist` matrices (float64)."""
    real, fake = real.astype(np.float64), fake.astype(np.float64)
    n, m = len(real), len(fake)
    gamma = 1.0 / (2.0 * bandwidth**2)

    def kernel_sum(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.exp(-gamma * ot.dist(a, b)).sum())

    return (
        (kernel_sum(real, real) - n) / (n * (n - 1))
        + (kernel_sum(fake, fake) - m) / (m * (m - 1))
        - 2.0 * kernel_sum(real, fake) / (n * m)
    )


def main() -> None:
    """Generate the arrays, time each pair of implementations and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="rows of each of real and fake")
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="report the fastest of this many calls")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    real = rng.standard_normal((args.n, args.dims)).astype(np.float32)
    fake = (rng.standard_normal((args.n, args.dims)) * 1.1 + 0.1).astype(np.float32)
    get_metric("precision")(real[:10], fake[:10])  # import torch outside the timings

    rows = []
    ours_s, ref_s, ours, ref = race(args.repeats, lambda: ours_prdc(real, fake), lambda: reference_prdc(real, fake))
    gap = max(abs(ours[name] - ref[name]) for name in PRDC_NAMES)
    rows.append(("precision+recall+density+coverage", "prdc.compute_prdc", ours_s, ref_s, gap))

    directions = random_directions(args.dims, DEFAULT_PROJECTIONS, 0)
    real64, fake64 = real.astype(np.float64), fake.astype(np.float64)
    ours_s, ref_s, ours_sw, ref_sw = race(
        args.repeats,
        lambda: get_metric("sliced_wasserstein")(real, fake),
        lambda: ot.sliced_wasserstein_distance(real64, fake64, projections=directions),
    )
    rows.append(("sliced_wasserstein", "ot.sliced_wasserstein_distance", ours_s, ref_s, abs(ours_sw - ref_sw)))

    sub_rng = np.random.default_rng(0)  # the subsamples mmd draws itself with its default seed 0
    real_sub, fake_sub = subsample(real, DEFAULT_MMD_POINTS, sub_rng), subsample(fake, DEFAULT_MMD_POINTS, sub_rng)
    bandwidth = median_bandwidth(np.concatenate([real_sub, fake_sub]))
    ours_s, ref_s, ours_mmd, ref_mmd = race(
        args.repeats, lambda: get_metric("mmd")(real, fake), lambda: reference_mmd(real_sub, fake_sub, bandwidth)
    )
    rows.append(("mmd (5,000 a side)", "formula on ot.dist", ours_s, ref_s, abs(ours_mmd - ref_mmd)))

    print(f"{args.n:,} x {args.dims} float32, real vs fake, best of {args.repeats}")
    header = f"{'metric':<36}{'reference':<33}{'ours s':>9}{'ref s':>9}{'ratio':>8}{'|diff|':>11}"
    print(header)
    print("-" * len(header))
    for metric, reference, ours_s, ref_s, gap in rows:
        print(f"{metric:<36}{reference:<33}{ours_s:>9.2f}{ref_s:>9.2f}{ours_s / ref_s:>8.2f}{gap:>11.1e}")


if __name__ == "__main__":
    main()
