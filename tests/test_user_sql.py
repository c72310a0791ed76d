"""`advisor results sql` holds its limits inside one expression, passes statements as typed, and
neither buffers a huge table nor fails on a closed pipe (issue 30, item 5)."""

import signal
import subprocess
import sys
import time

import pytest

from advisor.store import open_store

#: one expression that builds 1.8 GB in two function calls: no instruction boundary to stop at
HEAVY = "SELECT length(printf('%.*c',900000000,'x')||printf('%.*c',900000000,'y'))"
ROWS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT {n}) SELECT x FROM c"


@pytest.fixture
def store(db):
    open_store(db, create=True).close()
    return db


def _advisor(*args):
    return [sys.executable, "-m", "advisor", *map(str, args)]


def test_one_heavy_expression_stops_at_its_time_limit(cli, store):
    started = time.monotonic()
    result = cli("results", "sql", HEAVY, "--timeout", "2", "--db", store, expect=2)
    assert time.monotonic() - started < 3
    assert "stopped after 2 s: the statement ran past its time limit" in result.stderr


def test_ctrl_c_stops_one_heavy_expression(store):
    process = subprocess.Popen(
        _advisor("results", "sql", HEAVY, "--timeout", "600", "--db", store), stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.5)  # inside the first printf
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 1 and process.returncode == 2 and "interrupted" in stderr


@pytest.mark.parametrize(
    ("statement", "memory", "message"),
    [
        ("SELECT length(zeroblob(900000000))", "1024", "a value would be longer than 64 MB"),
        (f"SELECT length(group_concat(hex(randomblob(500)))) FROM ({ROWS.format(n=40_000)})", "16", "than 16 MB"),
    ],
)
def test_memory_is_bounded(cli, store, statement, memory, message):
    assert message in cli("results", "sql", statement, "--memory", memory, "--db", store, expect=2).stderr


def test_a_statement_is_passed_as_typed(cli, store):
    assert cli("results", "sql", "SELECT ':x' AS a, '%s' AS b", "--csv", "--db", store).stdout.splitlines() == [
        "a,b",
        ":x,%s",
    ]


def test_a_table_is_capped_with_a_message_while_csv_streams_every_row(cli, store):
    table = cli("results", "sql", ROWS.format(n=12_000), "--all", "--db", store)
    assert "a table holds at most 10,000" in table.stderr
    assert "│ 10000 │" in table.stdout and "│ 10001 │" not in table.stdout
    streamed = cli("results", "sql", ROWS.format(n=12_000), "--csv", "--all", "--db", store)
    assert len(streamed.stdout.splitlines()) == 12_001


def test_a_closed_pipe_ends_quietly(store):
    command = subprocess.list2cmdline(_advisor("results", "sql", ROWS.format(n=200_000), "--csv", "--all"))
    shell = subprocess.run(
        f"{command} --db {store} | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.stdout == "x\n" and shell.stderr == "" and shell.returncode == 141
