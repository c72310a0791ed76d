"""Options, output helpers and error handling shared by every command group."""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

from advisor.errors import AdvisorError, InputError
from advisor.formatting import number

__all__ = [
    "AdvisorGroup",
    "db_option",
    "executor_options",
    "scheduler_address",
    "json_option",
    "table_options",
    "table_options_from",
    "TABLE_OPTION_NAMES",
    "registry_from",
    "print_json",
    "print_table",
    "table_fits",
    "format_value",
    "stdout",
    "stderr",
]


_PIPE_WIDTH = 160


class _ExitError(click.ClickException):
    """A ClickException carrying the advisor error's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class AdvisorGroup(click.Group):
    """Root group: turns advisor errors into a one-line message and exit code, never a traceback.

    Subcommands are named in `lazy_commands` ("name" -> "module:attribute") and imported only when
    run or listed, so `advisor recommend` never imports what `advisor bench` needs.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand, loaded or not, in the order declared."""
        return [*self.lazy_commands, *(name for name in super().list_commands(ctx) if name not in self.lazy_commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand `cmd_name`, imported on first use."""
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            import importlib

            module, attribute = self.lazy_commands[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command; map AdvisorError to its exit code, end quietly on a closed pipe, and hide
        unexpected tracebacks."""
        try:
            return super().invoke(ctx)
        except AdvisorError as exc:
            raise _ExitError(str(exc), exc.exit_code) from exc
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # the reader went away (`advisor ... | head -1`): stop quietly, as the Python docs advise for
            # SIGPIPE; stdout goes to devnull so that flushing it at exit does not fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(141) from None  # 128 + SIGPIPE, as a shell reports a program it stopped
        except Exception as exc:
            if os.environ.get("ADVISOR_DEBUG"):
                traceback.print_exc()
            raise _ExitError(
                f"internal error: {type(exc).__name__}: {exc}. Please report it; set ADVISOR_DEBUG=1 "
                "to see the traceback.",
                1,
            ) from exc


def db_option(fn: Callable) -> Callable:
    """--db PATH|URL, defaulting to $ADVISOR_DB or ./results.db."""
    return click.option(
        "--db",
        "db",
        default=None,
        metavar="PATH|URL",
        help="Results store: an SQLite file or an SQLAlchemy URL. Default: $ADVISOR_DB, else ./results.db.",
    )(fn)


#: the options that say how to read and type a user's table (names of `TableOptions` fields)
TABLE_OPTION_NAMES = ("label_column", "categorical", "drop", "missing", "sep", "decimal", "encoding")


def table_options(fn: Callable) -> Callable:
    """--label-column, --categorical, --ordinal, --drop, --missing, --dayfirst, --sep, --decimal, --encoding."""
    options = [
        click.option("--label-column", metavar="NAME|INDEX", help="Column of the table holding class labels."),
        click.option(
            "--categorical", multiple=True, metavar="COL", help="Treat this column as categories (repeatable)."
        ),
        click.option(
            "--ordinal",
            multiple=True,
            metavar="COL",
            help="Treat this column as ordered labels, ordered by the numbers they hold (1st < 2nd < 10th); "
            "repeatable.",
        ),
        click.option("--drop", multiple=True, metavar="COL", help="Leave this column out (repeatable)."),
        click.option(
            "--missing",
            type=click.Choice(["indicator", "drop", "refuse"]),
            default="indicator",
            show_default=True,
            help="Missing cells: indicator = a '(missing)' level / the median plus a 0/1 column; drop = leave the "
            "rows out; refuse = stop at the first one.",
        ),
        click.option(
            "--dayfirst",
            is_flag=True,
            help="Dates that read both ways (01/02/2020) are day first (default: month first, said in a note).",
        ),
        click.option("--sep", metavar="CHAR", help="Column separator (default: detected among , ; tab |)."),
        click.option("--decimal", type=click.Choice([".", ","]), help="Decimal mark (default: detected)."),
        click.option("--encoding", metavar="NAME", help="Text encoding (default: UTF-8, else Windows-1252)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def table_options_from(values: dict[str, Any]) -> Any:
    """The `TableOptions` named by the table option values of a command (see `table_options`)."""
    from advisor.data.user import TableOptions

    sep = values.get("sep")
    if sep == "\\t":
        sep = "\t"
    return TableOptions(
        label_column=values.get("label_column"),
        categorical=tuple(values.get("categorical") or ()),
        ordinal=tuple(values.get("ordinal") or ()),
        drop=tuple(values.get("drop") or ()),
        missing=values.get("missing") or "indicator",
        dayfirst=bool(values.get("dayfirst")),
        sep=sep,
        decimal=values.get("decimal"),
        encoding=values.get("encoding"),
    )


def executor_options(jobs_help: str, when: str = "") -> Callable[[Callable], Callable]:
    """-j/--jobs N (its help `jobs_help`), --executor local|dask and --scheduler ADDRESS: how many cells run at
    once, and where (`scheduler_address` checks the pair); `when` starts the latter two's help (e.g. "With
    --data: ")."""

    def decorate(fn: Callable) -> Callable:
        fn = click.option(
            "--scheduler", metavar="ADDRESS", help=f"{when}dask scheduler address, e.g. tcp://10.0.0.5:8786."
        )(fn)
        fn = click.option(
            "--executor",
            type=click.Choice(["local", "dask"]),
            default="local",
            show_default=True,
            help=f"{when}local: child processes on this machine; dask: a dask.distributed cluster (--scheduler).",
        )(fn)
        return click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1), help=jobs_help)(fn)

    return decorate


