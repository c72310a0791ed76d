"""The read-only HTTP API: the same answers as the CLI's --json, plus a small page to ask them.

Nothing here can write to the store or run SQL: every request opens the store read-only and only
the fixed queries below exist. Bad query parameters get 422 with the reason.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Path, Query
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from advisor import __version__
from advisor.errors import AdvisorError, InputError
from advisor.rules.answers import claims_table, dataset_recommendation, recommendation
from advisor.store import open_store
from advisor.store.read import get_run, list_runs
from advisor.store.reference import choose_store, reference_store
from advisor.wording import answer_notes

__all__ = ["create_app"]

_PAGE = (FilePath(__file__).parent / "page.html").read_text()
#: the largest id or offset a request may name (a database integer is 64-bit signed)
MAX_ID = 2**63 - 1


def create_app(db: str | None = None, plugins_dir: str | None = None, report_dir: str | None = None) -> FastAPI:
    """Build the app for the store `db` (default as the CLI: $ADVISOR_DB, ./results.db, the shipped one)."""
    from advisor.plugins import load_registry

    registry = load_registry(plugins_dir)
    location, _note = choose_store(db)
    app = FastAPI(title="advisor", version=__version__, description="Which generative model family, measured.")
    if report_dir:
        app.mount("/report", StaticFiles(directory=report_dir, html=True), name="report")

    def answer(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            return result.to_dict() if hasattr(result, "to_dict") else result  # exactly the CLI's --json
        except InputError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        except AdvisorError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness, and which store is served."""

        def read() -> dict[str, Any]:
            with open_store(location, readonly=True) as store:
                return {"status": "ok", "store": store.location, "schema_version": store.schema_version()}

        return answer(read)

    @app.get("/recommend")
    def recommend(
        need: Annotated[list[str], Query(min_length=1, description="Needs, e.g. exact-likelihood (repeatable).")],
        data_kind: Annotated[str | None, Query(pattern="^(2d|image|tabular)$")] = None,
        dataset: Annotated[list[str] | None, Query()] = None,
        device: Annotated[str | None, Query(pattern="^(cpu|cuda)$")] = None,
        budget: str | None = None,
    ) -> dict[str, Any]:
        """The same JSON as `advisor recommend --json`."""
        return answer(
            recommendation,
            registry,
            need,
            location,
            budget=budget,
            datasets=tuple(dataset or ()),
            data_kind=data_kind,
            device=device,
        )

    @app.get("/recommend/notes")
    def recommend_notes(
        need: Annotated[list[str], Query(min_length=1, description="Needs, e.g. exact-likelihood (repeatable).")],
        data_kind: Annotated[str | None, Query(pattern="^(2d|image|tabular)$")] = None,
        budget: str | None = None,
    ) -> list[dict[str, str]]:
        """The pooled answer's lines as the CLI says them (recommendation, notes, claims, caveats,
        eliminations), each with its kind; the page shows these beside the JSON's ranking."""

        def notes() -> list[dict[str, str]]:
            found = recommendation(registry, need, location, budget=budget, data_kind=data_kind)
            return [note._asdict() for note in answer_notes(found)]

        return answer(notes)

    @app.get("/datasets/{name:path}/recommend")  # a corpus table is named like r:AER/HMDA
    def dataset_answer(
        name: str,
        need: Annotated[list[str], Query(min_length=1, description="Needs, e.g. exact-likelihood (repeatable).")],
        budget: str | None = None,
    ) -> dict[str, Any]:
        """For a dataset already measured (e.g. by `advisor recommend --data`): the same JSON, without
        measuring, beside the shipped store's ranking on data of its kind."""
        shipped = reference_store()
        reference = str(shipped) if shipped and str(shipped) != location else None
        return answer(dataset_recommendation, registry, need, location, name, budget=budget, reference=reference)

    @app.get("/table")
    def table(dataset: Annotated[list[str] | None, Query()] = None, budget: str | None = None) -> dict[str, Any]:
        """The same JSON as `advisor table --json`."""
        return answer(claims_table, registry, location, budget=budget, datasets=tuple(dataset or ()))

    @app.get("/families")
    def families() -> list[dict[str, Any]]:
        """Every registered family with its card."""
        return [
            {"name": n, "card": e.obj.card.model_dump(mode="json"), "plugin": e.plugin.source}
            for n, e in sorted(registry.families.items())
        ]

    @app.get("/families/{name}")
    def family(name: str) -> dict[str, Any]:
        """One family's card; 404 when unknown."""
        if name not in registry.families:
            raise HTTPException(status_code=404, detail=f"unknown family {name!r}")
        entry = registry.families[name]
        return {"name": name, "card": entry.obj.card.model_dump(mode="json"), "plugin": entry.plugin.source}

    @app.get("/runs")
    def runs(
        family: Annotated[list[str] | None, Query()] = None,
        dataset: Annotated[list[str] | None, Query()] = None,
        budget: str | None = None,
        status: Annotated[str | None, Query(pattern="^[A-Za-z]+$")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> dict[str, Any]:
        """Runs with their metrics, newest first, a page at a time."""

        def read() -> dict[str, Any]:
            with open_store(location, readonly=True) as store, store.connect() as conn:
                found = list_runs(
                    conn,
                    families=family or (),
                    datasets=dataset or (),
                    budget=budget,
                    status=status,
                    limit=limit,
                    offset=offset,
                )
            return {"offset": offset, "limit": limit, "runs": found}

        return answer(read)

    @app.get("/runs/{run_id}")
    def run(run_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
        """One run with every metric, its fit report and provenance; 404 when unknown."""

        def read() -> dict[str, Any]:
            with open_store(location, readonly=True) as store, store.connect() as conn:
                return get_run(conn, run_id)

        try:
            return read()
        except InputError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        """A small page that asks for needs and shows the answer (and the report's plots if served)."""
        needs = "".join(
            f'<label><input type="checkbox" name="need" value="{n}"> {n}</label> ' for n in sorted(registry.needs)
        )
        return _PAGE.replace("{{needs}}", needs).replace("{{report}}", "true" if report_dir else "false")

    return app
