"""Calibration by known degradations: what each quality metric reads on sample sets of known quality.

Is a C2ST of 0.52 good? A metric's value means something only beside the values it takes on samples
whose quality is known. `calibrate` computes each metric, exactly as the harness computes it on a
family's samples (against the same test rows), on reference sample sets made from real data:

- ``real``: held-out real rows (neither the test rows nor the training rows);
- ``noise-Wmw``, ``noise-Wsd``: the held-out rows plus Gaussian noise of W times the mode width on a
  Gaussian mixture (its `std`; W in `MODE_WIDTHS`), then on every dataset of W times each feature's
  standard deviation (W in `FEATURE_WIDTHS`);
- ``drop``: the held-out rows less one mode or class (the most frequent label; on unlabelled data
  the largest of `DROP_CLUSTERS` k-means clusters);
- ``gaussian``: a Gaussian with the held-out rows' mean and covariance;
- ``shuffled`` (tables only): the held-out rows with each of the table's columns shuffled on its
  own: every column's distribution kept, every dependence between columns lost, as by a model that
  loses the correlations (off tables it can be invisible by construction: grid25's x and y are
  independent);
- ``copies``: training rows, copied (memorization must flag them; quality metrics read them as real).

On data whose labels a family may condition on, every set made of real rows keeps their labels, as
if a conditional family had been asked for those classes: `cond_accuracy` then reads the reference
classifier's accuracy on real rows (the ceiling a faithful generator can reach) and falls as the
noise blurs the classes; the Gaussian has no labels, so it does not apply there.

The rows come from each seed's `Dataset.split(budget, seed)`: the test rows are those the bench
compares samples with; the training rows are shuffled and halved, one half standing for the
training data (the context's `split.train`: memorization compares with it, copies come from it),
the other held out, at most `budget.n_eval_samples` of it, as many as a family's samples. On the
bundled tables there are fewer held-out rows than a family's samples: metrics whose value depends on
the sample count (recall, coverage) then read the reference sets at the smaller count, and the
reference classifier behind `cond_accuracy` (and `frechet` on digits) is trained on the training
half, so its ceiling reads a little under a bench cell's.

`kl_to_truth` needs the reference set's own log-density: it is computed on Gaussian mixtures for
the real rows, mode-width noise (a mixture of wider Gaussians), ``drop`` (a mixture without the
mode) and ``gaussian``, and for ``gaussian`` on any dataset with a known density. Noise relative to
the features' spread (not isotropic) and copies have no density here.

`Calibration.misordered` says where a metric fails to worsen along the degradations it can see
(`BLIND_SPOTS` lists those the built-in metrics cannot see by design).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from advisor._lazy import lazy_import
from advisor.cards import FamilyCard, MetricSpec
from advisor.data.base import dataset_rng
from advisor.data.toys import GaussianMixtureDataset
from advisor.metrics.base import EvaluationContext, Metric
from advisor.seednoise import worse_beyond_noise

if TYPE_CHECKING:
    import numpy as np

    from advisor.budgets import Budget
    from advisor.data.base import Dataset, Split
    from advisor.plugins import Registry
else:
    np = lazy_import("numpy")

__all__ = [
    "MODE_WIDTHS",
    "FEATURE_WIDTHS",
    "DROP_CLUSTERS",
    "PROBES",
    "BLIND_SPOTS",
    "WORSE_PROBES",
    "Degradation",
    "levels_for",
    "probes_for",
    "shuffled_columns",
    "Reading",
    "Calibration",
    "calibration_metrics",
    "calibrate",
]

MODE_WIDTHS = (0.5, 1.0, 2.0)
FEATURE_WIDTHS = (0.25, 0.5, 1.0)
DROP_CLUSTERS = 8
DEFAULT_SEEDS = (0, 1, 2)

Kind = Literal["real", "mode-noise", "noise", "drop", "gaussian", "shuffled", "copies"]


@dataclass(frozen=True)
class Degradation:
    """One reference sample set: its name, kind and, for noise, its width in units of the mode width
    (kind ``mode-noise``) or of each feature's standard deviation (kind ``noise``)."""

    name: str
    kind: Kind
    width: float | None = None

    @property
    def description(self) -> str:
        """One line saying how the set is made."""
        if self.width is not None:
            unit = "the mode width" if self.kind == "mode-noise" else "each feature's std"
            return f"held-out rows + Gaussian noise, {self.width:g} x {unit}"
        return _DESCRIPTIONS[self.kind]


