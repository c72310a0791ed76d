"""Classifier-free guidance: conditional accuracy of diffusion samples on digits at several scales w.

    python benchmarks/guidance.py [--budget quick] [--seed 0] [--scales 0 1 3] [--sampler ddim-50]

Trains the `diffusion` family once (label dropout makes one network conditional and unconditional),
then for each guidance scale draws the same balanced set of requested labels and scores the samples
with the harness's reference classifier (the `cond_accuracy` metric). Higher w should give samples
the classifier recognises more often, at twice the network passes per step when w is not 0 or 1.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from advisor.budgets import get_budget
from advisor.metrics.reference import reference_classifier
from advisor.plugins import load_registry


def main() -> None:
    """Fit once, sample at each scale, print accuracy, NFE and sampling time per scale."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.0, 1.0, 3.0])
    parser.add_argument("--sampler", default="ddim-50")
    parser.add_argument("--per-class", type=int, default=100)
    args = parser.parse_args()

    registry = load_registry()
    budget = get_budget(args.budget)
    split = registry.dataset("digits")().split(budget, args.seed)
    family = registry.family("diffusion")()
    start = time.perf_counter()
    family.fit(split.train, split.train_labels, budget, args.seed, "cpu")
    print(f"fit: {time.perf_counter() - start:.0f} s ({args.budget} budget, seed {args.seed})")
    classifier = reference_classifier(split)
    labels = np.repeat(np.unique(split.train_labels), args.per_class)
    print(f"{'w':>5} {'cond_accuracy':>14} {'nfe':>5} {'seconds':>8}")
    for scale in args.scales:
        family.guidance_scale = scale
        start = time.perf_counter()
        samples = family.sample(len(labels), labels, args.sampler).numpy()
        seconds = time.perf_counter() - start
        accuracy = float((classifier.predict(samples) == labels).mean())
        print(f"{scale:5.1f} {accuracy:14.3f} {family.nfe(args.sampler):5d} {seconds:8.1f}")


if __name__ == "__main__":
    main()
