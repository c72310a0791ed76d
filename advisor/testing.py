"""The conformance kit plugin authors run: `check_family(FamilyClass)` and a pytest parametrization.

In the spirit of scikit-learn's `check_estimator` / `parametrize_with_checks`: each check exercises
one promise of the Family contract at the smoke budget and fails with a message that says what to fix.

    from advisor.testing import parametrize_with_checks
    from my_plugin import MyFamily

    @parametrize_with_checks([MyFamily])
    def test_my_family(family, check):
        check(family)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from advisor.arrays import InvalidOutput, to_numpy
from advisor.budgets import Budget, get_budget
from advisor.cards import FamilyCard
from advisor.family import Family, FitReport

if TYPE_CHECKING:
    from advisor.plugins import BrokenPlugin
    from advisor.store.status import RunStatus

__all__ = ["CHECKS", "CheckResult", "FamilyCheckError", "check_family", "parametrize_with_checks", "run_check"]

DATASETS = ("ring8", "digits", "wine")
#: checked besides for a family that models a table's own columns (`Family.original_columns`)
MIXED_TABLE = "penguins"


class FamilyCheckError(AssertionError):
    """A family broke its contract; the message says which promise and how to fix it."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise FamilyCheckError(message)


def _datasets(family: type[Family]) -> list[Any]:
    from advisor.plugins import load_registry

    registry = load_registry()
    kinds = family.card.data_kinds
    names = (*DATASETS, MIXED_TABLE) if family.original_columns else DATASETS
    return [registry.dataset(n)() for n in names if registry.dataset(n).card.kind in kinds]


def _fit(
    family: type[Family], dataset: Any, budget: Budget, seed: int = 0, labelled: bool | None = None
) -> tuple[Any, Any, FitReport]:
    """Fit as the harness does: labels only where the dataset offers them (or as `labelled` says), a
    family that models a table's own columns given them (its samples encoded as the harness does)."""
    from advisor.evaluate.columns import for_split

    split = dataset.split(budget, seed)
    model = for_split(family(), split, seed)
    use_labels = dataset.card.condition_on_labels if labelled is None else labelled
    report = model.fit(split.train, split.train_labels if use_labels else None, budget, seed, "cpu")
    return model, split, report


_FITTED: dict[tuple[type, str], tuple[Any, Any, FitReport]] = {}


def _fitted(family: type[Family], dataset: Any) -> tuple[Any, Any, FitReport]:
    """A smoke-budget fit shared by the checks that only read a fitted model (one per family and dataset)."""
    key = (family, dataset.card.name)
    if key not in _FITTED:
        _FITTED[key] = _fit(family, dataset, get_budget("smoke"))
    return _FITTED[key]


def check_card(family: type[Family]) -> None:
    """The class has a valid FamilyCard naming at least one data kind and sampler."""
    _require(isinstance(getattr(family, "card", None), FamilyCard), "set `card = FamilyCard(...)` on the class")
    FamilyCard.model_validate(family.card.model_dump())


def check_fit_report_and_budget(family: type[Family]) -> None:
    """fit returns a FitReport and takes no more optimizer steps than the budget gives."""
    budget = get_budget("smoke")
    for dataset in _datasets(family):
        _, _, report = _fitted(family, dataset)
        _require(isinstance(report, FitReport), f"fit must return advisor.FitReport, got {type(report).__name__}")
        _require(
            report.steps <= budget.train_steps,
            f"fit took {report.steps} steps on {dataset.card.name}; the budget allows {budget.train_steps}",
        )


def check_samples(family: type[Family]) -> None:
    """Every declared sampler returns finite samples of shape (n, dims) on every supported data kind."""
    for dataset in _datasets(family):
        model, split, _ = _fitted(family, dataset)
        dims = split.train.shape[1]
        for sampler in family.card.samplers:
            try:
                x = to_numpy(model.sample(64, None, sampler))
            except InvalidOutput as exc:  # rows in a table's own columns the table cannot hold
                raise FamilyCheckError(f"sample(64, sampler={sampler!r}) on {dataset.card.name}: {exc}") from None
            _require(
                x.shape == (64, dims),
                f"sample(64, sampler={sampler!r}) on {dataset.card.name} returned "
                f"shape {x.shape}; return (n, dims) = {(64, dims)}",
            )
            _require(
                bool((x == x).all()) and bool(abs(x).max() < float("inf")),
                f"sample(sampler={sampler!r}) on {dataset.card.name} returned NaN or inf",
            )


