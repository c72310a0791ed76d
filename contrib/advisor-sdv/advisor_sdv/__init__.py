"""SDV 2.0's single-table synthesizers as advisor families: the peers a tabular user would pick instead.

Three families, registered through the entry-point group `advisor` like the built-ins:

- `sdv-copula`: `GaussianCopulaSynthesizer` (per-column marginals, beta by default, joined by a
  Gaussian copula; Patki et al. 2016).
- `sdv-ctgan`: `CTGANSynthesizer` (conditional WGAN-GP with mode-specific normalization and PacGAN;
  Xu et al. 2019).
- `sdv-tvae`: `TVAESynthesizer` (a VAE on the same mode-specific normalization; Xu et al. 2019).

Each is SDV as its users run it: `Metadata.detect_from_dataframes`, the synthesizer's defaults, `fit`
and `sample`; only what the advisor's protocol fixes is set (epochs and batch size from the budget,
the device, the seed). On a table with columns of its own (penguins, a user's file) SDV gets them as
its users would give them (`Family.original_columns`): text categories, whole numbers, dates and
missing cells, with the sdtypes SDV detects; the harness encodes its rows as it encodes the real
ones, so the metrics see SDV and the built-ins in one encoding. On an all-numeric array (wine,
breast-cancer) SDV gets a table of numerical columns (`x0`, `x1`, ...); any column detection calls
something else is set numerical.

Seeding. SDV's trainers draw from numpy's and torch's global generators, so `fit` seeds both (and
Python's) from `seed`. SDV then samples from a fixed internal seed unless its private
`_set_random_state(seed)` is called: `fit` calls it once, so the samples follow the run's seed and each
`sample` call continues the stream (fresh draws, never a reset).

Steps to epochs. SDV trains for `epochs`; an epoch's optimizer steps depend on the batch size:

- TVAE iterates a shuffled `DataLoader` without dropping the last batch: ceil(n_rows / batch) steps
  an epoch (the last one smaller when batch does not divide n_rows; a batch over n_rows is n_rows).
- CTGAN draws `batch` rows per step with replacement through its conditional sampler:
  max(n_rows // batch, 1) generator steps an epoch, each after `discriminator_steps` (1) critic
  steps. Its batch must be a multiple of 2 and of `pac` (10): the budget's is rounded down to one.

The batch is the budget's `batch_size` (the same examples per step as every family in the bench),
and epochs = floor(train_steps / steps_per_epoch), at least 1, so the optimizer steps are the largest
whole number of epochs within the budget (`FitReport.steps`); what is left over is fewer than one
epoch's steps. The harness sizes the budget to the table before `fit` (`Budget.sized_for`: 1,000
passes over the rows in at least 4,000 steps, at a batch no larger than them), so the peers' epochs
follow the rule every family follows: on wine (142 training rows) the quick budget becomes 4,058
steps of 35 rows, which is 811 TVAE epochs of 5 steps (the last of 2 rows) and 1,014 CTGAN epochs of
4 steps (30 rows drawn each). Should one epoch exceed the
budget (n_rows > train_steps * batch), the batch is raised to ceil(n_rows / train_steps) so that it
does not. The Gaussian copula fits in closed form plus one scipy maximum-likelihood fit per column:
one step.
`FitReport.selected` records epochs, batch size and steps per epoch; setting `epochs` or `batch_size`
by hand overrides the mapping (then the steps may exceed the budget, and the notes say so).

Likelihood. None of the three declares one. The copula's density is not computed exactly in the
harness's space by SDV: copulas' `probability_density` returns the Gaussian density of the normal
scores, without the marginal densities, so it is not a density of x; and the exact density of the
default beta marginals is zero outside the training range (log p = -inf on held-out rows). TVAE's
ELBO lives in SDV's mode-specific normalized space, not the harness's.

Heavy libraries (sdv, pandas, torch) are imported inside the methods; the core never imports SDV.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from advisor import Family, FamilyCard, FitReport, hookimpl

__all__ = ["SDVCopula", "SDVCTGAN", "SDVTVAE", "ctgan_plan", "tvae_plan"]

TABLE = "table"
SDV_PAPER = "Patki, Wedge & Veeramachaneni 2016, The Synthetic Data Vault"
CTGAN_PAPER = "Xu, Skoularidou, Cuesta-Infante & Veeramachaneni 2019, Modeling Tabular Data using Conditional GAN"
#: answers say where these rank among the advisor's families ("TVAE, which users of SDV would pick, ...")
PEER_OF = "SDV"


@dataclass(frozen=True)
class EpochPlan:
    """How a budget's optimizer steps become SDV epochs for one table."""

    epochs: int
    batch_size: int
    steps_per_epoch: int

    @property
    def steps(self) -> int:
        """Optimizer steps the plan takes (generator steps for CTGAN)."""
        return self.epochs * self.steps_per_epoch