def scheduler_address(executor: str, scheduler: str | None) -> str | None:
    """The dask scheduler the cells run on (None: locally); InputError for dask without an address."""
    if executor == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (the dask scheduler, e.g. tcp://host:8786)")
    return scheduler if executor == "dask" else None


def json_option(fn: Callable) -> Callable:
    """--json: print machine-readable JSON instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(fn)


def registry_from(ctx: click.Context) -> Any:
    """The plugin registry for this invocation (honours --plugins-dir / $ADVISOR_PLUGINS_DIR); a plugin whose
    import blocks ends the command with exit code 2 naming it (`import_watchdog`)."""
    from advisor.plugins import import_watchdog, load_registry

    with import_watchdog():
        return load_registry(ctx.find_root().params.get("plugins_dir"))


def _console(stderr: bool = False) -> Any:
    """One console per stream, made again only when the stream or `COLUMNS` changes (tests swap both)."""
    stream = sys.stderr if stderr else sys.stdout
    key = (stderr, id(stream), os.environ.get("COLUMNS"))
    if _CONSOLES.get(stderr, (None,))[0] != key:
        from rich.console import Console

        console = Console(stderr=stderr, highlight=False, soft_wrap=False)
        if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
            console.width = _PIPE_WIDTH  # files and pipes without COLUMNS: wide enough for a table of runs
        _CONSOLES[stderr] = (key, console)
    return _CONSOLES[stderr][1]


#: the console made for each stream (False: standard output, True: standard error), with what it was made for
_CONSOLES: dict[bool, tuple[Any, Any]] = {}


def stdout() -> Any:
    """A rich console on standard output."""
    return _console()


def stderr() -> Any:
    """A rich console on standard error (progress and notes, so stdout stays parseable)."""
    return _console(stderr=True)


def print_json(data: Any) -> None:
    """Write `data` (JSON-ready, or a pydantic model such as an answer) as indented JSON to standard output."""
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json")
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def format_value(value: Any) -> str:
    """A compact human rendering of a metric value or cell."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Render rows as a rich table on standard output; every text is shown as written, never as markup.

    Cells wrap between words, never inside one: a table whose longest words do not fit the console's
    width is printed vertically instead, one block per row ("column: value" lines).
    """
    from rich.table import Table
    from rich.text import Text

    console = stdout()
    rows = [[format_value(v) for v in row] for row in rows]
    longest = _longest_words(columns, rows)
    if _table_width(longest) <= console.width:
        table = Table(title=Text(title) if title else None, title_justify="left", header_style="bold")
        widths = _column_widths(columns, rows, longest, console.width)
        for column, width in zip(columns, widths, strict=True):
            table.add_column(Text(column), overflow="fold", width=width)
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        return
    if title:
        console.print(Text(title, style="bold"))
    heading = 2 if columns and columns[0] in ("#", "id") else 1  # a rank or id goes with the name after it
    for row in rows:
        named = f"{columns[0]} {row[0]}" if columns[0] == "run" else " ".join(row[:heading])  # "run 18"
        console.print(Text(named, style="bold"))
        for column, cell in list(zip(columns, row, strict=True))[heading:]:
            console.print(Text(f"  {column}: {cell}"))


def table_fits(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bool:
    """Whether `print_table` would print these rows as a table (not vertically) at this console's width."""
    return _table_width(_longest_words(columns, [[format_value(v) for v in row] for row in rows])) <= stdout().width


def _column_widths(columns: Sequence[str], rows: list[list[str]], longest: list[int], console_width: int) -> list[int]:
    """Each column's text width: as wide as its widest cell where the table fits the console, else the widest
    columns narrowed one character at a time, never below their longest word (rich's own narrowing folds words
    and may overflow by a character)."""
    from rich.cells import cell_len

    widths = [
        max((cell_len(line) for text in (column, *cells) for line in text.splitlines() or [""]), default=0)
        for column, *cells in zip(columns, *rows, strict=True)
    ]
    while _table_width(widths) > console_width:
        slack = [(width - least, i) for i, (width, least) in enumerate(zip(widths, longest, strict=True))]
        most, widest = max(slack)
        if most <= 0:
            break
        widths[widest] -= 1
    return widths


def _table_width(text_widths: Sequence[int]) -> int:
    """The width of a table whose columns hold text this wide: one space each side and a border per column,
    and one to close."""
    return sum(width + 3 for width in text_widths) + 1


def _longest_words(columns: Sequence[str], rows: list[list[str]]) -> list[int]:
    """Each column's longest word, header included: the narrowest it can wrap to between words only."""
    from rich.cells import cell_len

    return [
        max((cell_len(word) for text in (column, *cells) for word in text.split()), default=0)
        for column, *cells in zip(columns, *rows, strict=True)
    ]


#: the metrics a listing of runs shows beside each run
HEADLINE_METRICS = ("test_nll", "kl_to_truth", "modes_covered", "hq_rate", "sample_throughput", "train_seconds")


def print_runs(title: str | None, runs: list[dict[str, Any]], *, with_budget: bool = True) -> None:
    """A table of runs (as `run_to_dict` gives them) with their headline metrics."""
    columns = ["run", "family", "sampler", "dataset", "seed", *(["budget"] if with_budget else []), "status"]
    rows = [
        [
            r["id"],
            r["family"],
            r["sampler"],
            r["dataset"],
            r["seed"],
            *([r["budget"]] if with_budget else []),
            r["status"],
            *(r["metrics"].get(m, {}).get("value") for m in HEADLINE_METRICS),
        ]
        for r in runs
    ]
    print_table(title, [*columns, *HEADLINE_METRICS], rows)


class Duration(click.ParamType):
    """A duration such as 90, 90s, 10m or 1.5h, in seconds."""

    name = "duration"
    _UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        """Parse `value` into seconds, failing with a usage error."""
        if isinstance(value, (int, float)):
            return float(value)
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(value))
        if not match:
            self.fail(f"{value!r} is not a duration; use e.g. 90s, 10m or 1h", param, ctx)
        if float(match.group(1)) <= 0:
            self.fail(f"{value!r}: the time limit must be longer than zero", param, ctx)
        return float(match.group(1)) * self._UNITS[match.group(2)]
