"""The built-in needs: hard requirements on family cards plus measured objectives to rank by.

A need is data (`advisor.cards.Need`). `requires` maps a card field to the values it accepts;
`objectives` are metric names (stored metrics, or the engine's derived objectives `unstable_rate` and
`seed_spread`). Each need's description cites the textbook rule of thumb it checks (see claims.py).
"""

from __future__ import annotations

from advisor.cards import Need

__all__ = ["BUILTIN_NEEDS"]

BUILTIN_NEEDS = (
    Need(
        name="exact-likelihood",
        title="Exact likelihood",
        requires={"likelihood": ("exact",)},
        objectives=("test_nll",),
        description="Exact log p(x), ranked by test NLL. Rule of thumb: flow or autoregressive.",
    ),
    Need(
        name="fast-sampling",
        title="Fast sampling",
        objectives=("sample_throughput", "sample_latency_ms"),
        description="Samples per second at batch 1,000 and single-sample latency. Rule of thumb: GAN or VAE.",
    ),
    Need(
        name="best-quality",
        title="Best sample quality",
        objectives=("c2st", "precision", "sliced_wasserstein", "column_shapes", "column_pairs"),
        description="Classifier two-sample test, precision and sliced Wasserstein; on tables also the fidelity of "
        "each column and each pair of columns in the user's own columns. Rule of thumb: diffusion.",
    ),
    Need(
        name="stable-training",
        title="Stable training",
        objectives=("unstable_rate", "seed_spread"),
        description="Share of seeds that failed or collapsed (with a 95% interval), and spread of C2ST across "
        "seeds. Rule of thumb: VAE, flow, diffusion.",
    ),
    Need(
        name="controllable",
        title="Controllable (class-conditional) generation",
        requires={"conditioning": (True,)},
        objectives=("cond_accuracy", "recall"),
        description="A fixed classifier agrees with the requested label, and the samples keep the data's "
        "variety (recall: emitting one image per class is not control). Rule of thumb: diffusion with guidance.",
    ),
    Need(
        name="latent-space",
        title="Explicit latent space",
        requires={"latent": ("explicit",)},
        objectives=("c2st", "recall"),
        description="An encoder/latent to work in, ranked by sample quality and recall.",
    ),
    Need(
        name="mode-coverage",
        title="Mode coverage (diversity)",
        objectives=("recall", "coverage", "modes_covered"),
        description="Recall and coverage of the real data, modes covered on mixtures. Claim: GANs collapse modes.",
    ),
    Need(
        name="fast-training",
        title="Fast training",
        objectives=("train_seconds",),
        description="Wall-clock seconds to fit at the same budget.",
    ),
    Need(
        name="small-model",
        title="Small model",
        objectives=("params",),
        description="Fewest fitted parameters (a KDE counts the training data it stores).",
    ),
)
