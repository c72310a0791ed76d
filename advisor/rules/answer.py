"""The answer as data: typed records with codes, subjects and numbers, never finished sentences.

The ranking core (`engine.py`) fills the ranking; annotators (claims, memorization, stability,
scaling, caveats, trade-offs) add their records; `advisor.wording` renders English for the CLI,
the report and the page, in one place. `--json` and the HTTP API give `Answer.model_dump(mode="json")`,
so a field added here is in both at once. Pydantic, like the cards.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AcrossTables",
    "Answer",
    "Caveat",
    "CaveatCode",
    "ClaimCheck",
    "Comparison",
    "DatasetAnswer",
    "DatasetComparison",
    "DatasetSummary",
    "Elimination",
    "Instability",
    "Nearest",
    "Neighbour",
    "NotRanked",
    "NotRankedCode",
    "ObjectiveEvidence",
    "Peer",
    "Prior",
    "TrackRecord",
    "Race",
    "RacedOut",
    "Shortlist",
    "ShortlistCode",
    "NotRunCell",
    "PriorCandidate",
    "RankedCandidate",
    "RankingDifference",
    "Scaling",
    "StoreAnswer",
    "Tradeoff",
    "Verdict",
    "WithoutCopying",
]


class _Record(BaseModel):
    # built on first use, not at import: `advisor recommend` starts faster (a record it never makes costs nothing)
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Verdict(StrEnum):
    """One candidate against another on one metric and dataset (see `advisor.seednoise`)."""

    WORSE = "worse"  # its seed mean is behind beyond the noise of the difference
    LESS_CONSISTENT = "less consistent across seeds"  # behind only because its seeds scatter
    BETTER = "better"
    MORE_CONSISTENT = "more consistent across seeds"
    TIED = "within seed noise"
    #: behind only by the noise its single seed is assumed to carry (borrowed from the others' seeds there)
    ONE_SEED = "behind until measured on more seeds (one seed)"


class DatasetSummary(_Record):
    """A metric on one dataset over seeds; `distance_*` per seed from the metric's reference value."""

    mean: float
    std: float
    n: int
    distance_mean: float | None = None
    distance_std: float | None = None
    #: the mean's standard error where it is not std / sqrt(n): for one seed, borrowed from the spread of the other
    #: candidates' seeds on the dataset (None: nothing to borrow from, the seed is unqualified)
    error: float | None = None


class ObjectiveEvidence(_Record):
    """One objective of one candidate: how it is compared, its score and the numbers per dataset."""

    metric: str
    unit: str
    higher_is_better: bool
    scale: str
    reference: float | None
    score: float  # in [0, 1]: 1 = best or tied with the best on every dataset scored
    mean: float  # mean over the scored datasets of the seed means
    per_dataset: dict[str, DatasetSummary]
    scored_on: list[str]  # the datasets every rival was measured on
    distance: float | None = None  # with a reference: mean per-seed distance from it over `scored_on`


class DatasetComparison(_Record):
    """One dataset of a comparison: the verdict and both sides' numbers."""

    dataset: str
    verdict: Verdict
    mine: DatasetSummary
    theirs: DatasetSummary


class Comparison(_Record):
    """A candidate against `rival` on one metric, dataset by dataset."""

    metric: str
    unit: str
    higher_is_better: bool
    scale: str
    reference: float | None
    rival: str
    datasets: list[DatasetComparison]


class RankedCandidate(_Record):
    """A (family, sampler) that meets every hard requirement, with its scores and evidence."""

    family: str
    sampler: str
    label: str
    rank: int  # equal scores share a rank: a tie is declared, never broken by name
    score: float
    need_scores: dict[str, float]
    objectives: dict[str, ObjectiveEvidence]
    runs: int
    why_not_first: list[Comparison] = Field(default_factory=list)
    #: ranked first although its score is lower: it is first with this seed left out (`seed_robust`)
    first_without_seed: int | None = None
    quality_grade: str | None = None
    quality_basis: str | None = None


class Elimination(_Record):
    """A family a hard requirement removes, and which requirement."""

    family: str
    reasons: list[str]


class NotRankedCode(StrEnum):
    """Why a candidate that meets the requirements is not in the ranking."""

    NOT_MEASURED = "not-measured"  # no runs in this scope
    MISSING_OBJECTIVE = "missing-objective"  # no measurement of a need's primary objective
    THIN = "thin"  # measured on fewer than half the datasets of its best-measured rival
    NOT_RUN = "not-run"  # a planned cell on the user's file that was not run (`detail` says why)
    NOT_SHORTLISTED = "not-shortlisted"  # not raced on the user's file: outside the prior's shortlist


