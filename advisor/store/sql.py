"""Users' own SQL against a store, bounded: read-only, streamed, time-limited, interruptible, no ATTACH.

`advisor results sql` hands a statement typed by a user to the database. It runs on a read-only
connection (a write is refused by the database), its rows are streamed in batches rather than
loaded at once, and it stops at a time limit or on Ctrl-C: on SQLite through a progress handler
that the statement's own virtual machine calls, so even a four-way cross join of `runs` returns
control; on PostgreSQL through `statement_timeout`. On SQLite, ATTACH and DETACH are refused by an
authorizer before they run (an ATTACH would otherwise create an empty database file).
"""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from advisor.errors import InputError

if TYPE_CHECKING:
    from advisor.store.engine import Store

__all__ = ["SqlResult", "query", "run_sql", "DEFAULT_TIMEOUT_S"]

DEFAULT_TIMEOUT_S = 30.0
_BATCH = 500
_PROGRESS_EVERY = 10_000  # SQLite virtual-machine instructions between checks (~a millisecond)
_REFUSED_ACTIONS = {sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH"}
_QUERY = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(?:SELECT|WITH|VALUES|TABLE)\b", re.IGNORECASE | re.DOTALL)


@dataclass
class SqlResult:
    """The columns of a result and an iterator over its rows (valid inside `query`)."""

    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


class _Guard:
    """Why a running statement must stop: its time limit passed, or the user pressed Ctrl-C."""

    def __init__(self, timeout_s: float) -> None:
        self.deadline = time.monotonic() + timeout_s
        self.timeout_s = timeout_s
        self.interrupted = False
        self.refused: str | None = None

    def progress(self) -> int:
        """SQLite's progress handler: non-zero stops the statement."""
        return int(self.interrupted or time.monotonic() > self.deadline)

    def authorize(self, action: int, *_: Any) -> int:
        """SQLite's authorizer: deny ATTACH and DETACH."""
        if action in _REFUSED_ACTIONS:
            self.refused = _REFUSED_ACTIONS[action]
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def error(self, exc: DBAPIError) -> InputError:
        """The user-facing error for a statement that failed under this guard."""
        message = str(exc.orig)
        if self.refused:
            return InputError(f"refused: {self.refused} is not allowed; query the store's own tables and views")
        if self.interrupted:
            return InputError("interrupted: the statement was stopped (Ctrl-C)")
        if "interrupted" in message or "statement timeout" in message or "canceling statement" in message:
            return InputError(
                f"stopped after {self.timeout_s:g} s: the statement ran past its time limit; add a WHERE or LIMIT, "
                "or raise --timeout"
            )
        if "readonly" in message or "read-only" in message or "query_only" in message.replace(" ", "_"):
            return InputError(f"refused: the store is opened read-only and the statement writes ({message})")
        return InputError(f"SQL error: {message}")


@contextmanager
def _sigint_to(guard: _Guard) -> Iterator[None]:
    """While a statement runs, Ctrl-C asks it to stop (the progress handler sees the flag)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        guard.interrupted = True

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _guarded(conn: Connection, guard: _Guard) -> Iterator[None]:
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        raw.set_authorizer(guard.authorize)
        raw.set_progress_handler(guard.progress, _PROGRESS_EVERY)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
            raw.set_authorizer(None)
    else:
        conn.execute(text(f"SET LOCAL statement_timeout = {int(guard.timeout_s * 1000)}"))
        yield


@contextmanager
def query(store: Store, sql: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[SqlResult]:
    """Run one user statement on a read-only store; its rows stream while the block runs.

    InputError for a write, a refused ATTACH/DETACH, a statement past `timeout_s`, Ctrl-C, or bad SQL.
    """
    if not store.readonly:
        raise ValueError("query needs a store opened with readonly=True")
    guard = _Guard(timeout_s)

    def rows(result: Any) -> Iterator[tuple[Any, ...]]:
        try:
            while batch := result.fetchmany(_BATCH):
                yield from (tuple(row) for row in batch)
        except DBAPIError as exc:
            raise guard.error(exc) from None

    with store.connect() as conn, _sigint_to(guard), _guarded(conn, guard):
        # a server-side cursor (PostgreSQL) only wraps queries; anything else runs plainly and is refused
        streamed = conn.dialect.name == "sqlite" or _QUERY.match(sql) is not None
        try:
            result = conn.execution_options(stream_results=streamed).execute(text(sql))
        except DBAPIError as exc:
            raise guard.error(exc) from None
        if not result.returns_rows:
            raise InputError("the statement returned no rows; `advisor results sql` only reads")
        yield SqlResult(list(result.keys()), rows(result))


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
