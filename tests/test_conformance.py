"""Every built-in family, on every kind of data it supports, at the smoke budget: the shared contract.

Shape and dtype of samples, determinism under a seed, finite log_prob where the card declares a
likelihood, declared samplers accepted, and conditional sampling that honours labels.
"""

import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.metrics.reference import reference_classifier
from advisor.plugins import load_registry

SMOKE = get_budget("smoke")
REGISTRY = load_registry()
BUILTIN_FAMILIES = sorted(
    n for n, e in REGISTRY.families.items() if e.plugin.source.startswith("entry point advisor_plugins.")
)
DATASETS = ("ring8", "digits", "wine")
CASES = [
    (family, dataset)
    for family in BUILTIN_FAMILIES
    for dataset in DATASETS
    if REGISTRY.dataset(dataset).card.kind in REGISTRY.family(family).card.data_kinds
]


def _fit(family_name, dataset_name, seed=0):
    split = REGISTRY.dataset(dataset_name)().split(SMOKE, seed)
    family = REGISTRY.family(family_name)()
    family.fit(split.train, split.train_labels, SMOKE, seed, "cpu")
    return family, split


def _np(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


@pytest.mark.parametrize("family_name, dataset_name", CASES)
def test_family_contract(family_name, dataset_name):
    card = REGISTRY.family(family_name).card
    family, split = _fit(family_name, dataset_name)
    again, _ = _fit(family_name, dataset_name)
    # same seed, same samples
    np.testing.assert_allclose(_np(family.sample(32)), _np(again.sample(32)), rtol=1e-5, atol=1e-5)
    dims = split.train.shape[1]
    for sampler in card.samplers:
        x = _np(family.sample(64, None, sampler))
        assert x.shape == (64, dims), f"{family_name}/{sampler}: sample shape {x.shape}"
        assert np.isfinite(x).all(), f"{family_name}/{sampler}: non-finite samples"
    if card.likelihood != "none":
        raw = family.log_prob(split.test, split.test_labels)
        # only an estimated likelihood may be unavailable for some data (e.g. quadrature in 2-D only)
        if raw is not None or card.likelihood != "estimate":
            log_prob = _np(raw)
            assert log_prob.shape == (len(split.test),) and np.isfinite(log_prob).all()


CONDITIONAL = [(f, d) for f, d in CASES if REGISTRY.family(f).card.conditioning and d == "ring8"]


@pytest.mark.parametrize("family_name, dataset_name", CONDITIONAL)
def test_conditional_sampling_honours_labels(family_name, dataset_name):
    family, split = _fit(family_name, dataset_name)
    labels = np.repeat(np.arange(8), 50)
    x = _np(family.sample(len(labels), labels))
    accuracy = (reference_classifier(split).predict(x) == labels).mean()
    assert accuracy > 0.5, (
        f"{family_name}: conditional samples match the requested ring mode {accuracy:.0%} of the time"
    )