_DESCRIPTIONS = {
    "real": "held-out real rows",
    "drop": "held-out rows less one mode / class / k-means cluster",
    "gaussian": "Gaussian with the held-out rows' mean and covariance",
    "shuffled": "held-out rows, each column shuffled on its own (its values kept, its dependence on the others lost)",
    "copies": "training rows, copied",
}

REAL = Degradation("real", "real")
MODE_NOISE = tuple(Degradation(f"noise-{w:g}mw", "mode-noise", w) for w in MODE_WIDTHS)
FEATURE_NOISE = tuple(Degradation(f"noise-{w:g}sd", "noise", w) for w in FEATURE_WIDTHS)
#: other reference sets, each a different kind of flaw (worse than real, except copies, which are real rows)
SHUFFLED = Degradation("shuffled", "shuffled")  # made on tables only
PROBES = (Degradation("drop", "drop"), Degradation("gaussian", "gaussian"), SHUFFLED, Degradation("copies", "copies"))
#: the probes every metric that can see them must read as worse than the real rows
WORSE_PROBES = ("drop", "gaussian", "shuffled")


def levels_for(dataset: Dataset) -> tuple[Degradation, ...]:
    """The real rows, then noise from the mildest to the strongest: every quality metric should worsen
    along them. Mixtures start with noise relative to their mode width, which is well under the
    features' spread (ring8: std 0.1, features' std 1.4)."""
    return (REAL, *(MODE_NOISE if isinstance(dataset, GaussianMixtureDataset) else ()), *FEATURE_NOISE)


def probes_for(dataset: Dataset) -> tuple[Degradation, ...]:
    """The other reference sets of `dataset`: `PROBES`, less ``shuffled`` where it is not a table."""
    return tuple(probe for probe in PROBES if probe != SHUFFLED or dataset.card.kind == "tabular")


#: built-in metrics and the degradation kinds they cannot see by design
BLIND_SPOTS: dict[str, frozenset[str]] = {
    "precision": frozenset({"drop"}),  # fidelity: samples of the remaining modes are all on the manifold
    "density": frozenset({"drop"}),  # idem; it even rises as the remaining modes get more samples
    "hq_rate": frozenset({"drop"}),  # idem, measured from the known modes
    # diversity: blurred or shuffled samples still reach every point
    "recall": frozenset({"mode-noise", "noise", "gaussian", "shuffled"}),
    "modes_covered": frozenset({"mode-noise", "noise"}),  # counts modes hit, not how sharply
    # global distances (median-distance kernel, transport, moments): noise within a mode is below their resolution
    "mmd": frozenset({"mode-noise"}),
    "sliced_wasserstein": frozenset({"mode-noise"}),
    "frechet": frozenset({"mode-noise", "gaussian"}),  # and the Gaussian matches the moments it compares
    "column_shapes": frozenset({"shuffled"}),  # each column's values are kept
    "column_pairs": frozenset({"gaussian"}),  # the Gaussian has the numeric columns' correlations
    # copying, not fit: only copies score
    "memorization": frozenset({"mode-noise", "noise", "drop", "gaussian", "shuffled"}),
    "cond_accuracy": frozenset({"drop"}),  # the remaining classes are still recognised as themselves
    # held-out values, a class dropped or the columns shuffled: every value still in its range and set
    "validity": frozenset({"drop", "shuffled"}),
    "repaired_cells": frozenset({"drop", "shuffled"}),  # idem: nothing to repair
}

#: conditional: the sets of labelled rows stand for samples asked for those labels
_REFERENCE_CARD = FamilyCard(
    name="reference",
    title="Reference sets",
    likelihood="exact",
    latent="none",
    training="mle",
    sampling="one-shot",
    conditioning=True,
)

LogDensity = Callable[["np.ndarray"], "np.ndarray"]


