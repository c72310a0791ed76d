"""Racing the candidates on a user's table: seeds go to those that can still win.

After F-race (Birattari et al. 2002) and successive halving (Jamieson & Talwalkar 2016): every
candidate gets its first seed, most promising first; then further seeds go only to candidates that
are not `clearly_behind` the leader (`advisor.seednoise`), the leader's tie set before anyone else,
until each contender has `max_seeds` or the time is out. A candidate clearly behind gets no further
seed and the race says so with its numbers.

The race is decided from the measured values alone (the data, the store and the options), never
from timing: `next_cells` is a pure function of what has been measured, so a second run with more
time continues the first one's sequence, and an interrupted race resumes where it stopped. With one
seed a candidate's standard error comes from a noise prior: the family's seed spread of the same
metric on the stored datasets of the same kind (`noise_priors`).

The race is run by family (a cell fits a family once and measures every sampler); a family stands
at its best sampler.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.rules.answer import NotRunCell, Race, RacedOut
from advisor.rules.evidence import Evidence, candidate_label
from advisor.rules.scoring import reading, seed_spread
from advisor.seednoise import Reading, behind_leader, clearly_behind, pessimistic_bound

if TYPE_CHECKING:
    from advisor.cards import MetricSpec, Need

__all__ = [
    "DEFAULT_SEEDS",
    "RaceOutcome",
    "RaceState",
    "Standing",
    "next_cells",
    "noise_priors",
    "race_metric",
    "race_record",
    "run_race",
    "standings",
]

#: seeds a contender gets when the race runs to the end
DEFAULT_SEEDS = 3


@dataclass(frozen=True)
class Standing:
    """A family on the race metric: its best sampler's seed mean (higher is better) and standard error."""

    family: str
    label: str
    seeds: int
    reading: Reading
    prior: bool  # the standard error is the noise prior's (one seed), not the seeds' own
    mean: float = math.nan  # the metric's seed mean as measured (for the answer to cite)
    distance: float | None = None  # with a reference value: the mean per-seed distance from it (what is compared)

    @property
    def value(self) -> float:
        """The seed mean on the comparable scale, oriented so that higher is better."""
        return self.reading[0]


def noise_priors(evidence: Evidence, metric: str) -> dict[str, float]:
    """Family -> the median seed standard deviation of `metric` (comparable scale) over `evidence`'s datasets,
    with every family's median under the key "" as the fallback for a family never measured."""
    spec = evidence.specs.get(metric)
    if spec is None:
        return {}
    spreads: dict[str, list[float]] = {}
    for (family, _sampler), by_metric in evidence.values.items():
        for summary in by_metric.get(metric, {}).values():
            if summary.n > 1:
                spreads.setdefault(family, []).append(seed_spread(spec, summary))
    priors = {family: statistics.median(values) for family, values in spreads.items()}
    if priors:
        priors[""] = statistics.median(priors.values())
    return priors


def standings(evidence: Evidence, metric: str, dataset: str, priors: Mapping[str, float]) -> dict[str, Standing]:
    """Each family's standing on `metric` on `dataset`: its sampler with the best pessimistic bound."""
    spec: MetricSpec | None = evidence.specs.get(metric)
    best: dict[str, Standing] = {}
    if spec is None:
        return best
    for candidate, by_metric in evidence.values.items():
        summary = by_metric.get(metric, {}).get(dataset)
        if summary is None:
            continue
        family = candidate[0]
        value, error = reading(spec, summary)
        prior = summary.n < 2
        if prior:  # one reading: its standard error is one seed's spread, as the family scatters elsewhere
            error = priors.get(family, priors.get("", math.inf))  # no prior at all: unknown, never dropped
        distance = summary.distance_mean if spec.reference is not None else None
        standing = Standing(
            family, candidate_label(candidate), summary.n, (value, error), prior, summary.mean, distance
        )
        if family not in best or pessimistic_bound(standing.reading) > pessimistic_bound(best[family].reading):
            best[family] = standing
    return best


@dataclass
class RaceState:
    """What has been measured: the families in order of promise, the seeds tried, the standings."""

    order: Sequence[str]  # most promising (or cheapest) first: who gets a first seed first
    tried: Mapping[str, int]  # seeds tried per family (complete or failed), seeds 0, 1, ... in turn
    standing: Mapping[str, Standing]
    max_seeds: int = DEFAULT_SEEDS

    def leader(self) -> Standing | None:
        """The standing with the best pessimistic bound (several tied ones: any, the tie set is `tie_set`)."""
        if not self.standing:
            return None
        return max(self.standing.values(), key=lambda s: (pessimistic_bound(s.reading), -self.order.index(s.family)))

    def raced_out(self) -> dict[str, Standing]:
        """Family -> its standing, for each family clearly behind the leader that would still get a seed; never
        one in the leader's tie set (a candidate the answer calls tied with the leader is not out of the race)."""
        leader = self.leader()
        if leader is None:
            return {}
        return {
            f: s
            for f, s in self.standing.items()
            if f != leader.family
            and self.tried.get(f, 0) < self.max_seeds
            and clearly_behind(s.reading, leader.reading)
            and behind_leader(s.reading, leader.reading) > 0
        }

    def tie_set(self) -> list[str]:
        """The families tied with the leader within seed noise, in order of promise."""
        leader = self.leader()
        if leader is None:
            return []
        return [
            f for f in self.order if f in self.standing and behind_leader(self.standing[f].reading, leader.reading) == 0
        ]


