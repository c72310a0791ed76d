"""The `advisor` command line: one module per command group, assembled here."""

from __future__ import annotations

import click

from advisor import __version__
from advisor.cli.bench_cmd import bench
from advisor.cli.common import AdvisorGroup
from advisor.cli.db_cmd import db
from advisor.cli.plugins_cmd import plugins
from advisor.cli.recommend_cmd import recommend
from advisor.cli.report_cmd import report
from advisor.cli.results_cmd import results
from advisor.cli.serve_cmd import serve
from advisor.cli.table_cmd import table

__all__ = ["main"]


@click.group(cls=AdvisorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--plugins-dir",
    type=click.Path(file_okay=False),
    envvar="ADVISOR_PLUGINS_DIR",
    help="Also load single-file plugins (*.py) from this directory. Env: ADVISOR_PLUGINS_DIR.",
)
@click.version_option(__version__, prog_name="advisor")
def main(plugins_dir: str | None) -> None:
    """Choose a generative model family from numbers measured on your kind of data.

    \b
    Typical use:
      advisor recommend --need exact-likelihood  which family, on measured evidence
      advisor plugins list                      what families, datasets and metrics exist
      advisor bench -f gmm -f kde -d ring8      measure families into the results store
      advisor results list                      read the measurements back
    """


for command in (recommend, table, report, serve, plugins, bench, results, db):
    main.add_command(command)