class NotRanked(_Record):
    """A candidate left out of the ranking, with the code, metrics and counts behind it."""

    family: str
    code: NotRankedCode
    metrics: list[str] = Field(default_factory=list)
    have: int | None = None  # THIN: datasets it has ...
    most: int | None = None  # ... of the most a rival has
    detail: str | None = None  # NOT_RUN, NOT_SHORTLISTED: the runner's reason


class CaveatCode(StrEnum):
    """What a caveat is about; several of one code are said in one line."""

    FILTERS_ONLY = "filters-only"  # no need has a measured objective: candidates are level
    NO_SHARED_DATASET = "no-shared-dataset"  # a metric no dataset has for every candidate
    LEFT_OUT = "left-out"  # a dataset left out of a comparison: some candidates lack it
    MISSING_OBJECTIVE = "missing-objective"  # a candidate's need score lacks a secondary objective
    SINGLE_SEED = "single-seed"  # one seed only, and no other candidate's seeds there to borrow noise from
    SINGLE_SEED_BORROWED = "single-seed-borrowed"  # one seed only: its noise borrowed from the others' seeds there
    FAILED_RUNS = "failed-runs"  # runs that failed on a dataset
    MEMORIZES = "memorizes"  # samples sit on training rows
    NONE_GOOD = "none-good"  # every graded candidate's quality is "low" on the calibrated scale
    MEASURING = "measuring"  # said by the measuring of a user's file (`detail`)


class Caveat(_Record):
    """A limit of the evidence: its code, who it concerns (`subjects`), where, and its numbers."""

    code: CaveatCode
    subjects: list[str] = Field(default_factory=list)  # candidate labels
    needs: list[str] = Field(default_factory=list)
    datasets: list[str] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=list)
    numbers: dict[str, float] = Field(default_factory=dict)  # e.g. dataset -> share, status -> count
    detail: str | None = None  # MEASURING only: text from the runner


class ClaimCheck(_Record):
    """A need's textbook rule of thumb judged among the families the textbook compares."""

    need: str
    claim: str
    claimed: list[str]  # the families the claim names
    measured_best: list[str]  # the textbook families tied at the top
    agrees: bool | None  # None: no claimed family was among the candidates
    baselines_above: list[str] = Field(default_factory=list)  # non-textbook candidates ranked above them all
    memorizing_best: list[str] = Field(default_factory=list)  # the best, where they all copy training rows
    best_not_copying: list[str] = Field(default_factory=list)  # then: the best textbook families that do not
    best_not_copying_claimed: bool | None = None  # whether the claim names one of them


class Tradeoff(_Record):
    """What the best for `need` (a tie set) gives up on `other_need`'s primary objective."""

    need: str
    best: list[str]
    other_need: str
    other_best: list[str]
    comparisons: list[Comparison]  # each of `best` against each of `other_best`; `rival` names which


class Instability(_Record):
    """Counted outcomes of one candidate over the compared datasets, with a 95% Wilson interval."""

    candidate: str
    runs: int
    failed: int
    collapsed: int
    rate: float
    interval: tuple[float, float]
    collapses: dict[str, list[str]] = Field(default_factory=dict)  # dataset -> why each seed collapsed


class Scaling(_Record):
    """Sampling throughput against dims, fitted across a candidate's datasets (log-log)."""

    candidate: str
    sampling: str | None
    slope: float
    intercept: float
    dims: tuple[int, int]
    datasets: int


class Peer(_Record):
    """Where another library's family ranks."""

    candidate: str
    library: str
    rank: int
    of: int


class Nearest(_Record):
    """When nothing is left: a measured family failing the fewest requirements, and which it fails."""

    family: str
    fails: list[str]


class WithoutCopying(_Record):
    """When every winner memorizes: the best-ranked candidates that do not (a tie set)."""

    candidates: list[str]
    rank: int
    score: float


