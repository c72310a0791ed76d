"""The textbook claims the advisor checks, carried as data (restated from a standard survey).

`CLAIMED_GRADES` is the usual comparison table (property -> family -> claimed grade);
`RULES_OF_THUMB` the usual "which model should I use?" answers, keyed by the need they concern.
`advisor table` puts each claim beside the measured grade; `advisor recommend` cites the rule of
thumb for each need and says whether the measurement agrees.
"""

from __future__ import annotations

__all__ = ["PROPERTIES", "CLAIMED_GRADES", "CLAIMED_AS", "RULES_OF_THUMB", "TEXTBOOK_FAMILIES"]

PROPERTIES = (
    "sample quality",
    "diversity",
    "training stability",
    "likelihood",
    "sampling speed",
    "latent space",
    "conditioning",
)

# property -> family -> claimed grade (families as the advisor names them)
CLAIMED_GRADES: dict[str, dict[str, str]] = {
    "sample quality": {
        "vae": "medium",
        "gan": "high",
        "flow": "medium",
        "autoregressive": "high",
        "diffusion": "excellent",
    },
    "diversity": {
        "vae": "high",
        "gan": "low (mode collapse)",
        "flow": "high",
        "autoregressive": "high",
        "diffusion": "high",
    },
    "training stability": {
        "vae": "stable",
        "gan": "unstable",
        "flow": "stable",
        "autoregressive": "stable",
        "diffusion": "stable",
    },
    "likelihood": {
        "vae": "approximate (ELBO)",
        "gan": "none",
        "flow": "exact",
        "autoregressive": "exact",
        "diffusion": "approximate (ELBO)",
    },
    "sampling speed": {
        "vae": "fast",
        "gan": "fast",
        "flow": "slow",
        "autoregressive": "very slow",
        "diffusion": "slow",
    },
    "latent space": {"vae": "yes", "gan": "yes", "flow": "yes", "autoregressive": "no", "diffusion": "implicit"},
    "conditioning": {"vae": "easy", "gan": "moderate", "flow": "easy", "autoregressive": "easy", "diffusion": "easy"},
}

#: families the comparison table covers under another family's column (an autoregressive flow is a flow)
CLAIMED_AS = {"flow-ar": "flow"}

# need -> (claimed answer, families the claim names)
RULES_OF_THUMB: dict[str, tuple[str, tuple[str, ...]]] = {
    "fast-sampling": ("GAN or VAE", ("gan", "vae")),
    "exact-likelihood": ("flow or autoregressive", ("flow", "flow-ar", "autoregressive")),
    "best-quality": ("diffusion (accepting slow sampling)", ("diffusion",)),
    "stable-training": ("VAE, flow or diffusion", ("vae", "flow", "flow-ar", "diffusion")),
    "controllable": ("diffusion with guidance", ("diffusion",)),
}

#: the families the claims are about; baselines (gmm, kde) and third-party families are not judged by them
TEXTBOOK_FAMILIES = frozenset({"vae", "gan", "flow", "flow-ar", "autoregressive", "diffusion", "ebm"})
