"""Users' own SQL against a store, bounded: read-only, streamed, time- and memory-limited, interruptible.

`advisor results sql` hands a statement typed by a user to the database, as typed: no parameter
parsing (``SELECT ':x'`` is a string, not a bind parameter). It runs read-only (a write is refused
by the database) and its rows stream in batches rather than being loaded at once.

- SQLite: in a child process (`sqlite_child`) that is killed at the time limit or on Ctrl-C, with a
  cap on its memory and on the longest value, so one heavy expression is bounded as much as a long
  join; ATTACH and DETACH are refused by an authorizer before they run (an ATTACH would otherwise
  create an empty database file).
- PostgreSQL: the server's ``statement_timeout``; Ctrl-C cancels the statement (psycopg sends the
  server a cancel request) and the memory is the server's, bounded by its own settings.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from advisor.errors import InputError
from advisor.store import sqlite_child

if TYPE_CHECKING:
    from advisor.store.engine import Store

__all__ = ["SqlResult", "query", "run_sql", "DEFAULT_TIMEOUT_S", "DEFAULT_MEMORY_MB"]

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_MB = 1024
_BATCH = 500
_QUERY = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(?:SELECT|WITH|VALUES|TABLE)\b", re.IGNORECASE | re.DOTALL)


@dataclass
class SqlResult:
    """The columns of a result and an iterator over its rows (valid inside `query`)."""

    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def _stopped(timeout_s: float) -> InputError:
    return InputError(
        f"stopped after {timeout_s:g} s: the statement ran past its time limit; add a WHERE or LIMIT, "
        "or raise --timeout"
    )


def _interrupted() -> InputError:
    return InputError("interrupted: the statement was stopped (Ctrl-C)")


def _error(message: str, *, refused: str | None = None, memory_mb: float = DEFAULT_MEMORY_MB) -> InputError:
    """The user-facing error for a statement the database refused or failed."""
    if refused:
        return InputError(f"refused: {refused} is not allowed; query the store's own tables and views")
    if "readonly" in message or "read-only" in message or "query_only" in message.replace(" ", "_"):
        return InputError(f"refused: the store is opened read-only and the statement writes ({message})")
    if "out of memory" in message:
        return InputError(
            f"stopped: the statement needed more than {memory_mb:g} MB of memory; add a WHERE or LIMIT, or raise "
            "--memory"
        )
    if "too big" in message:
        return InputError(
            f"stopped: a value would be longer than {sqlite_child.MAX_VALUE_BYTES // 2**20} MB ({message}); "
            "the store holds nothing that long"
        )
    return InputError(f"SQL error: {message}")


@contextmanager
def _on_sqlite(store: Store, sql: str, timeout_s: float, memory_mb: float) -> Iterator[SqlResult]:
    """Run `sql` in a child process, killed at the deadline or on Ctrl-C; its rows stream from the pipe."""
    engine = store.engine
    limits = sqlite_child.Limits(memory_bytes=int(memory_mb * 2**20))
    deadline = time.monotonic() + timeout_s
    process, receiver = sqlite_child.start(engine.dialect.create_connect_args(engine.url), sql, limits)

    def receive() -> sqlite_child.Message:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise _stopped(timeout_s)
        try:
            message = receiver.recv()
        except EOFError:
            process.join(1)
            raise InputError(
                f"the statement's process ended without a result (exit code {process.exitcode}); it may have "
                f"needed more than {memory_mb:g} MB of memory"
            ) from None
        if message.kind == "error":
            raise _error(message.payload, refused=message.refused, memory_mb=memory_mb)
        return message

    def rows() -> Iterator[tuple[Any, ...]]:
        while (message := receive()).kind == "rows":
            yield from message.payload

    try:
        columns = receive().payload
        if columns is None:
            raise InputError("the statement returned no rows; `advisor results sql` only reads")
        yield SqlResult(columns, rows())
    except KeyboardInterrupt:
        raise _interrupted() from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()


@contextmanager
def _on_server(store: Store, sql: str, timeout_s: float) -> Iterator[SqlResult]:
    """Run `sql` on a database server under its `statement_timeout`, on the driver's own cursor."""

    def failed(exc: Exception) -> InputError:
        message = str(exc).strip()
        if "statement timeout" in message or "canceling statement" in message:
            return _stopped(timeout_s)
        return _error(message)

    with store.connect() as conn:
        conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
        # a server-side cursor only wraps queries; anything else runs plainly (and a write is refused)
        cursor = _cursor(conn, server_side=_QUERY.match(sql) is not None)
        driver_error = conn.dialect.loaded_dbapi.Error

        def rows() -> Iterator[tuple[Any, ...]]:
            try:
                while batch := cursor.fetchmany(_BATCH):
                    yield from (tuple(row) for row in batch)
            except driver_error as exc:
                raise failed(exc) from None

        try:
            try:
                cursor.execute(sql)  # no parameters: the driver parses no placeholders
            except driver_error as exc:
                raise failed(exc) from None
            if cursor.description is None:
                raise InputError("the statement returned no rows; `advisor results sql` only reads")
            yield SqlResult([column[0] for column in cursor.description], rows())
        except KeyboardInterrupt:
            raise _interrupted() from None
        finally:
            cursor.close()


def _cursor(conn: Connection, *, server_side: bool) -> Any:
    raw = conn.connection.dbapi_connection
    return raw.cursor(name="advisor_user_sql") if server_side else raw.cursor()


@contextmanager
def query(
    store: Store, sql: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: float = DEFAULT_MEMORY_MB
) -> Iterator[SqlResult]:
    """Run one user statement on a read-only store; its rows stream while the block runs.

    InputError for a write, a refused ATTACH/DETACH, a statement past `timeout_s` or needing more
    than `memory_mb` (SQLite), Ctrl-C, or bad SQL.
    """
    if not store.readonly:
        raise ValueError("query needs a store opened with readonly=True")
    if store.engine.dialect.name == "sqlite":
        with _on_sqlite(store, sql, timeout_s, memory_mb) as result:
            yield result
    else:
        with _on_server(store, sql, timeout_s) as result:
            yield result


def run_sql(
    store: Store, sql: str, *, max_rows: int | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and (at most `max_rows`) rows of one user statement; see `query`."""
    with query(store, sql, timeout_s=timeout_s) as result:
        found = []
        for row in result.rows:
            if max_rows is not None and len(found) >= max_rows:
                break
            found.append(row)
        return result.columns, found