class AcrossTables(_Record):
    """The candidates' ranks across the datasets of one kind (Friedman; Holm against the best, Demšar 2006)."""

    tables: list[str]  # compared: every candidate measured there
    left_out: dict[str, list[str]] = Field(default_factory=dict)  # a table -> the candidates it lacks
    average_ranks: dict[str, float]  # 1 = best; best first
    wins: dict[str, int]  # tables where the candidate is first or tied first (`seed_robust`: or without a seed)
    friedman_p: float
    iman_davenport_p: float
    alpha: float
    best: list[str]  # the lowest average rank (several when tied)
    indistinguishable: list[str]  # the best and every candidate Holm's procedure cannot tell apart from it
    differ: bool  # whether the tables tell the candidates apart at all (Iman-Davenport at alpha)

    @property
    def candidates(self) -> list[str]:
        """Every candidate compared, best average rank first."""
        return list(self.average_ranks)

    @property
    def critical_difference(self) -> float:
        """Nemenyi's critical difference in average ranks (computed when asked, e.g. for the diagram)."""
        from advisor.stats.friedman import critical_difference

        return critical_difference(len(self.average_ranks), len(self.tables), self.alpha)

    def nemenyi_groups(self) -> list[tuple[str, ...]]:
        """The groups that cannot be told apart from each other (the bars of a critical-difference diagram)."""
        from advisor.stats.friedman import nemenyi_groups

        return nemenyi_groups(self.candidates, self.average_ranks, self.critical_difference)


class PriorCandidate(_Record):
    """How a candidate did on the measured tables most like the user's."""

    label: str
    family: str
    first: int  # tables where it was first or tied first for the needs
    of: int  # tables among the neighbours it was measured on
    mean_rank: float  # its mean rank on them (1 = best; ties share the average rank)


class Neighbour(_Record):
    """A measured table like the user's, and how far (standardized meta-features, root mean square)."""

    table: str
    distance: float


class TrackRecord(_Record):
    """How the prior has done on the measured tables, each left out in turn and predicted from the others."""

    tables: int  # tables left out
    hits: float  # on how many the prior's pick was in the table's tie set (a tie of picks counts fractionally)
    mean_tie_set: float  # candidates in a table's tie set, on average (a hit is easy when ties are wide)
    mean_regret: float  # how far the picks' score fell short of the table's best, on average (scores run 0-1)
    overall_hits: float  # the same for the best on average across the other tables, whichever table it is
    overall_mean_regret: float
    #: per table left out: where in the prior's order of families the first family of its tie set came (1 = the
    #: first family; None: the prior ranked none of them)
    family_ranks: list[int | None] = Field(default_factory=list)
    #: the farthest a table left out lay from its nearest other table, in typical distances between two tables
    farthest: float = 0.0


class ShortlistCode(StrEnum):
    """Why the race measures the candidates it does."""

    SHORTLIST = "shortlist"  # the prior's first families, which held a winner on enough tables left out
    EVERY_FAMILY = "every-family"  # no shorter prefix of the prior's order held a winner on enough tables
    FEW_TABLES = "few-tables"  # too few measured tables to judge a shortlist on
    FAR = "far"  # the user's table lies farther from the measured tables than any of them lay from the rest
    ASKED = "asked"  # the user asked for every candidate (`recommend --data --every-candidate`)


class Shortlist(_Record):
    """Which families a race on the user's table measures: the fewest of the prior's, in its order, that held one
    of a table's winners on `prior.SHORTLIST_COVERAGE` of the measured tables, each left out (`prior.shortlist`)."""

    code: ShortlistCode
    families: list[str]  # in the prior's order; empty unless `code` is SHORTLIST (empty: every candidate is raced)
    held: int  # measured tables (each left out) on which `families` held one of that table's winners
    tables: int  # measured tables judged
    fewest_tables: int  # the fewest measured tables a shortlist is judged on
    coverage: float  # the share of them a shortlist must hold a winner on
    nearest: float  # the user's table's distance to its nearest measured table, in typical distances
    farthest: float  # the farthest a measured table, left out, lay from its nearest other, in typical distances
    unranked: list[str] = Field(default_factory=list)  # raced as well: candidates the prior does not rank
    earlier: list[str] = Field(default_factory=list)  # raced as well: those an earlier run on the file measured
    left_out: list[str] = Field(default_factory=list)  # the candidates not raced


