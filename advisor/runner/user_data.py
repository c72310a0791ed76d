"""Measuring the candidate families on a user's own data (`advisor recommend --data`).

The file is validated, the families that meet the needs and support its kind of data are planned
for three seeds, and raced (`racing.py`): the prior's shortlist (the fewest families that held a
winner on nearly every measured table, each left out; every candidate where the prior cannot vouch
for one, or with `every_candidate`), with any candidate the prior does not rank or an earlier run on
the file measured; every raced candidate's first seed in the order of the prior (how
the candidates did on the measured tables most like it; `rules/prior.py`), the rest cheapest first,
then further seeds only for those that can still win, the leader's first, while their cost fits the
time limit (estimated from earlier runs in this store or the shipped one, and corrected by the cells
measured on this data as they finish); what was not run is named with the reason. The last
`ANSWER_RESERVE_S` of the limit are kept for stopping the cells still running and composing the answer.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.data.user import TableOptions
from advisor.errors import InputError

if TYPE_CHECKING:
    from advisor.cards import MetricSpec, Need
    from advisor.plugins import Registry
    from advisor.rules.answer import Prior, Race
    from advisor.runner.local import CellResult
    from advisor.runner.racing import RaceOutcome
    from advisor.store.engine import Store

__all__ = [
    "ANSWER_RESERVE_S",
    "Measurement",
    "MeasureRequest",
    "measure_user_data",
    "race_candidates",
    "race_noise_priors",
    "race_order",
    "measured_earlier",
    "raced_families",
    "table_prior",
    "winners_before",
]

#: Seconds of the time limit kept for stopping running cells and composing the answer (measured: 2-3 s).
ANSWER_RESERVE_S = 5.0
#: Seconds that must be left to compute the user's own grading ladder (C2ST on real and noisy rows: ~1-3 s)
LADDER_RESERVE_S = 10.0
#: the metric quality grades are read from (`rules/grades.py`)
GRADED_METRIC = "c2st"


@dataclass
class Measurement:
    """What was measured on the user's data, and what was not."""

    dataset: str
    kind: str
    store: str
    cells_planned: int
    cells_run: int
    not_measured: list[dict[str, str]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    race: Race | None = None  # how the candidates were raced: order, seeds, tie set, cells not run and why
    prior: Prior | None = None  # before measuring: how the candidates did on the measured tables most like it


@dataclass(frozen=True)
class MeasureRequest:
    """What to measure on: the user's file, its label column, the budget and the limits."""

    data_file: str
    table: TableOptions = TableOptions()
    budget: str = "quick"
    seconds: float | None = None  # stop starting cells after this long; None: measure every seed
    jobs: int = 1
    store_samples: bool = False  # keep generated samples of the user's data in the store
    command: str = "advisor recommend --data"  # how the bench log names this measurement
    scheduler: str | None = None  # a dask scheduler address: the race's cells run on that cluster
    every_candidate: bool = False  # race every candidate, not only the prior's shortlist


def measure_user_data(
    registry: Registry,
    needs: list[Need],
    request: MeasureRequest,
    db: str,
    *,
    plugins_dir: str | None = None,
    reference: Store | None = None,
) -> Measurement:
    """Validate the data, plan the cells that can answer, run what fits in the time limit, into `db`.

    `reference` (the shipped store) lends per-family cost estimates for planning within the limit.
    """
    from advisor.budgets import get_budget
    from advisor.evaluate.provenance import resolve_device
    from advisor.rules.evidence import gather
    from advisor.rules.prior import every_candidate_asked
    from advisor.runner import plan_cells, resolve_datasets
    from advisor.runner.planning import CostTracker, DataShape, estimate_costs, fit_to_time
    from advisor.runner.racing import Standing, race_metric, race_record, run_race, standings
    from advisor.runner.service import BenchSettings, run_bench
    from advisor.store import open_store
    from advisor.store.cells import Cell
    from advisor.store.read import seeds_tried
    from advisor.store.status import RunStatus
    from advisor.wording import not_shortlisted_text

    started = time.monotonic()  # the time limit covers reading and typing the file too
    with _library_warnings() as hidden:
        datasets = resolve_datasets(registry, (), (request.data_file,), request.table)
    ((name, dataset),) = datasets.items()
    candidates = race_candidates(registry.family_cards(), needs, dataset.card.kind)
    if not candidates:
        raise InputError(f"no registered family meets {', '.join(n.name for n in needs)} on {dataset.card.kind} data")
    cells, _ = plan_cells(registry, candidates, datasets, range(3), request.budget)
    budget = get_budget(request.budget)
    seconds = request.seconds
    if not request.store_samples:
        budget = budget.model_copy(update={"n_stored_samples": 0})  # the user's data never leaves as samples
    shape = DataShape.of(dataset.card.dims, dataset.card.size, budget)
    with open_store(db, create=True) as store:
        stores = [store, *([reference] if reference else [])]
        costs = estimate_costs(stores, candidates, dataset.card.kind, request.budget, shape)
        preparing = time.monotonic() - started
        if seconds is not None:  # what is left of the limit once the file is read and the costs known
            seconds = max(0.0, seconds - preparing - ANSWER_RESERVE_S)
            budget = budget.model_copy(update={"time_limit_s": min(budget.time_limit_s, max(seconds, 1.0))})
        plan = fit_to_time(cells, costs, seconds, request.jobs)
        narrow = estimate_costs(stores, candidates, dataset.card.kind, request.budget)  # as the stored data's shape
        if seconds is not None and not plan.cells and fit_to_time(cells, narrow, seconds, request.jobs).cells:
            raise _too_wide(dataset, costs, narrow, seconds)  # its size, not the limit, rules every candidate out
        deadline = time.monotonic() + seconds if seconds is not None else None
        tracker = CostTracker(costs)

        def fits(family: str) -> bool:  # the estimate, corrected by this data's cells so far, fits what is left
            return deadline is None or tracker.estimate(family) <= deadline - time.monotonic()

        def learn(result: CellResult) -> None:
            if all(o.status == RunStatus.COMPLETE for o in result.outcomes):
                tracker.observe(result.cell.family, result.seconds)

        settings = BenchSettings(
            budget=budget,
            device=resolve_device("auto"),
            jobs=request.jobs,
            scheduler=request.scheduler,
            deadline=deadline,
            plugins_dir=plugins_dir,
        )
        metric = race_metric(needs)
        priors = race_noise_priors(stores, registry.metric_specs(), metric, dataset.card.kind, request.budget)
        prior = table_prior(dataset, needs, registry, reference)
        if request.every_candidate:
            prior = every_candidate_asked(prior)
        with store.connect() as conn:
            measured_before = [f for f, n in seeds_tried(conn, name, request.budget).items() if n]
        prior = measured_earlier(prior, measured_before)
        left_out = prior.shortlist.left_out if prior is not None and prior.shortlist is not None else []
        order = race_order([f for f in candidates if f not in left_out], costs, prior)
        logged = []

        def read_state() -> tuple[dict[str, int], dict[str, Standing]]:
            with store.connect() as conn:
                tried = seeds_tried(conn, name, request.budget)
            if metric is None:
                return tried, {}
            evidence = gather(store, [metric], registry.metric_specs(), budget=request.budget, datasets=(name,))
            return tried, standings(evidence, metric, name, priors)

        def run(batch: list[tuple[str, int]]) -> int:
            round_cells = [Cell(family, name, seed, request.budget) for family, seed in batch]
            report = run_bench(
                store,
                registry,
                round_cells,
                datasets,
                settings,
                command=request.command,
                admit=lambda cell: fits(cell.family),
                on_done=learn,
                log=not logged,
            )
            logged.append(True)
            return len(report.results)

        with _library_warnings() as hidden_in_bench:
            if deadline is None or deadline - time.monotonic() > LADDER_RESERVE_S:  # cheap: before any cell
                _store_grading_ladder(store, dataset, needs, registry, request.budget)
            race = run_race(order, read_state, fits, run, jobs=request.jobs)
        before_winners = winners_before(store, needs, registry, request.budget, name, race)
        seeds = {f: race.tried.get(f, 0) for f in candidates}
        location = store.location
    not_measured = [
        {"family": f, "reason": not_shortlisted_text(prior.shortlist), "code": "not-shortlisted"} for f in left_out
    ]
    not_measured += [
        {
            "family": f,
            "reason": f"not measured: it did not fit the time limit (about {tracker.estimate(f):.0f} s per seed"
            f"{_correction_note(tracker.correction(f))}, after {preparing:.0f} s of reading and planning); "
            f"raise --time-limit{_width_note(dataset, costs[f] / max(narrow[f], 1e-9))}",
        }
        for f in candidates
        if seeds[f] == 0 and f in order
    ]
    caveats = dataset.notes(get_budget(request.budget))
    if hidden or hidden_in_bench:
        caveats.append(_hidden_note([*hidden, *hidden_in_bench]))
    if reference is not None:
        from advisor.runner.planning import sampling_forecast

        cards = registry.family_cards()
        caveats += sampling_forecast(reference, registry.metric_specs(), cards, dataset.card.dims, request.budget)
    return Measurement(
        name,
        dataset.card.kind,
        location,
        len(cells),
        race.cells_run,
        not_measured,
        caveats,
        race=race_record(race, order, metric, candidates, {f: tracker.estimate(f) for f in candidates}, before_winners),
        prior=prior,
    )


def winners_before(
    store: Store, needs: list[Need], registry: Registry, budget: str, dataset: str, outcome: RaceOutcome
) -> list[str]:
    """The answer's winners on `dataset` from the cells an earlier run on it had left (`outcome.before`), when
    this run added cells: what the answer says it changed from. Empty on a first run or when nothing ran."""
    from advisor.rules.engine import gather_for, rank_evidence

    before = outcome.before[1] if outcome.before else {}
    if not before or not outcome.cells_run:
        return []
    evidence = gather_for(store, needs, registry.metric_specs(), budget=budget, datasets=(dataset,), first_seeds=before)
    return rank_evidence(evidence, needs, registry.family_cards()).winners if evidence.candidates else []


def _store_grading_ladder(store: Store, dataset: Any, needs: list[Need], registry: Registry, budget: str) -> None:
    """Grade quality on the user's own table: store C2ST's calibration ladder for it (held-out real rows, then
    noise of growing width; no training, about a second on a few thousand rows), unless stored already or no
    need asks for quality."""
    from advisor.metrics.calibration import calibrate
    from advisor.store.calibrations import save_calibration
    from advisor.store.read import calibration_readings

    specs = registry.metric_specs()
    wants_quality = any(spec.category == "quality" for n in needs for m in n.objectives if (spec := specs.get(m)))
    if not wants_quality or GRADED_METRIC not in specs:
        return
    with store.connect() as conn:
        if calibration_readings(conn, budget, [dataset.card.name], [GRADED_METRIC]):
            return
    save_calibration(store, calibrate(dataset, budget, [GRADED_METRIC], range(3), registry, ladder_only=True))


def table_prior(dataset: Any, needs: list[Need], registry: Registry, reference: Store | None) -> Prior | None:
    """The prior for the user's table from the tables `reference` (the shipped store) measured, read on the
    families the user can race (`race_candidates`), with its track record on them and the shortlist a race
    measures: None without meta-features or a reference holding two measured tables of its kind."""
    from advisor.rules.engine import gather_for
    from advisor.rules.prior import families_in_order, judged_prior

    meta = dataset.card.meta
    if reference is None or meta is None:
        return None
    cards = registry.family_cards()
    kind = dataset.card.kind
    families = race_candidates(cards, needs, kind)
    evidence = gather_for(reference, needs, registry.metric_specs(), data_kind=kind, families=families)
    prior = judged_prior(evidence, needs, cards, meta, exclude=[dataset.card.name])
    if prior is not None and prior.shortlist is not None:
        ranked = set(families_in_order(prior))
        raced = raced_families(families, prior)
        prior.shortlist.unranked = [f for f in families if f not in ranked]
        prior.shortlist.left_out = [f for f in families if f not in raced]
    return prior


def measured_earlier(prior: Prior | None, measured: Collection[str]) -> Prior | None:
    """`prior` with its shortlist saying which of the families it leaves out an earlier run on the file measured:
    the race measures those too (an earlier run's seeds are evidence, and a second run extends the first), and
    every candidate but the shortlist's `left_out`."""
    found = prior.shortlist if prior else None
    if prior is None or found is None:
        return prior
    earlier = [f for f in found.left_out if f in measured]
    left_out = [f for f in found.left_out if f not in measured]
    return prior.model_copy(update={"shortlist": found.model_copy(update={"earlier": earlier, "left_out": left_out})})


def raced_families(candidates: list[str], prior: Prior | None) -> list[str]:
    """The candidates a race measures: the prior's shortlist (`rules.prior.shortlist`) and every candidate the
    prior does not rank (a family never measured on the reference: nothing says it would lose); all of them
    where the prior gives no shortlist or the user asked for every candidate. On a file measured before, those an
    earlier run measured are raced too (`measured_earlier`)."""
    from advisor.rules.answer import ShortlistCode
    from advisor.rules.prior import families_in_order

    found = prior.shortlist if prior else None
    if prior is None or found is None or found.code != ShortlistCode.SHORTLIST:
        return list(candidates)
    ranked = set(families_in_order(prior))
    return [f for f in candidates if f in found.families or f not in ranked]


def race_order(candidates: list[str], costs: Mapping[str, float], prior: Prior | None) -> list[str]:
    """Who gets a first seed first: the prior's order where it ranks a family (at its best sampler), then the
    rest cheapest first (equal costs listed by name)."""
    from advisor.rules.prior import families_in_order

    ranked = families_in_order(prior) if prior else []
    known = [f for f in ranked if f in candidates]
    return known + sorted((f for f in candidates if f not in known), key=lambda f: (costs[f], f))


def race_candidates(family_cards: Mapping[str, dict], needs: list[Need], kind: str) -> list[str]:
    """The families raced on data of `kind`: those whose card meets every need's requirements and takes the kind."""
    from advisor.rules.engine import requirement_failures

    return [
        family
        for family, card in sorted(family_cards.items())
        if not requirement_failures(card, needs) and kind in card.get("data_kinds", ())
    ]


def race_noise_priors(
    stores: list[Store],
    specs: Mapping[str, MetricSpec],
    metric: str | None,
    kind: str,
    budget: str,
    exclude: Collection[str] = (),
) -> dict[str, float]:
    """The families' seed spread of `metric` on the stored datasets of `kind` but those in `exclude` (the
    racing noise prior); at another budget where `budget` has no runs (smoke against the shipped store)."""
    from advisor.rules.evidence import gather
    from advisor.runner.racing import noise_priors

    if metric is None:
        return {}
    priors: dict[str, float] = {}
    for store in reversed(stores):  # the user's own store last: its spreads win
        for at in (budget, None):  # None: the store's main budget
            evidence = gather(store, [metric], specs, budget=at, data_kind=kind)
            found = noise_priors(evidence.restricted(set(evidence.datasets) - set(exclude)), metric)
            if found:
                break
        priors.update(found)
    return priors


def _correction_note(correction: float) -> str:
    """How far the cells measured on the user's data moved the stored runs' estimate ('' if not at all)."""
    return f", {correction:.1f} x the stored runs' estimate as the cells on this data took" if correction != 1.0 else ""


@contextmanager
def _library_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Keep the warnings libraries raise (pandas, scikit-learn, torch) off the user's terminal; yields them.

    The answer counts them in one caveat instead (`_hidden_note`): a 2,000-column table made pandas
    print 1,900 PerformanceWarnings (657 KB) over the answer.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _hidden_note(caught: list[warnings.WarningMessage]) -> str:
    """One caveat for the library warnings kept off the terminal: how many, of which kinds."""
    kinds = sorted({message.category.__name__ for message in caught})
    return (
        f"{len(caught)} library warning(s) while reading and measuring were kept off the terminal ({', '.join(kinds)})"
    )


def encoded_widths(dataset: Any) -> dict[str, int]:
    """How many encoded dimensions each column of a user's table takes (one-hot levels, indicators)."""
    codec = getattr(dataset, "codec", None)
    return codec.widths if codec is not None else {}


#: the columns named as making a table wide: those that hold this share of its encoded width, at most `_NAMED`
_WIDE_SHARE = 0.5
_NAMED = 5


def _wide_columns(widths: Mapping[str, int]) -> str:
    """The columns that make a table wide, in words: the widest first, until they hold half its width."""
    ranked = sorted(widths.items(), key=lambda item: -item[1])
    total, named, held = sum(widths.values()), [], 0
    for name, width in ranked:
        if held >= _WIDE_SHARE * total or len(named) == _NAMED:
            break
        named.append(f"{name!r} ({width:,} encoded dims)" if width > 1 else repr(name))
        held += width
    rest = len(ranked) - len(named)
    return ", ".join(named) + (f" and {rest:,} more column(s) of {total - held:,} dims" if rest else "")


#: estimates this many times the stored cells' (or more) name the table's widest columns beside the time limit
_WIDE_GROWTH = 10.0


def _width_note(dataset: Any, growth: float) -> str:
    """', or leave out columns: ...' when the table's size made a family's estimate `growth` times the stored."""
    if growth < _WIDE_GROWTH:
        return ""
    return (
        f", or leave columns out with --drop COL: its {dataset.card.dims:,} encoded dims (from "
        f"{_wide_columns(encoded_widths(dataset)) or 'its columns'}) make each cell about {growth:,.0f} x as long as "
        "on the stored datasets"
    )


def _too_wide(dataset: Any, costs: Mapping[str, float], narrow: Mapping[str, float], seconds: float) -> InputError:
    """The error for a table whose width alone rules out every candidate within the time limit."""
    cheapest = min(costs, key=costs.get)
    return InputError(
        f"{dataset.card.title}: too wide to measure within the time limit: {dataset.card.dims:,} encoded dims, from "
        f"{_wide_columns(encoded_widths(dataset)) or 'its columns'}. The cheapest candidate, {cheapest}, is "
        f"estimated at {costs[cheapest]:,.0f} s per seed at this width (about {narrow[cheapest]:,.0f} s on the "
        f"stored datasets) and {seconds:,.0f} s are left. Leave columns out with --drop COL (or group a "
        "categorical's rare levels), or raise --time-limit."
    )
