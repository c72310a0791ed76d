"""`advisor serve`: run the read-only HTTP API."""

from __future__ import annotations

import click

from advisor.cli.common import db_option

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Also serve an `advisor report` directory at /report.",
)
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, report_dir: str | None, db: str | None) -> None:
    """Serve the answers over HTTP, read-only: /recommend, /table, /families, /runs, /health, and a page at /.

    The JSON equals the CLI's --json for the same question; OpenAPI schema at /openapi.json.
    """
    import uvicorn

    from advisor.serve import create_app

    app = create_app(db, ctx.find_root().params.get("plugins_dir"), report_dir)
    uvicorn.run(app, host=host, port=port, log_level="warning")
