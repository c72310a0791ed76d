"""Database URLs as they may be printed or stored: the password masked, whatever characters it holds.

A URL is parsed by SQLAlchemy's `make_url` and shown as `render_as_string(hide_password=True)`; a
password is never found by a pattern over text. A command line is masked word by word (each word
that is a URL, or an ``--option=URL``, is parsed on its own) before it is joined, and a command
already joined with `shlex.join` (the bench log of an older store) is split back into its words
first, so a password holding a quote, a space or an ``@`` is masked like any other.

A URL that cannot be parsed unambiguously (an unescaped ``@`` or ``:`` in the password makes
SQLAlchemy read part of it as host or port) is refused as input; where it must still be shown
(an old log), only its scheme is.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from advisor.errors import StoreError

__all__ = ["is_url", "parse_url", "shown_url", "masked_argv", "masked_command", "masked_entry", "scrubbed"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
#: query parameters a driver reads as a password (psycopg: `?password=...`)
_SECRET_QUERY_KEYS = frozenset({"password", "passwd", "pwd", "sslpassword"})
_MASK = "***"


def is_url(text: str) -> bool:
    """Whether `text` is a database URL (``scheme://...``) rather than a file path."""
    return _SCHEME.match(text) is not None


def _scheme(text: str) -> str:
    match = _SCHEME.match(text)
    return match.group(0) if match else ""


def _parsed(text: str) -> URL | None:
    """`text` parsed as a URL, or None when it cannot be parsed without misreading a password."""
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):  # ValueError: part of a password read as the port
        return None
    credentials = url.username is not None or url.password is not None
    if credentials and text[len(_scheme(text)) :].split("?", 1)[0].count("@") > 1:
        return None  # `u:p@ss@host`: SQLAlchemy reads the host as "ss@host", which would print part of it
    return url


def parse_url(text: str) -> URL:
    """`text` parsed as a database URL; StoreError (exit 2) when it is malformed, never echoing it."""
    url = _parsed(text)
    if url is None:
        raise StoreError(
            f"the store URL {_scheme(text)}{_MASK} is not a valid database URL (not shown: it may hold a password). A "
            "password holding '@', ':', '/' or '%' must be percent-encoded, e.g. '@' as %40 and ':' as %3A: "
            "postgresql+psycopg://user:p%40ss%3Aword@host/db"
        )
    return url


def _masked(url: URL) -> URL:
    secret = {key for key in url.query if key.lower() in _SECRET_QUERY_KEYS}
    if secret:
        url = url.set(query={key: (_MASK if key in secret else value) for key, value in url.query.items()})
    return url


def shown_url(text: str) -> str:
    """`text` as it may be printed: a URL with its password masked (only its scheme if it is malformed)."""
    if not is_url(text):
        return text
    url = _parsed(text)
    return _masked(url).render_as_string(hide_password=True) if url is not None else _scheme(text) + _MASK


def _masked_word(word: str) -> str:
    """One command-line word with a URL in it masked: the word itself, or the value of `--option=URL`."""
    if is_url(word):
        return shown_url(word)
    option, equals, value = word.partition("=")
    if equals and option.startswith("-") and is_url(value):
        return f"{option}={shown_url(value)}"
    return word


def masked_argv(argv: Sequence[str]) -> list[str]:
    """A command line's words with every database URL's password masked (join them afterwards)."""
    return [_masked_word(word) for word in argv]


def masked_command(command: str) -> str:
    """A joined command line (`shlex.join`) with every URL's password masked; unchanged when it holds none.

    Text that is not a valid shell command line (unbalanced quotes) is masked word by word on
    whitespace, a URL that cannot be parsed showing only its scheme.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return " ".join(_masked_word(word) if "://" in word else word for word in command.split())
    masked = masked_argv(words)
    return command if masked == words else shlex.join(masked)


def masked_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A bench-log entry with every text value masked (`masked_command`)."""
    return {key: masked_command(value) if isinstance(value, str) else value for key, value in entry.items()}


def scrubbed(message: str, db: str) -> str:
    """`message` (a driver's error about store `db`) with `db`'s password replaced, wherever it appears."""
    url = _parsed(db) if is_url(db) else None
    password = url.password if url is not None else None
    return message.replace(str(password), _MASK) if password else message