@dataclass(frozen=True)
class ReferenceSet:
    """One reference set's rows, their true log-density where known, and their class labels where the
    dataset's labels may be conditioned on (the classes a conditional family would have been asked for)."""

    samples: np.ndarray
    log_density: LogDensity | None = None
    labels: np.ndarray | None = None


@dataclass(frozen=True)
class Reading:
    """One metric on one reference set: its value for each seed in `seeds` (those where it applied)."""

    values: tuple[float, ...]
    seeds: tuple[int, ...] = ()

    @property
    def mean(self) -> float:
        """Mean over seeds."""
        return statistics.fmean(self.values)

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds (0 with a single seed)."""
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0


@dataclass(frozen=True)
class Calibration:
    """Each metric's readings on each reference set of one dataset, over seeds.

    `readings[metric][set name]` is a `Reading`; a metric that applies to no reference set is left
    out of `readings` and named in `skipped` with the reason. `levels` are the real rows and the
    noise levels from mildest to strongest, `probes` the other sets; `sizes` gives the rows of one
    seed: test rows, held-out rows (the size of every reference set but ``drop``), training rows.
    """

    dataset: str
    budget: str
    seeds: tuple[int, ...]
    sizes: dict[str, int]
    levels: tuple[Degradation, ...]
    specs: dict[str, MetricSpec]
    readings: dict[str, dict[str, Reading]]
    skipped: dict[str, str]
    probes: tuple[Degradation, ...] = PROBES

    def misordered(self, metric: str) -> list[str]:
        """Where `metric` fails to worsen with the degradations it can see, beyond seed noise.

        Along `levels`: a level that reads better than the one before by more than twice the
        standard error of their difference, or a strongest level no worse than the real rows; and a
        probe of `WORSE_PROBES` no worse than the real rows. Kinds in `BLIND_SPOTS` are not checked.
        """
        blind = BLIND_SPOTS.get(metric, frozenset())
        by_set = {name: self._badness(metric, name) for name in self.readings[metric]}
        problems = []
        ladder = [level.name for level in self.levels if level.kind not in blind and level.name in by_set]
        for milder, stronger in itertools.pairwise(ladder):
            if _worse_by(by_set[milder], by_set[stronger]) > 0:
                problems.append(f"{stronger} reads better than {milder}")
        if len(ladder) > 1 and _worse_by(by_set[ladder[-1]], by_set[ladder[0]]) <= 0:
            problems.append(f"{ladder[-1]} is within seed noise of {ladder[0]}")
        for probe in WORSE_PROBES:
            if probe not in blind and probe in by_set and _worse_by(by_set[probe], by_set["real"]) <= 0:
                problems.append(f"{probe} is within seed noise of real")
        return problems

    def _badness(self, metric: str, name: str) -> Reading:
        spec = self.specs[metric]
        reading = self.readings[metric][name]
        return Reading(tuple(spec.badness(value) for value in reading.values), reading.seeds)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the sets described, each metric's readings (mean, std, values per seed),
        its blind spots and where it is misordered."""
        return {
            "dataset": self.dataset,
            "budget": self.budget,
            "seeds": list(self.seeds),
            "sizes": self.sizes,
            "levels": [level.name for level in self.levels],
            "probes": [probe.name for probe in self.probes],
            "descriptions": {d.name: d.description for d in (*self.levels, *self.probes)},
            "metrics": {
                metric: {
                    "readings": {
                        name: {"mean": r.mean, "std": r.std, "values": list(r.values)} for name, r in sets.items()
                    },
                    "blind_to": sorted(BLIND_SPOTS.get(metric, ())),
                    "misordered": self.misordered(metric),
                }
                for metric, sets in self.readings.items()
            },
            "skipped": self.skipped,
        }


def _worse_by(worse: Reading, better: Reading) -> float:
    """How much `worse`'s mean badness exceeds `better`'s beyond seed noise (`seednoise`)."""
    return worse_beyond_noise(worse.values, better.values)


