"""One user statement on an SQLite store, run in a child process the caller can kill at any moment.

SQLite checks for interrupts between virtual-machine instructions, and a single instruction can run
for seconds and allocate gigabytes (``printf('%.*c', 900000000, 'x')`` is one function call), so a
progress handler or ``sqlite3_interrupt`` cannot bound one expression. The statement therefore runs
in a forked child: the parent kills it at the time limit or on Ctrl-C, and the child's memory is
capped three ways (SQLite's ``hard_heap_limit``, its longest string or blob ``SQLITE_LIMIT_LENGTH``,
and the address space the kernel grants it). The child opens its own read-only connection (never
one inherited from the parent), refuses ATTACH and DETACH with an authorizer, passes the statement
to the driver as typed (no parameter parsing: ``':x'`` is a string) and streams the rows back over
a pipe in batches.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import sqlite3
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["Limits", "Message", "start", "MAX_VALUE_BYTES"]

#: the longest string or blob a statement may build (SQLite's own default is 1e9 bytes)
MAX_VALUE_BYTES = 64 * 2**20
_BATCH = 500
_REFUSED_ACTIONS = {sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH"}
_ADDRESS_SPACE_HEADROOM = 512 * 2**20  # Python's own allocations beside SQLite's heap (rows being sent)


@dataclass(frozen=True)
class Limits:
    """How much one statement may use: memory (bytes of SQLite heap) and the longest value."""

    memory_bytes: int
    max_value_bytes: int = MAX_VALUE_BYTES


@dataclass(frozen=True)
class Message:
    """What the child sends: `columns`, a batch of `rows`, `end`, or an `error` (`refused`: ATTACH/DETACH)."""

    kind: str
    payload: Any = None
    refused: str | None = None


def _address_space() -> int:
    """The bytes of address space this process maps now (it grows from there)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * resource.getpagesize()


def _cap_memory(limits: Limits) -> None:
    try:
        cap = _address_space() + limits.memory_bytes + _ADDRESS_SPACE_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (OSError, ValueError):  # no /proc or a lower hard limit already: SQLite's heap limit still holds
        pass


def _connect(connect_args: tuple[list[Any], dict[str, Any]], limits: Limits) -> tuple[sqlite3.Connection, list[str]]:
    args, kwargs = connect_args
    connection = sqlite3.connect(*args, **kwargs)
    connection.execute("PRAGMA query_only = ON")
    connection.execute(f"PRAGMA hard_heap_limit = {int(limits.memory_bytes)}")
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_value_bytes)
    refused: list[str] = []

    def authorize(action: int, *_: Any) -> int:
        if action in _REFUSED_ACTIONS:
            refused.append(_REFUSED_ACTIONS[action])
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    connection.set_authorizer(authorize)
    return connection, refused


def _run(sender: Connection, connect_args: tuple[list[Any], dict[str, Any]], sql: str, limits: Limits) -> None:
    """Child process: run `sql` and send its columns, its rows in batches, then `end` (or an error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    _cap_memory(limits)
    refused: list[str] = []
    try:
        connection, refused = _connect(connect_args, limits)
        cursor = connection.execute(sql)
        if cursor.description is None:
            sender.send(Message("columns", None))
            return
        sender.send(Message("columns", [column[0] for column in cursor.description]))
        while batch := cursor.fetchmany(_BATCH):
            sender.send(Message("rows", batch))
        sender.send(Message("end"))
    except (sqlite3.Error, MemoryError) as exc:
        message = "out of memory" if isinstance(exc, MemoryError) else str(exc)
        sender.send(Message("error", message, refused[0] if refused else None))


def start(connect_args: tuple[list[Any], dict[str, Any]], sql: str, limits: Limits) -> tuple[Any, Connection]:
    """Start the child running `sql`; returns the process and the end of the pipe its messages arrive on.

    Forked, not spawned: it starts in milliseconds with what the parent imported, and the parent
    (a CLI command) runs no other threads.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(sender, connect_args, sql, limits), name="advisor-sql", daemon=True)
    process.start()
    sender.close()
    return process, receiver