class Prior(_Record):
    """Before measuring: the candidates ranked by how they did on the measured tables most like the user's."""

    needs: list[str]
    neighbours: list[Neighbour]  # nearest first
    candidates: list[PriorCandidate]  # most often first, then by mean rank
    picks: list[str]  # the top of `candidates` (several when tied)
    typical_distance: float  # the median distance between two measured tables: what "near" means here
    near: bool  # the nearest table is within `prior.NEAR_SHARE` of the typical distance
    track_record: TrackRecord | None = None  # the prior judged by leaving each measured table out
    shortlist: Shortlist | None = None  # which families a race measures (None: no track record to judge one by)


class Answer(_Record):
    """The ranked answer for some needs on some evidence, with every annotation."""

    needs: list[str]
    budget: str | None
    datasets: list[str]
    ranked: list[RankedCandidate]
    winners: list[str]  # every candidate at rank 1
    pareto: list[str] = Field(default_factory=list)
    eliminated: list[Elimination] = Field(default_factory=list)
    unmeasured: list[NotRanked] = Field(default_factory=list)
    claims: list[ClaimCheck] = Field(default_factory=list)
    tradeoffs: list[Tradeoff] = Field(default_factory=list)
    nearest: list[Nearest] = Field(default_factory=list)  # when nothing is left
    caveats: list[Caveat] = Field(default_factory=list)
    instability: list[Instability] = Field(default_factory=list)
    scope: dict[str, Any] = Field(default_factory=dict)  # kinds, dims, rows, budget, networks, devices
    scaling: list[Scaling] = Field(default_factory=list)
    peers: list[Peer] = Field(default_factory=list)
    quality_scale: dict[str, str] | None = None  # the calibrated grades' legend, when any is given
    without_copying: WithoutCopying | None = None
    across_tables: AcrossTables | None = None  # one kind of data on enough tables

    def to_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints with `--json` and the HTTP API returns."""
        return self.model_dump(mode="json")


class StoreAnswer(Answer):
    """`advisor recommend` on a store: the pooled answer, and one per kind of data unless narrowed."""

    store: str
    note: str | None = None  # which store answered, when it was a fallback
    by_kind: dict[str, Answer] | None = None
    kinds_agree: bool | None = None


class RacedOut(_Record):
    """A candidate clearly behind the leader after its seeds: given no more (`advisor.seednoise.clearly_behind`)."""

    family: str
    label: str
    seeds: int
    mean: float  # its seed mean of the race metric
    distance: float | None = None  # with a reference value (C2ST's 0.5): its mean per-seed distance, compared
    leader: str
    leader_seeds: int
    leader_mean: float
    leader_distance: float | None = None


class NotRunCell(_Record):
    """A planned cell (a family's seed on the user's table) the race did not run, and why."""

    family: str
    seed: int
    #: "raced-out" | "not-started" (the time limit) | "failed" (its seeds failed) | "not-needed" |
    #: "not-shortlisted" (outside the prior's shortlist: `Prior.shortlist`)
    reason: str


class Race(_Record):
    """How the candidates were raced on the user's table (`advisor.runner.racing`)."""

    metric: str | None  # what the race ran on: the first need's primary objective
    order: list[str]  # who got a first seed first
    seeds: dict[str, int]  # seeds tried per family
    tie_set: list[str]  # the families tied with the leader when the race stopped
    raced_out: list[RacedOut] = Field(default_factory=list)
    not_run: list[NotRunCell] = Field(default_factory=list)
    estimates: dict[str, float] = Field(default_factory=dict)  # seconds one more cell of a family is expected to take
    before_tie_set: list[str] = Field(default_factory=list)  # what an earlier run on this file had left at the top
    before_seeds: dict[str, int] = Field(default_factory=dict)  # and its seeds per family (empty: a first run)
    #: the answer's winners (every objective of the needs) on the cells an earlier run left, when this run added some
    before_winners: list[str] = Field(default_factory=list)


class RankingDifference(_Record):
    """How the ranking on the user's data differs from the reference datasets'."""

    best_mine: list[str]
    best_reference: list[str]
    moved: list[tuple[str, int, int]] = Field(default_factory=list)  # (label, reference rank, rank on yours)


class DatasetAnswer(_Record):
    """`advisor recommend --data` (and the API's `/datasets/NAME/recommend`): the answer on one measured
    dataset beside the reference store's answer on datasets of its kind."""

    store: str
    dataset: str
    kind: str | None
    your_data: Answer
    reference: Answer | None = None
    reference_store: str | None = None
    difference: RankingDifference | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON both the CLI and the HTTP API give."""
        return self.model_dump(mode="json")