def calibration_metrics(registry: Registry) -> list[str]:
    """The metrics calibrated by default: every registered quality metric, and KL to truth."""
    specs = registry.metric_specs()
    return [name for name, spec in specs.items() if spec.category == "quality" or name == "kl_to_truth"]


def _mixture_log_density(dataset: GaussianMixtureDataset, modes: np.ndarray, std: float) -> LogDensity:
    """The log-density of `dataset`'s kind of mixture with other `modes` and `std`."""
    twin = copy.copy(dataset)
    twin.modes = lambda: modes  # an instance attribute shadows the classmethod
    twin.std = std
    return twin.log_density


def _left_out(rows: np.ndarray, labels: np.ndarray | None, seed: int) -> tuple[np.ndarray, int]:
    """The rows' labels (k-means clusters on unlabelled data) and the most frequent one, to leave out."""
    if labels is None:
        from sklearn.cluster import KMeans

        labels = KMeans(DROP_CLUSTERS, n_init=1, random_state=seed).fit_predict(rows)
    return labels, int(np.bincount(labels).argmax())


def _noisy(
    dataset: Dataset, level: Degradation, held_out: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, LogDensity | None]:
    """The held-out rows with `level`'s noise, and their log-density where it is a known mixture."""
    if level.kind == "mode-noise":
        noisy = held_out + level.width * dataset.std * rng.standard_normal(held_out.shape)
        return noisy.astype(np.float32), _mixture_log_density(
            dataset, dataset.modes(), dataset.std * math.hypot(1, level.width)
        )
    noisy = held_out + level.width * held_out.std(axis=0) * rng.standard_normal(held_out.shape)
    return noisy.astype(np.float32), None


def _reference_sets(
    dataset: Dataset, train: Split, held_out: np.ndarray, labels: np.ndarray | None, seed: int, ladder_only: bool
) -> dict[str, ReferenceSet]:
    """Each reference set of one seed, from its training half `train` and held-out rows (`labels`: theirs);
    with `ladder_only`, the real rows and the noise levels only (what grades are read from)."""
    from scipy.stats import multivariate_normal

    rng = dataset_rng(f"calibration:{dataset.card.name}", seed)
    known = dataset.log_density if dataset.card.known_density else None
    conditioned = labels is not None and dataset.card.condition_on_labels
    held_labels = labels if conditioned else None
    sets = {"real": ReferenceSet(held_out, known, held_labels)}
    for level in levels_for(dataset)[1:]:
        sets[level.name] = ReferenceSet(*_noisy(dataset, level, held_out, rng), held_labels)
    if ladder_only:
        return sets
    groups, left_out = _left_out(held_out, labels, seed)
    mixture = isinstance(dataset, GaussianMixtureDataset)
    kept = _mixture_log_density(dataset, np.delete(dataset.modes(), left_out, 0), dataset.std) if mixture else None
    keep = groups != left_out
    sets["drop"] = ReferenceSet(held_out[keep], kept, held_labels[keep] if conditioned else None)
    mean, cov = held_out.mean(axis=0, dtype=np.float64), np.cov(held_out, rowvar=False)
    gaussian = rng.multivariate_normal(mean, cov, size=len(held_out)).astype(np.float32)
    sets["gaussian"] = ReferenceSet(gaussian, multivariate_normal(mean, cov, allow_singular=True).logpdf)
    copied = rng.choice(len(train.train), size=len(held_out), replace=False)
    copied_labels = train.train_labels[copied] if conditioned and train.train_labels is not None else None
    sets["copies"] = ReferenceSet(train.train[copied], None, copied_labels)
    if SHUFFLED in probes_for(dataset):
        sets[SHUFFLED.name] = ReferenceSet(shuffled_columns(train, held_out, rng), None, held_labels)
    return sets