def check_seed_determinism(family: type[Family]) -> None:
    """Two fits with the same seed give the same samples (seed torch/numpy generators from `seed`)."""
    import numpy as np

    budget = get_budget("smoke")
    datasets = _datasets(family)
    dataset = datasets[-1] if family.original_columns else datasets[0]  # the mixed table, for such a family
    first, _, _ = _fit(family, dataset, budget)
    second, _, _ = _fit(family, dataset, budget)
    a, b = to_numpy(first.sample(32)), to_numpy(second.sample(32))
    _require(  # NaN != NaN: non-finite samples would read as a seeding bug
        bool(np.isfinite(a).all() and np.isfinite(b).all()),
        f"sample(32) on {dataset.card.name} returned NaN or inf, so determinism cannot be judged: "
        "make sample() return finite values first",
    )
    _require(
        np.allclose(a, b, rtol=1e-5, atol=1e-5),
        "same seed, different samples: create generators from the `seed` passed to fit and use them in sample",
    )


def check_log_prob(family: type[Family]) -> None:
    """Families declaring a likelihood return finite log-densities of shape (n,) (None only for estimates)."""
    import numpy as np

    if family.card.likelihood == "none":
        return
    for dataset in _datasets(family):
        model, split, _ = _fitted(family, dataset)
        raw = model.log_prob(split.test)
        if raw is None:
            _require(
                family.card.likelihood == "estimate",
                f"log_prob returned None on {dataset.card.name}; only likelihood='estimate' may do so",
            )
            continue
        values = to_numpy(raw)
        _require(
            values.shape == (len(split.test),),
            f"log_prob on {dataset.card.name} returned shape {values.shape}; return one value per row",
        )
        _require(bool(np.isfinite(values).all()), f"log_prob on {dataset.card.name} returned NaN or inf")


def check_conditional_sampling(family: type[Family]) -> None:
    """Conditional families honour labels: a fixed classifier recognises the requested ring8 mode."""
    if not family.card.conditioning or "2d" not in family.card.data_kinds:
        return
    import numpy as np

    from advisor.data.toys import Ring8
    from advisor.metrics.reference import reference_classifier

    model, split, _ = _fit(family, Ring8(), get_budget("smoke"), labelled=True)
    labels = np.repeat(np.arange(8), 50)
    accuracy = float(
        (reference_classifier(split).predict(to_numpy(model.sample(len(labels), labels))) == labels).mean()
    )
    _require(
        accuracy > 0.5,
        f"conditional samples matched the requested ring8 mode {accuracy:.0%} of the time "
        "(chance: 12%); use `labels` in sample() and in fit()",
    )


CHECKS: tuple[Callable[[type[Family]], None], ...] = (
    check_card,
    check_fit_report_and_budget,
    check_samples,
    check_seed_determinism,
    check_log_prob,
    check_conditional_sampling,
)


def check_family(family: type[Family], checks: Sequence[Callable[[type[Family]], None]] = CHECKS) -> None:
    """Run every check on `family`; raises FamilyCheckError naming the first broken promise."""
    for check in checks:
        check(family)


class CheckResult(StrEnum):
    """How one check of the kit ended, as `advisor plugins validate` reports it (by value)."""

    OK = "ok"
    FAILS = "fails"
    NOT_RUN = "not run"  # a check before it ran out of time: this one would wait as long
    TIMEOUT = "timeout"  # its process ran past the time limit
    CRASHED = "crashed"  # its process ended without a result
    INTERRUPTED = "interrupted"  # the validation was stopped

    @classmethod
    def without_result(cls, status: RunStatus) -> CheckResult:
        """The result of a check whose process ended without one, by how it ended (a `RunStatus`)."""
        return cls(status.lower())


def run_check(plugins: str | None, family: str, check: str, faults: tuple[BrokenPlugin, ...] = ()) -> str | None:
    """Run the check called `check` on the registered `family`; None when it passes, else what to fix.

    `plugins` is what `load_registry` takes (a plugins directory or one plugin file), and `faults` the
    plugins not to import (`find_import_faults`). The entry point `advisor plugins validate` runs in a
    child process, one per check, so a hang or a crash is caught.
    """
    from advisor.plugins import load_registry

    try:
        {c.__name__: c for c in CHECKS}[check](load_registry(plugins, faults).family(family))
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its message
        return f"{type(exc).__name__}: {exc}"
    return None


def parametrize_with_checks(families: Iterable[type[Family]]) -> Any:
    """A pytest.mark.parametrize over (family, check) pairs, with readable test ids."""
    import pytest

    cases = [(family, check) for family in families for check in CHECKS]
    ids = [f"{family.card.name}-{check.__name__}" for family, check in cases]
    return pytest.mark.parametrize("family, check", cases, ids=ids)