def tvae_plan(n_rows: int, train_steps: int, batch_size: int, epochs: int | None = None) -> EpochPlan:
    """TVAE: ceil(n_rows / batch) steps an epoch (DataLoader, drop_last=False); whole epochs within the budget."""
    batch = min(batch_size, n_rows)
    if math.ceil(n_rows / batch) > train_steps:  # one epoch would exceed the budget
        batch = math.ceil(n_rows / train_steps)
    per_epoch = math.ceil(n_rows / batch)
    return EpochPlan(epochs or max(1, train_steps // per_epoch), batch, per_epoch)


def ctgan_plan(n_rows: int, train_steps: int, batch_size: int, pac: int = 10, epochs: int | None = None) -> EpochPlan:
    """CTGAN: max(n_rows // batch, 1) steps an epoch, batch a multiple of 2 and `pac`; whole epochs in the budget."""
    unit = math.lcm(2, pac)
    batch = max(unit, batch_size // unit * unit)
    if max(n_rows // batch, 1) > train_steps:
        batch = math.ceil(math.ceil(n_rows / train_steps) / unit) * unit
    per_epoch = max(n_rows // batch, 1)
    return EpochPlan(epochs or max(1, train_steps // per_epoch), batch, per_epoch)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """SDV's advice to save the metadata, and its per-call CSV log in the user's data directory, off."""
    from sdv.logging.utils import disable_single_table_logger

    with warnings.catch_warnings(), disable_single_table_logger():
        warnings.filterwarnings("ignore", message=".*saving the metadata.*", category=UserWarning)
        yield


def _seed_globals(seed: int) -> None:
    """SDV's trainers draw from the global generators: seed Python's, numpy's and torch's."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _table(train: Any) -> tuple[Any, bool]:
    """(the one-table frame SDV takes, whether it is the table's own columns).

    On a table with columns of its own the harness hands the family its rows as they are (the card's
    `original_columns`); an all-numeric array (wine, the toys) becomes float64 columns x0, x1, ...
    """
    import numpy as np
    import pandas as pd

    if isinstance(train, pd.DataFrame):
        return train.reset_index(drop=True), True
    array = np.asarray(train, dtype=np.float64)
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])]), False


def _metadata(frame: Any, own_columns: bool) -> tuple[Any, dict[str, str], list[str]]:
    """(metadata as SDV users get it, detected; each column's sdtype; the columns set numerical).

    A table's own columns keep what SDV detects (categorical text, numbers, datetimes), except a column
    it takes for personal data (`pii`, e.g. `state` as an administrative unit): SDV would replace its
    values with fake ones (a state's code by a state's name), which no row of the table holds, so it is
    set categorical and learned like any other. On an array every column is a number, so one detected
    as anything else is set numerical.
    """
    from sdv.metadata import Metadata

    metadata = Metadata.detect_from_dataframes({TABLE: frame}, infer_keys=None)
    columns = metadata.to_dict()["tables"][TABLE]["columns"]
    forced = [] if own_columns else [name for name, spec in columns.items() if spec.get("sdtype") != "numerical"]
    for name in forced:
        metadata.update_column(name, table_name=TABLE, sdtype="numerical", computer_representation="Float")
    personal = [name for name, spec in columns.items() if own_columns and spec.get("pii")]
    for name in personal:
        metadata.update_column(name, table_name=TABLE, sdtype="categorical")
    sdtypes = {name: spec.get("sdtype", "?") for name, spec in columns.items()}
    sdtypes.update({name: "numerical" for name in forced} | {name: "categorical" for name in personal})
    return metadata, sdtypes, forced + personal


def _sdv_version() -> str:
    from importlib.metadata import version

    return version("sdv")


class _SDVFamily(Family):
    """Shared fit / sample around one SDV single-table synthesizer."""

    heavy_imports: ClassVar[tuple[str, ...]] = ("pandas", "torch", "sdv.metadata", "sdv.single_table")
    #: Trains a torch network: use the harness's threads per cell and the run's device.
    uses_torch: ClassVar[bool] = True
    #: SDV is built for a table's own columns: on penguins or a user's file it gets them, with its metadata
    original_columns: ClassVar[bool] = True

    def _synthesizer(self, metadata: Any, n_rows: int, budget: Any, gpu: bool) -> tuple[Any, EpochPlan | None]:
        raise NotImplementedError

    def _describe(self, plan: EpochPlan | None, budget: Any) -> tuple[dict[str, Any], str]:
        raise NotImplementedError

    def fit(self, train: Any, labels: Any, budget: Any, seed: int, device: str) -> FitReport:
        """Fit the synthesizer on `train` as a table of numerical columns; `labels` are not used."""
        if self.uses_torch:  # SDV would take every core; the harness gives each cell its threads
            from advisor.torchkit import setup_torch

            setup_torch(seed, device)
        _seed_globals(seed)
        frame, self._own_columns = _table(train)
        self._columns = list(frame.columns)
        with _quiet():
            metadata, sdtypes, forced = _metadata(frame, self._own_columns)
            synthesizer, plan = self._synthesizer(metadata, len(frame), budget, device == "cuda")
            synthesizer.fit({TABLE: frame})
        synthesizer._set_random_state(seed)  # private in SDV 2.0: otherwise every fit samples one fixed stream
        self._synth = synthesizer
        selected, notes = self._describe(plan, budget)
        selected["sdv_version"] = _sdv_version()
        if self._own_columns:
            selected["sdtypes"] = sdtypes
            notes += " The table's own columns, with the sdtypes SDV detected."
        if forced and self._own_columns:
            notes += f" Taken by SDV for personal data, learned as categories instead: {', '.join(forced)}."
        elif forced:
            notes += f" Detected as non-numerical and set numerical: {', '.join(forced)}."
        return FitReport(steps=plan.steps if plan else 1, selected=selected, notes=notes.strip())

    def sample(self, n: int, labels: Any = None, sampler: str = "default") -> Any:
        """`n` fresh rows from the synthesizer's seeded stream: in the table's own columns when it was
        fitted on them, else as float32 (n, dims)."""
        import numpy as np

        with _quiet():
            frame = self._synth.sample(int(n))[TABLE][self._columns]
        return frame if self._own_columns else frame.to_numpy(dtype=np.float32)


def _network_plan_notes(name: str, plan: EpochPlan, budget: Any, by_hand: bool) -> str:
    notes = (
        f"SDV {name}: {plan.epochs} epochs x {plan.steps_per_epoch} steps of batch {plan.batch_size} = "
        f"{plan.steps} optimizer steps (budget: {budget.train_steps} steps of {budget.batch_size})."
    )
    if by_hand:
        notes += " Epochs set by hand: the budget's steps were not applied."
    return notes


@dataclass(eq=False)
class SDVCopula(_SDVFamily):
    """SDV's GaussianCopulaSynthesizer with its defaults (beta marginals).

    Args:
        default_distribution: SDV's marginal for every column ('beta', SDV's default; 'norm',
            'truncnorm', 'gamma', 'uniform', 'gaussian_kde').
    """

    card = FamilyCard(
        name="sdv-copula",
        title="SDV GaussianCopula",
        peer_of=PEER_OF,
        likelihood="none",
        latent="explicit",  # the normal scores Phi^-1(F(x)), a per-column bijection (as a flow's latent)
        training="mle",  # each marginal by scipy's maximum likelihood; the correlation of the normal scores
        sampling="one-shot",
        conditioning=False,
        data_kinds=frozenset({"tabular"}),
        references=(SDV_PAPER,),
    )
    heavy_imports: ClassVar[tuple[str, ...]] = ("pandas", "scipy.stats", "sdv.metadata", "sdv.single_table")
    uses_torch: ClassVar[bool] = False

    default_distribution: str = "beta"

    def fit(self, train: Any, labels: Any, budget: Any, seed: int, device: str) -> FitReport:
        """Fit the marginals and the copula's correlation (one step); `labels` are not used."""
        numbers = _table(train)[0].select_dtypes("number")  # the columns as SDV will name them
        self._ranges = (numbers.max() - numbers.min()).astype(float).to_dict()  # to name collapsed marginals
        return super().fit(train, labels, budget, seed, device)

    def _synthesizer(self, metadata: Any, n_rows: int, budget: Any, gpu: bool) -> tuple[Any, None]:
        from sdv.single_table import GaussianCopulaSynthesizer

        return GaussianCopulaSynthesizer(metadata, default_distribution=self.default_distribution), None

    def _describe(self, plan: None, budget: Any) -> tuple[dict[str, Any], str]:
        notes = "SDV GaussianCopulaSynthesizer: one closed-form fit (marginals by maximum likelihood)."
        collapsed = []
        for column, learned in self._synth.get_learned_distributions().items():
            scale, spread = learned.get("learned_parameters", {}).get("scale"), self._ranges.get(column)
            if scale is not None and spread and float(scale) < 0.01 * spread:
                collapsed.append(f"{column} ({learned['distribution']} scale {float(scale):.2g}, range {spread:.2g})")
        if collapsed:
            notes += " Marginals collapsed to a point: " + ", ".join(collapsed) + "."
        return {"default_distribution": self.default_distribution}, notes

    def num_parameters(self) -> int:
        """Marginal parameters (e.g. beta's a, b, loc, scale per column) plus the copula's correlations."""
        learned = self._synth.get_learned_distributions()
        marginal = sum(len(v.get("learned_parameters", {})) for v in learned.values())
        d = len(self._columns)
        return marginal + d * (d - 1) // 2


@dataclass(eq=False)
class SDVCTGAN(_SDVFamily):
    """SDV's CTGANSynthesizer with its defaults; epochs and batch size from the budget.

    Args:
        epochs: Training epochs; None maps the budget's steps onto epochs (see the module docstring).
        batch_size: Rows a step; None takes the budget's, rounded down to a multiple of 2 and `pac`.
        pac: Rows the critic judges together (PacGAN), SDV's default 10.
    """

    card = FamilyCard(
        name="sdv-ctgan",
        title="SDV CTGAN",
        peer_of=PEER_OF,
        likelihood="none",
        latent="implicit",
        training="adversarial",
        sampling="one-shot",
        conditioning=False,
        data_kinds=frozenset({"tabular"}),
        network="MLP",
        references=(CTGAN_PAPER, SDV_PAPER),
    )

    epochs: int | None = None
    batch_size: int | None = None
    pac: int = 10

    def _synthesizer(self, metadata: Any, n_rows: int, budget: Any, gpu: bool) -> tuple[Any, EpochPlan]:
        from sdv.single_table import CTGANSynthesizer

        plan = ctgan_plan(n_rows, budget.train_steps, self.batch_size or budget.batch_size, self.pac, self.epochs)
        synth = CTGANSynthesizer(metadata, epochs=plan.epochs, batch_size=plan.batch_size, pac=self.pac, enable_gpu=gpu)
        return synth, plan

    def _describe(self, plan: EpochPlan, budget: Any) -> tuple[dict[str, Any], str]:
        selected = {
            "epochs": plan.epochs,
            "batch_size": plan.batch_size,
            "steps_per_epoch": plan.steps_per_epoch,
            "discriminator_steps": 1,
            "pac": self.pac,
        }
        notes = _network_plan_notes("CTGANSynthesizer", plan, budget, self.epochs is not None)
        notes += " A step is one generator update after one critic update, on rows drawn with replacement."
        return selected, notes

    def nfe(self, sampler: str = "default") -> int:
        """One generator pass per sample."""
        return 1

    def num_parameters(self) -> int:
        """Trainable parameters of generator and critic (SDV keeps only the generator; the critic is rebuilt)."""
        from ctgan.synthesizers.ctgan import Discriminator

        from advisor.torchkit import count_parameters

        model = self._synth._model
        critic_input = model._transformer.output_dimensions + model._data_sampler.dim_cond_vec()
        critic = Discriminator(critic_input, model._discriminator_dim, pac=model.pac)
        return count_parameters(model._generator, critic)


@dataclass(eq=False)
class SDVTVAE(_SDVFamily):
    """SDV's TVAESynthesizer with its defaults; epochs and batch size from the budget.

    Args:
        epochs: Training epochs; None maps the budget's steps onto epochs (see the module docstring).
        batch_size: Rows a step; None takes the budget's (at most the table's rows).
    """

    card = FamilyCard(
        name="sdv-tvae",
        title="SDV TVAE",
        peer_of=PEER_OF,
        likelihood="none",
        latent="explicit",
        training="elbo",
        sampling="one-shot",
        conditioning=False,
        data_kinds=frozenset({"tabular"}),
        network="MLP",
        references=(CTGAN_PAPER, SDV_PAPER),
    )

    epochs: int | None = None
    batch_size: int | None = None

    def _synthesizer(self, metadata: Any, n_rows: int, budget: Any, gpu: bool) -> tuple[Any, EpochPlan]:
        from sdv.single_table import TVAESynthesizer

        plan = tvae_plan(n_rows, budget.train_steps, self.batch_size or budget.batch_size, self.epochs)
        return TVAESynthesizer(metadata, epochs=plan.epochs, batch_size=plan.batch_size, enable_gpu=gpu), plan

    def _describe(self, plan: EpochPlan, budget: Any) -> tuple[dict[str, Any], str]:
        selected = {"epochs": plan.epochs, "batch_size": plan.batch_size, "steps_per_epoch": plan.steps_per_epoch}
        return selected, _network_plan_notes("TVAESynthesizer", plan, budget, self.epochs is not None)

    def nfe(self, sampler: str = "default") -> int:
        """One decoder pass per sample."""
        return 1

    def num_parameters(self) -> int:
        """Trainable parameters of encoder and decoder (SDV keeps only the decoder; the encoder is rebuilt)."""
        from ctgan.synthesizers.tvae import Encoder

        from advisor.torchkit import count_parameters

        model = self._synth._model
        encoder = Encoder(model.transformer.output_dimensions, model.compress_dims, model.embedding_dim)
        return count_parameters(model.decoder, encoder)


@hookimpl
def advisor_families(register: Any) -> None:
    """Register the three SDV peers."""
    register(SDVCopula)
    register(SDVCTGAN)
    register(SDVTVAE)