def shuffled_columns(split: Split, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`rows` (encoded as `split`'s) with each column permuted on its own: each of the user's columns, gaps
    included, re-encoded like real rows where the split has a table encoding, else each dimension."""
    encoder = split.encoder
    if encoder is None:
        return np.stack([rng.permutation(rows[:, i]) for i in range(rows.shape[1])], axis=1).astype(np.float32)
    table = encoder.decode(rows)[encoder.column_names]
    shuffled = table.apply(lambda column: column.iloc[rng.permutation(len(column))].reset_index(drop=True))
    return encoder.encode_columns(shuffled, rng)


def _halves(split: Split, budget: Budget, seed: int) -> tuple[Split, np.ndarray, np.ndarray | None]:
    """The split with half its training rows, the other half held out (at most the budget's sample
    count), and the held-out rows' labels."""
    order = dataset_rng("calibration:halves", seed).permutation(len(split.train))
    train_rows, held_rows = order[len(order) // 2 :], order[: len(order) // 2][: budget.n_eval_samples]
    labels = split.train_labels
    halved = dataclasses.replace(
        split, train=split.train[train_rows], train_labels=None if labels is None else labels[train_rows]
    )
    return halved, split.train[held_rows], None if labels is None else labels[held_rows]


def calibrate(
    dataset: str | Dataset,
    budget: Budget | str = "smoke",
    metrics: Sequence[str] | None = None,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    registry: Registry | None = None,
    *,
    ladder_only: bool = False,
) -> Calibration:
    """Compute `metrics` (default: `calibration_metrics`) on every reference set of `dataset` (a registered
    name, or a dataset such as a user's table).

    Each seed draws its own split and reference sets; each metric is computed as the harness
    computes it for a family, through its `not_applicable` and `compute`, with as many threads as a
    bench cell. Names are looked up in `registry` (default: every installed plugin); unknown names
    raise `InputError`. `ladder_only` computes the grading ladder alone (real rows, noise levels), no probes.
    """
    import torch  # noqa: F401 - loaded before the thread limit, so that it covers torch's OpenMP runtime too
    from threadpoolctl import threadpool_limits

    from advisor.budgets import get_budget
    from advisor.evaluate.protocol import cell_threads
    from advisor.plugins import load_registry

    registry = registry or load_registry()
    budget = get_budget(budget) if isinstance(budget, str) else budget
    data = registry.dataset(dataset)() if isinstance(dataset, str) else dataset
    instances = {name: registry.metric(name)() for name in metrics or calibration_metrics(registry)}
    with threadpool_limits(limits=cell_threads()):
        values, reasons, sizes = _measure(data, budget, instances, seeds, ladder_only)
    readings = {
        name: {s: Reading(tuple(v for _, v in pairs), tuple(seed for seed, _ in pairs)) for s, pairs in sets.items()}
        for name, sets in values.items()
        if sets
    }
    return Calibration(
        dataset=data.card.name,
        budget=budget.name,
        seeds=tuple(seeds),
        sizes=sizes,
        levels=levels_for(data),
        probes=() if ladder_only else probes_for(data),
        specs={name: instances[name].spec for name in readings},
        readings=readings,
        skipped={name: reason for name, reason in reasons.items() if name not in readings},
    )


def _measure(
    data: Dataset, budget: Budget, instances: dict[str, Metric], seeds: Sequence[int], ladder_only: bool
) -> tuple[dict[str, dict[str, list[tuple[int, float]]]], dict[str, str], dict[str, int]]:
    """Each metric's (seed, value) pairs per reference set over `seeds`, why a metric did not apply
    where it did not, and the rows of the last seed's sets."""
    values: dict[str, dict[str, list[tuple[int, float]]]] = {name: {} for name in instances}
    reasons: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for seed in seeds:
        split, held_out, labels = _halves(data.split(budget, seed), budget, seed)
        sizes = {"test": len(split.test), "held_out": len(held_out), "train": len(split.train)}
        for name, reference in _reference_sets(data, split, held_out, labels, seed, ladder_only).items():
            log_prob = None if reference.log_density is None else reference.log_density(split.test)
            conditional = None if reference.labels is None else (reference.samples, reference.labels)
            ctx = EvaluationContext(data, split, _REFERENCE_CARD, reference.samples, log_prob, conditional=conditional)
            for metric_name, metric in instances.items():
                reason = metric.not_applicable(ctx)
                if reason is None:
                    values[metric_name].setdefault(name, []).append((seed, float(metric.compute(ctx))))
                else:
                    reasons[metric_name] = reason
    return values, reasons, sizes
