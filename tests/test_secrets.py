"""No password reaches the store or the terminal, whatever characters it holds (issue 30, item 1).

The PostgreSQL side (a real bench with such a password) is in test_postgres.py.
"""

import json
import shlex
import sqlite3

import pytest

from advisor.errors import StoreError
from advisor.store import open_store
from advisor.store.cells import record_bench
from advisor.store.secrets import masked_argv, masked_command, parse_url, shown_url

QUOTED = "postgresql+psycopg://u:qu'ote%40x@127.0.0.1:54329/db"  # the password is qu'ote@x
RAW = "postgresql+psycopg://u:p@ss:w0rd!@127.0.0.1:54329/db"  # ':' and '@' typed raw: not a valid URL
RAW_AT = "postgresql+psycopg://u:p@ss@127.0.0.1/db"  # parses, but "ss" would be read as part of the host
#: the parts of those passwords that must never be printed or stored
SECRETS = ("qu'ote", "ote%40x", "ote@x", "w0rd", "p@ss", "ss@127")


def _clear(text: str) -> bool:
    return not any(secret in text for secret in SECRETS)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (QUOTED, "postgresql+psycopg://u:***@127.0.0.1:54329/db"),
        (RAW, "postgresql+psycopg://***"),
        (RAW_AT, "postgresql+psycopg://***"),
        (
            "postgresql://u:pa%3Ass@h/db?password=zz&sslmode=off",
            "postgresql://u:***@h/db?password=%2A%2A%2A&sslmode=off",
        ),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("results.db", "results.db"),
    ],
)
def test_a_url_is_shown_with_its_password_masked(url, shown):
    assert shown_url(url) == shown


def test_a_command_line_is_masked_word_by_word_before_and_after_joining():
    argv = ["advisor", "bench", "--db", QUOTED, f"--db={RAW}", "-f", "gmm", "--note", "it's fine"]
    masked = masked_argv(argv)
    assert masked[3] == "postgresql+psycopg://u:***@127.0.0.1:54329/db"
    assert masked[4] == "--db=postgresql+psycopg://***"
    assert masked[-1] == "it's fine" and _clear(" ".join(masked))
    joined = shlex.join(argv)  # as older versions stored it: the quote made their pattern stop short
    assert _clear(masked_command(joined)) and shlex.split(masked_command(joined)) == masked
    unbalanced = f"advisor bench --db {QUOTED} -f 'gmm"  # not a shell line at all: masked on whitespace
    assert _clear(masked_command(unbalanced)) and "u:***@127.0.0.1" in masked_command(unbalanced)
    assert masked_command("advisor bench -f 'a b'") == "advisor bench -f 'a b'"  # nothing to mask: unchanged


@pytest.mark.parametrize("url", [RAW, RAW_AT, "postgresql://u:w0rd!@host:port/db"])
def test_a_malformed_url_is_an_input_error_that_does_not_echo_it(url):
    with pytest.raises(StoreError, match="percent-encoded") as error:
        parse_url(url)
    assert _clear(str(error.value)) and "w0rd" not in str(error.value)


def test_record_bench_stores_no_password_in_any_form(db):
    with open_store(db, create=True) as store:
        for url in (QUOTED, RAW):  # `recommend --data` hands the bench service a joined command line
            record_bench(store, {"command": shlex.join(["advisor", "recommend", "--db", url]), "cells": 3})
    stored = sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'bench_log'").fetchone()[0]
    assert _clear(stored) and "u:***@127.0.0.1:54329" in stored


def _old_log(db):
    """A store of this schema version whose bench log an older advisor wrote, passwords in clear."""
    open_store(db, create=True).close()
    log = [
        {"command": shlex.join(["advisor", "bench", "--db", url, "-f", "gmm"]), "host": "h", "cells": 1}
        for url in (QUOTED, RAW, RAW_AT)
    ]
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO meta VALUES ('bench_log', ?)", (json.dumps(log),))


def test_db_info_shows_no_password_an_old_log_holds(cli, db):
    _old_log(db)
    table = cli("db", "info", "--db", db)
    assert _clear(table.stdout) and "u:***@127.0.0.1:54329" in table.stdout
    data = cli.json("db", "info", "--db", db)
    assert _clear(json.dumps(data)) and data["benches"][1]["command"].startswith("advisor bench --db")


def test_db_upgrade_masks_an_old_log_at_the_current_version(cli, db):
    _old_log(db)
    result = cli("db", "upgrade", "--db", db)
    assert "already at schema version" in result.stdout
    assert "Masked the passwords in 3 bench log entries" in result.stdout
    stored = sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'bench_log'").fetchone()[0]
    assert _clear(stored) and json.loads(stored)[0]["host"] == "h"
    assert "Masked" not in cli("db", "upgrade", "--db", db).stdout  # nothing left to mask


@pytest.mark.parametrize("command", [("db", "info"), ("bench", "-f", "gmm", "-d", "ring8", "--budget", "smoke")])
@pytest.mark.parametrize("url", [RAW, RAW_AT])
def test_a_password_typed_raw_is_refused_with_exit_2_and_not_echoed(cli, command, url):
    result = cli(*command, "--db", url, expect=2)
    assert "not a valid database URL" in result.stderr and _clear(result.stderr + result.stdout)


def test_an_unreachable_server_is_named_without_its_password(cli):
    result = cli("db", "info", "--db", QUOTED.replace("54329", "1"), expect=2)
    assert "u:***@127.0.0.1:1" in result.stderr and _clear(result.stderr)
