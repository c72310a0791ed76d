"""The `advisor` command line: one module per command group, assembled here."""

from __future__ import annotations

import click

from advisor import __version__
from advisor.cli.common import AdvisorGroup

__all__ = ["main"]

#: command -> where it is defined; each is imported only when run (or listed by --help)
COMMANDS = {
    name: f"advisor.cli.{module}:{name}"
    for name, module in (
        ("recommend", "recommend_cmd"),
        ("generate", "generate_cmd"),
        ("table", "table_cmd"),
        ("report", "report_cmd"),
        ("serve", "serve_cmd"),
        ("plugins", "plugins_cmd"),
        ("bench", "bench_cmd"),
        ("results", "results_cmd"),
        ("db", "db_cmd"),
        ("metrics", "metrics_cmd"),
        ("data", "data_cmd"),
    )
}


@click.group(cls=AdvisorGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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