def next_cells(state: RaceState) -> list[tuple[str, int]]:
    """The (family, seed) cells to run next, in order: every family's first seed (in order of promise),
    then the leader's tie set, then the other contenders closest to the leader; never a family clearly
    behind the leader (`RaceState.raced_out`), one whose every seed failed, or one with `max_seeds` tried.
    Empty: the race is over.
    """
    first = [(f, 0) for f in state.order if state.tried.get(f, 0) == 0]
    raced_out = state.raced_out()
    ties = state.tie_set()
    contenders = [
        f for f in state.order if f in state.standing and f not in raced_out and state.tried.get(f, 0) < state.max_seeds
    ]
    by_promise = sorted(
        (f for f in contenders if f not in ties),
        key=lambda f: (-pessimistic_bound(state.standing[f].reading), state.order.index(f)),
    )
    more = [f for f in ties if f in contenders] + by_promise
    return first + [(f, state.tried.get(f, 0)) for f in more]


@dataclass
class RaceOutcome:
    """How a race went: cells run, seeds tried per family, who was raced out, and why it stopped."""

    cells_run: int = 0
    tried: dict[str, int] = field(default_factory=dict)
    raced_out: dict[str, tuple[Standing, Standing]] = field(default_factory=dict)  # family -> (its, leader's)
    tie_set: list[str] = field(default_factory=list)
    waiting: list[tuple[str, int]] = field(default_factory=list)  # cells still wanted when the time ran out
    standing_families: set[str] = field(default_factory=set)  # families with a completed seed
    before: tuple[list[str], dict[str, int]] | None = None  # the tie set and seeds an earlier run left, if any


def run_race(
    order: Sequence[str],
    read_state: Callable[[], tuple[dict[str, int], dict[str, Standing]]],
    fits: Callable[[str], bool],
    run: Callable[[list[tuple[str, int]]], int],
    *,
    jobs: int = 1,
    max_seeds: int = DEFAULT_SEEDS,
) -> RaceOutcome:
    """Run the race: read what is measured (`read_state`: seeds tried per family, standings), run the next
    `jobs` cells the race wants whose family's cost `fits` the time left (`run` returns how many ran), until
    the race is over or nothing that it wants fits any more."""
    outcome = RaceOutcome()
    while True:
        tried, standing = read_state()
        tried = {f: n for f, n in tried.items() if f in order}  # not those measured but not raced (another need's)
        standing = {f: s for f, s in standing.items() if f in order}
        state = RaceState(order, tried, standing, max_seeds)
        if outcome.before is None:
            outcome.before = (state.tie_set(), dict(tried)) if standing else ([], {})
        wanted = next_cells(state)
        leader = state.leader()
        outcome.tried, outcome.tie_set, outcome.standing_families = dict(tried), state.tie_set(), set(standing)
        outcome.raced_out = {f: (s, leader) for f, s in state.raced_out().items()}
        batch: list[tuple[str, int]] = []
        for cell in wanted:  # in the race's order: the first `jobs` cells whose cost fits what is left
            if len(batch) == jobs:
                break
            if fits(cell[0]):
                batch.append(cell)
        if not wanted or not batch:
            outcome.waiting = wanted
            return outcome
        ran = run(batch)
        outcome.cells_run += ran
        if ran == 0:  # nothing could start (the deadline passed while admitting): the time is out
            outcome.waiting = wanted
            return outcome


def race_metric(needs: Sequence[Need]) -> str | None:
    """What the race is run on: the first need's primary objective (None when every need only filters)."""
    return next((need.objectives[0] for need in needs if need.objectives), None)


def race_record(
    outcome: RaceOutcome,
    order: Sequence[str],
    metric: str | None,
    families: Sequence[str],
    estimates: Mapping[str, float],
    before_winners: Sequence[str] = (),
) -> Race:
    """The race as a typed record: its metric and order, seeds per family, the tie set, who was raced out (with
    both numbers), every planned cell not run with the reason (raced out, failed, not started for the time
    limit, not needed once the top was settled, or outside the shortlist: a family of `families` not in
    `order`), what one more cell of each family would cost, and the answer's winners an earlier run on the file
    had left (`before_winners`)."""
    waiting = {family for family, _seed in outcome.waiting}
    not_run = []
    for family in families:
        tried = outcome.tried.get(family, 0)
        if family not in order:
            reason = "not-shortlisted"
        elif family in outcome.raced_out:
            reason = "raced-out"
        elif family in waiting:
            reason = "not-started"
        elif tried and family not in outcome.standing_families:
            reason = "failed"
        else:
            reason = "not-needed"
        not_run += [NotRunCell(family=family, seed=seed, reason=reason) for seed in range(tried, DEFAULT_SEEDS)]
    return Race(
        metric=metric,
        order=list(order),
        seeds={f: outcome.tried.get(f, 0) for f in families},
        tie_set=outcome.tie_set,
        raced_out=[
            RacedOut(
                family=family,
                label=mine.label,
                seeds=mine.seeds,
                mean=mine.mean,
                distance=mine.distance,
                leader=leader.label,
                leader_seeds=leader.seeds,
                leader_mean=leader.mean,
                leader_distance=leader.distance,
            )
            for family, (mine, leader) in outcome.raced_out.items()
        ],
        not_run=not_run,
        estimates={f: float(estimates[f]) for f in families if f in estimates},
        before_tie_set=outcome.before[0] if outcome.before else [],
        before_seeds=outcome.before[1] if outcome.before else {},
        before_winners=list(before_winners),
    )
