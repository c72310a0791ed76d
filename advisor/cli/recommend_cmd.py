"""`advisor recommend`: which family to use for the stated needs, with the numbers behind it."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, get_args

import click

from advisor.cards import DataKind
from advisor.cli.answer_text import print_answer
from advisor.cli.common import (
    TABLE_OPTION_NAMES,
    Duration,
    db_option,
    executor_options,
    json_option,
    print_json,
    registry_from,
    scheduler_address,
    stdout,
    table_options,
    table_options_from,
)
from advisor.store.reference import reference_store

if TYPE_CHECKING:
    from advisor.cards import Need
    from advisor.plugins import Registry
    from advisor.rules.answer import Answer
    from advisor.runner.user_data import MeasureRequest
    from advisor.store.engine import Store

__all__ = ["recommend"]


@click.command()
@click.option(
    "-n",
    "--need",
    "need_names",
    multiple=True,
    required=True,
    metavar="NEED",
    help="What you need (repeatable): see `advisor plugins list` for every need.",
)
@click.option("--data-kind", type=click.Choice(get_args(DataKind)), help="Only evidence from this kind of data.")
@click.option("-d", "--dataset", "datasets", multiple=True, metavar="NAME", help="Only evidence from this dataset.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), help="Only runs measured on this device.")
@click.option(
    "--budget",
    metavar="NAME",
    help="Only runs of this budget (default: the most measured one); with --data, the budget to measure at "
    "(default: quick).",
)
@click.option("--explain", is_flag=True, help="Also say, with numbers, why each other candidate lost.")
@click.option(
    "--pooled",
    is_flag=True,
    help="Also show the ranking pooled over every kind of data (shown anyway when the kinds agree).",
)
@click.option(
    "--data",
    "data_file",
    type=click.Path(),
    metavar="FILE",
    help="Measure the candidates on your .csv/.npy first, then answer from those runs (a file measured "
    "before is not measured again: its runs in the store are reused).",
)
@table_options
@click.option(
    "--time-limit",
    type=Duration(),
    metavar="DURATION",
    help="With --data: stop measuring after this long (e.g. 10m); unmeasured candidates are named.",
)
@executor_options(
    "With --data: cells run side by side (with --executor dask: default, the cluster's worker threads).",
    when="With --data: ",
)
@click.option("--store-samples", is_flag=True, help="With --data: also keep generated samples in the store.")
@click.option(
    "--every-candidate",
    is_flag=True,
    help="With --data: race every candidate, not only the prior's shortlist (the fewest families that held a "
    "winner on nearly every measured table, each left out; --prior-only shows it and how it was judged).",
)
@click.option(
    "--prior-only",
    is_flag=True,
    help="With --data: only say, without measuring anything, how the candidates did on the measured tables "
    "most like yours (the prior the measuring starts from).",
)
@click.option(
    "--reference",
    "reference_db",
    metavar="PATH|URL",
    help="With --data: the store of measured tables the prior, the cost estimates and the noise of a seed come "
    "from (e.g. your team's shared store). Default: the shipped results.db.",
)
@db_option
@json_option
@click.pass_context
def recommend(
    ctx: click.Context,
    need_names: tuple[str, ...],
    data_kind: str | None,
    datasets: tuple[str, ...],
    device: str | None,
    budget: str | None,
    explain: bool,
    pooled: bool,
    data_file: str | None,
    time_limit: float | None,
    jobs: int,
    executor: str,
    scheduler: str | None,
    store_samples: bool,
    every_candidate: bool,
    prior_only: bool,
    reference_db: str | None,
    db: str | None,
    as_json: bool,
    **table: Any,
) -> None:
    """Recommend a model family for your needs, ranked by measured numbers.

    Hard requirements of the needs (e.g. exact likelihood) remove families by their cards; the
    survivors are ranked on the needs' measured objectives over the datasets all of them were
    measured on. A candidate within seed noise of the leader (its seed mean less two standard errors,
    against the leader's own band of two standard errors) ties with it, and a tie is declared, never
    broken by name. Several needs combine, and the Pareto set shows when they conflict.

    \b
    Examples:
      advisor recommend --need exact-likelihood
      advisor recommend --need exact-likelihood --need fast-sampling --explain
      advisor recommend --need best-quality --data-kind image --json
      advisor recommend --need exact-likelihood --data my.csv --budget smoke --time-limit 10m
    """
    from advisor.rules.answers import needs_named, recommendation

    registry = registry_from(ctx)
    needs = needs_named(registry, need_names)
    _check_option_pairing(ctx, data_file)
    if data_file:
        from advisor.runner.user_data import MeasureRequest

        command = shlex.join(["advisor", *sys.argv[1:]])
        options = table_options_from(table)
        address = scheduler_address(executor, scheduler)
        if address and not prior_only and ctx.get_parameter_source("jobs") == click.core.ParameterSource.DEFAULT:
            from advisor.runner.local import cluster_threads

            jobs = cluster_threads(address)  # as bench does: every worker thread of the cluster
        request = MeasureRequest(
            data_file,
            options,
            budget or "quick",
            time_limit,
            jobs,
            store_samples,
            command,
            scheduler=address,
            every_candidate=every_candidate,
        )
        reference = reference_db or (str(shipped) if (shipped := reference_store()) else None)
        if prior_only:
            _prior_for_data(registry, needs, request, reference, as_json=as_json)
        else:
            _recommend_for_data(ctx, registry, needs, request, db, reference, explain=explain, as_json=as_json)
        return
    data = recommendation(
        registry, need_names, db, budget=budget, datasets=datasets, data_kind=data_kind, device=device
    )
    if as_json:
        print_json(data)
    else:
        print_answer(data, needs, explain=explain, pooled=pooled)


def _check_option_pairing(ctx: click.Context, data_file: str | None) -> None:
    """Refuse options that do nothing in this mode instead of ignoring them silently."""
    from click.core import ParameterSource

    given = {
        f"--{name.replace('_', '-')}"
        for name in (
            "datasets",
            "data_kind",
            "device",
            "time_limit",
            "jobs",
            "executor",
            "scheduler",
            "store_samples",
            "every_candidate",
            "prior_only",
            "reference_db",
            "db",
            *TABLE_OPTION_NAMES,
        )
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
    }
    renamed = {"--datasets": "--dataset", "--reference-db": "--reference"}
    given = {renamed.get(option, option) for option in given}
    if data_file:
        stray = sorted(given & {"--dataset", "--data-kind", "--device"})
        if stray:
            one = len(stray) == 1
            raise click.UsageError(
                f"{', '.join(stray)} {'filters' if one else 'filter'} the stored evidence, but with --data the "
                f"answer is measured on your file; drop {'it' if one else 'them'}, or drop --data to answer from "
                "the store"
            )
        measuring = sorted(
            given
            & {"--time-limit", "--jobs", "--executor", "--scheduler", "--store-samples", "--every-candidate", "--db"}
        )
        if "--prior-only" in given and measuring:
            raise click.UsageError(
                f"{', '.join(measuring)} only {'matters' if len(measuring) == 1 else 'matter'} when measuring, but "
                "--prior-only measures nothing; drop one or the other"
            )
    else:
        data_only = {
            "--prior-only",
            "--reference",
            "--time-limit",
            "--jobs",
            "--executor",
            "--scheduler",
            "--store-samples",
            "--every-candidate",
            *(f"--{n.replace('_', '-')}" for n in TABLE_OPTION_NAMES),
        }
        stray = sorted(given & data_only)
        if stray:
            verb = "applies" if len(stray) == 1 else "apply"
            raise click.UsageError(f"{', '.join(stray)} only {verb} when measuring your data: add --data FILE")


def _generate_commands(answer: Answer, request: MeasureRequest) -> list[str]:
    """The `advisor generate` command for each winner on the user's data, with their table options."""
    options = request.table
    commands = []
    for best in (r for r in answer.ranked if r.rank == 1):
        words = ["advisor", "generate", "--family", best.family, "--data", request.data_file]
        if best.sampler != "default":
            words += ["--sampler", best.sampler]
        for name, values in (("--categorical", options.categorical), ("--drop", options.drop)):
            for value in values:
                words += [name, value]
        for name, value in (("--sep", options.sep), ("--decimal", options.decimal), ("--encoding", options.encoding)):
            if value:
                words += [name, value]
        if options.missing != "indicator":
            words += ["--missing", options.missing]
        words += ["--budget", request.budget, "-n", "1000", "--out", "synthetic.csv"]
        commands.append(shlex.join(words))
    return commands


@contextmanager
def _reference(location: str | None) -> Iterator[Store | None]:
    """The reference store at `location`, open read-only for the block (None where there is none)."""
    from advisor.store import open_store

    if location is None:
        yield None
        return
    with open_store(location, readonly=True) as store:
        yield store


def _prior_for_data(
    registry: Registry, needs: list[Need], request: MeasureRequest, reference_db: str | None, *, as_json: bool
) -> None:
    """Read the user's table and say what the prior expects, measuring nothing."""
    from rich.markup import escape

    from advisor.runner import resolve_datasets
    from advisor.runner.user_data import table_prior
    from advisor.wording import prior_lines

    ((name, dataset),) = resolve_datasets(registry, (), (request.data_file,), request.table).items()
    with _reference(reference_db) as reference:
        prior = table_prior(dataset, needs, registry, reference)
    if as_json:
        print_json(
            {"dataset": name, "meta": dataset.card.meta, "prior": prior.model_dump(mode="json") if prior else None}
        )
        return
    for line in prior_lines(prior):
        stdout().print(escape(line))


def _recommend_for_data(
    ctx: click.Context,
    registry: Registry,
    needs: list[Need],
    request: MeasureRequest,
    db: str | None,
    reference_db: str | None,
    *,
    explain: bool,
    as_json: bool,
) -> None:
    """Measure on the user's data, rank on those runs, and set the reference ranking beside it.

    The JSON is the stored answer (what the HTTP API gives for this dataset) plus `measuring`: what this
    invocation measured, what it did not and why, and the commands that generate from the winners.
    """
    from rich.markup import escape

    from advisor.errors import AdvisorError
    from advisor.rules.answer import Caveat, CaveatCode, NotRanked, NotRankedCode
    from advisor.rules.answers import dataset_recommendation
    from advisor.runner.user_data import measure_user_data
    from advisor.store.engine import default_db, same_store
    from advisor.store.secrets import shown_url
    from advisor.wording import caveat_lines, difference_texts, not_ranked_lines, prior_lines, race_lines

    target = db or default_db()
    shipped = reference_store()
    if any(kept is not None and same_store(target, kept) for kept in (shipped, reference_db)):
        target = "user-results.db"  # never write the user's runs into the shipped store or the reference
    with _reference(reference_db) as reference:
        measured = measure_user_data(
            registry,
            needs,
            request,
            target,
            plugins_dir=ctx.find_root().params.get("plugins_dir"),
            reference=reference,
        )
    try:
        answer = dataset_recommendation(
            registry,
            [n.name for n in needs],
            target,
            measured.dataset,
            budget=request.budget,
            reference=reference_db,
        )
    except AdvisorError:
        reasons = "; ".join(f"{m['family']}: {m['reason']}" for m in measured.not_measured)
        raise AdvisorError(f"nothing could be measured on {request.data_file} within the limits ({reasons})") from None
    not_run = [
        NotRanked(family=m["family"], code=NotRankedCode(m.get("code", "not-run")), detail=m["reason"])
        for m in measured.not_measured
    ]
    caveats = [Caveat(code=CaveatCode.MEASURING, detail=text) for text in measured.caveats]
    generate = _generate_commands(answer.your_data, request)
    if as_json:
        measuring = {
            "cells_planned": measured.cells_planned,
            "cells_run": measured.cells_run,
            "not_run": [item.model_dump(mode="json") for item in not_run],
            "caveats": [item.model_dump(mode="json") for item in caveats],
            "generate": generate,
            "race": measured.race.model_dump(mode="json") if measured.race else None,
            "prior": measured.prior.model_dump(mode="json") if measured.prior else None,
        }
        print_json({**answer.to_dict(), "measuring": measuring})
        return
    console = stdout()
    for line in prior_lines(measured.prior):
        console.print(escape(line))
    console.print(
        f"[bold]On your data[/] ({measured.dataset}, {measured.cells_run} new cells run, store {measured.store})"
    )
    said = {item.family for item in not_run}  # said below with the reason, not as "no measurements"
    mine = answer.your_data.model_copy(
        update={"unmeasured": [u for u in answer.your_data.unmeasured if u.family not in said]}
    )
    print_answer(mine, needs, explain=explain)
    for line in not_ranked_lines(not_run):
        console.print("[yellow]" + escape(line) + "[/]")
    for line in race_lines(measured.race, answer.your_data.winners) if measured.race else []:
        console.print(escape(line))
    for line in caveat_lines(caveats):
        console.print("[yellow]" + escape(f"caveat: {line}") + "[/]")
    if answer.reference:
        console.print(f"\n[bold]On the reference {measured.kind} datasets[/] ({escape(shown_url(str(reference_db)))})")
        print_answer(answer.reference, needs)
        for sentence in difference_texts(answer.difference):
            console.print(f"[bold]difference:[/] {escape(sentence)}")
    for command in generate:
        console.print(f"\n[bold]Samples from the winner in your columns:[/] {escape(command)}")
