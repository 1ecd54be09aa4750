"""`sql.query` against the real servers of this machine (PostgreSQL, MariaDB) and SQLite files:
values of every kind come back as the issue says, both placeholder spellings are bound (an
injection attempt stays data), the row limit holds, and each failure is its code with the
server's own message and never the password."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.registry import ComponentContext
from automations.components.sql_query import BACKGROUND
from support.sql_servers import (
    MARIADB_URL,
    POSTGRESQL_URL,
    Server,
    context,
    free_port,
    require,
    run_query,
    unique_name,
)

PASSWORD = "hunter2-Пароль"
INJECTION = "x'); DROP TABLE victims; --"


@pytest.fixture(params=["postgresql", "mysql", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Server:
    kind = request.param
    if kind == "postgresql":
        require("127.0.0.1", 5432, "PostgreSQL")
        return Server(kind, POSTGRESQL_URL, port=5432)
    if kind == "mysql":
        require("127.0.0.1", 3306, "MariaDB")
        return Server(kind, MARIADB_URL, port=3306)
    return Server(kind, f"sqlite:///{tmp_path / 'test.db'}")


@pytest.fixture
def ctx(server: Server) -> ComponentContext:
    return context({"db": server.url})


@pytest.fixture
def pg_ctx() -> ComponentContext:
    require("127.0.0.1", 5432, "PostgreSQL")
    return context({"db": POSTGRESQL_URL})


@pytest.fixture
def my_ctx() -> ComponentContext:
    require("127.0.0.1", 3306, "MariaDB")
    return context({"db": MARIADB_URL})


@pytest.fixture
def table(ctx: ComponentContext) -> Iterator[str]:
    """A uniquely named table name, dropped after the test whatever it created."""
    name = unique_name()
    yield name
    run_query(ctx, connection="db", query=f"DROP TABLE IF EXISTS {name}")


def query(ctx: ComponentContext, text: str, **inputs: Any) -> Any:
    return run_query(ctx, connection="db", query=text, **inputs)


def failure(ctx: ComponentContext, **inputs: Any) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        run_query(ctx, **inputs)
    return caught.value


# --- values --------------------------------------------------------------------------------

COLUMNS = {
    "postgresql": (
        "id integer PRIMARY KEY, big bigint, f double precision, n numeric(30,6), d date, "
        "ts timestamp, tz timestamptz, j jsonb, js json, b bytea, t text, empty text, ok boolean"
    ),
    "mysql": (
        "id integer PRIMARY KEY, big bigint, f double, n decimal(30,6), d date, "
        "ts datetime(6), tz timestamp(6) NULL, j json, js json, b blob, t text, empty text, "
        "ok boolean"
    ),
    "sqlite": (
        "id integer PRIMARY KEY, big integer, f real, n text, d text, ts text, tz text, j text, "
        "js text, b blob, t text, empty text, ok integer"
    ),
}
BYTES = bytes(range(256))
# Bytes cannot be JSON: they go in as hex (SQLite before 3.41 has no unhex(): a literal).
BLOB_OF_HEX = {
    "postgresql": "decode(:b, 'hex')",
    "mysql": "UNHEX(:b)",
    "sqlite": f"X'{bytes(range(256)).hex()}'",
}


def test_every_kind_of_value_round_trips(server: Server, ctx: ComponentContext, table: str) -> None:
    query(ctx, f"CREATE TABLE {table} ({COLUMNS[server.kind]})")
    blob = BLOB_OF_HEX[server.kind]
    inserted = query(
        ctx,
        f"INSERT INTO {table} (id, big, f, n, d, ts, tz, j, js, b, t, empty, ok) VALUES "
        f"(:id, :big, :f, :n, :d, :ts, :tz, :j, :js, {blob}, ${{text}}, :empty, :ok)",
        parameters={
            "id": 1,
            "big": 9007199254740993,  # 2^53 + 1: exact as an integer, not as a float
            "f": 0.1,
            "n": "12345678901234567.123456",
            "d": "2024-02-29",
            "ts": "2024-03-05 10:20:30.123456",
            "tz": "2024-03-05 10:20:30.5+03:00" if server.kind == "postgresql" else None,
            "j": {"name": "Ада", "items": [1, 2.5, None, True]},
            "js": [{"a": 1}],
            "b": BYTES.hex(),
            "text": "Привет, 'мир' \\ %s :x ${y}",
            "empty": None,
            "ok": True,
        },
    )
    assert inserted == {"rows": [], "rowCount": 1, "truncated": False}
    if server.kind == "mysql":
        # TIMESTAMP has a zone only in the session's sense: it is given and read as UTC here.
        query(ctx, f"UPDATE {table} SET tz = '2024-03-05 07:20:30.5'")

    row = query(ctx, f"SELECT * FROM {table}")["rows"][0]

    assert row["id"] == 1
    assert row["big"] == 9007199254740993
    assert row["f"] == 0.1
    assert row["b"] == base64.b64encode(BYTES).decode()
    assert row["t"] == "Привет, 'мир' \\ %s :x ${y}"
    assert row["empty"] is None
    assert row["ok"] in (True, 1)  # MySQL and SQLite have no boolean: 1
    if server.kind == "sqlite":
        return  # the rest are text to SQLite: they come back as they went in
    assert row["n"] == "12345678901234567.123456"
    assert row["d"] == "2024-02-29"
    assert row["ts"] == "2024-03-05T10:20:30.123456"
    assert row["j"] == {"name": "Ада", "items": [1, 2.5, None, True]}
    assert row["js"] == [{"a": 1}]
    if server.kind == "postgresql":
        assert row["ok"] is True
        instant = datetime.fromisoformat(row["tz"])
        assert instant.utcoffset() is not None  # the zone is kept...
        assert instant == datetime.fromisoformat("2024-03-05T07:20:30.500+00:00")  # ...and right
    else:
        assert row["tz"] == "2024-03-05T07:20:30.500000"  # no zone in MySQL's types


def test_postgresql_specific_values(pg_ctx: ComponentContext) -> None:
    row = query(
        pg_ctx,
        "SELECT 'NaN'::float8 AS nan, '1e400'::numeric AS huge, 0.10::numeric(5,2) AS money, "
        "'2024-01-02'::date + interval '1 day 2 hours 3.5 seconds' - '2024-01-02'::date AS span, "
        "'10:30:00+02'::timetz AS clock, ARRAY[1, 2, NULL] AS list, "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, '192.168.0.1/24'::inet AS net",
    )["rows"][0]
    assert row == {
        "nan": "NaN",
        "huge": "1" + "0" * 400,
        "money": "0.10",
        "span": "P1DT2H3.5S",
        "clock": "10:30:00+02:00",
        "list": [1, 2, None],
        "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "net": "192.168.0.1/24",
    }


def test_mysql_specific_values(my_ctx: ComponentContext) -> None:
    table = unique_name()
    query(my_ctx, f"CREATE TABLE {table} (j json, plain longtext, t time)")
    try:
        query(my_ctx, f"INSERT INTO {table} VALUES ('[1, {{\"a\": null}}]', '[1]', '-838:59:59')")
        row = query(my_ctx, f"SELECT j, plain, t, j AS renamed FROM {table}")["rows"][0]
    finally:
        query(my_ctx, f"DROP TABLE {table}")
    # A JSON column is LONGTEXT with a json_valid check to MariaDB; a text column stays text.
    assert row == {
        "j": [1, {"a": None}],
        "plain": "[1]",
        "t": "-838:59:59",
        "renamed": [1, {"a": None}],
    }


# --- placeholders --------------------------------------------------------------------------


def test_both_placeholders_are_bound_and_an_injection_stays_data(
    ctx: ComponentContext, table: str
) -> None:
    query(ctx, f"CREATE TABLE {table} (id integer PRIMARY KEY, name varchar(200))")
    for number, text in enumerate(
        [
            f"INSERT INTO {table} VALUES (:id, :name)",
            f"INSERT INTO {table} VALUES (${{id}}, ${{name}})",
            f"INSERT INTO {table} VALUES (${{id}}, '${{name}}')",  # quoted, as people write it
        ]
    ):
        query(ctx, text, parameters={"id": number, "name": INJECTION})
    found = query(
        ctx,
        f"SELECT id, name FROM {table} WHERE name = :name OR name = '${{name}}' ORDER BY id",
        parameters={"name": INJECTION},
    )
    assert found["rows"] == [{"id": n, "name": INJECTION} for n in range(3)]
    # The table the injection named to drop is not even there; the one it aimed at still is.
    assert query(ctx, f"SELECT count(*) AS n FROM {table}")["rows"] == [{"n": 3}]


def test_a_dotted_variable_and_a_list(ctx: ComponentContext, server: Server, table: str) -> None:
    query(ctx, f"CREATE TABLE {table} (id integer PRIMARY KEY, name varchar(20))")
    for n in range(5):
        query(
            ctx,
            f"INSERT INTO {table} VALUES (:n, ${{order.name}})",
            parameters={"n": n, "order": {"name": f"n{n}"}},
        )
    where = {"postgresql": "id = ANY(:ids)", "mysql": "id IN :ids", "sqlite": None}[server.kind]
    if where is None:
        where = "id IN (SELECT value FROM json_each(:ids))"  # SQLite: a list is JSON text
    rows = query(
        ctx, f"SELECT name FROM {table} WHERE {where} ORDER BY id", parameters={"ids": [1, 3]}
    )["rows"]
    assert rows == [{"name": "n1"}, {"name": "n3"}]


def test_a_placeholder_without_a_value_is_named(ctx: ComponentContext) -> None:
    failed = failure(
        ctx,
        connection="db",
        query="SELECT :given AS a, ${customer.id} AS b, :absent AS c",
        parameters={"given": 1, "customer": {"name": "x"}},
    )
    assert failed.code == "sql.parameters"
    assert "${customer.id}" in failed.message and ":absent" in failed.message
    assert ":given" not in failed.message


def test_row_limit_keeps_the_first_rows_and_says_so(ctx: ComponentContext, table: str) -> None:
    query(ctx, f"CREATE TABLE {table} (id integer PRIMARY KEY)")
    for n in range(25):
        query(ctx, f"INSERT INTO {table} VALUES (:n)", parameters={"n": n})
    limited = query(ctx, f"SELECT id FROM {table} ORDER BY id", rowLimit=10)
    assert limited["rows"] == [{"id": n} for n in range(10)]
    assert (limited["rowCount"], limited["truncated"]) == (10, True)
    exact = query(ctx, f"SELECT id FROM {table} ORDER BY id", rowLimit=25)
    assert (exact["rowCount"], exact["truncated"]) == (25, False)
    changed = query(ctx, f"UPDATE {table} SET id = id + 100 WHERE id < 7")
    assert changed == {"rows": [], "rowCount": 7, "truncated": False}


# --- errors --------------------------------------------------------------------------------

SERVER_WORDS = {
    "syntax": {
        "postgresql": "syntax error",
        "mysql": "error in your SQL syntax",
        "sqlite": "syntax error",
    },
    "duplicate": {
        "postgresql": "duplicate key value",
        "mysql": "Duplicate entry",
        "sqlite": "UNIQUE constraint failed",
    },
    "timeout": {
        "postgresql": "statement timeout",
        "mysql": "max_statement_time exceeded",
        "sqlite": "interrupted",
    },
}
SLOW = {
    "postgresql": "SELECT pg_sleep(5)",
    "mysql": "SELECT SLEEP(5)",
    # SQLite has no sleep: a query that counts for ever.
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c",
}


def test_a_syntax_error(server: Server, ctx: ComponentContext) -> None:
    failed = failure(ctx, connection="db", query="SELEKT 1")
    assert failed.code == "sql.syntax"
    assert SERVER_WORDS["syntax"][server.kind] in failed.message
    assert failed.message.startswith("connection 'db': ")


def test_an_unknown_table_is_a_syntax_error(ctx: ComponentContext) -> None:
    assert (
        failure(ctx, connection="db", query=f"SELECT * FROM {unique_name()}").code == "sql.syntax"
    )


def test_a_duplicate_key(server: Server, ctx: ComponentContext, table: str) -> None:
    query(ctx, f"CREATE TABLE {table} (id integer PRIMARY KEY)")
    query(ctx, f"INSERT INTO {table} VALUES (1)")
    failed = failure(
        ctx, connection="db", query=f"INSERT INTO {table} VALUES (:id)", parameters={"id": 1}
    )
    assert failed.code == "sql.constraint"
    assert SERVER_WORDS["duplicate"][server.kind] in failed.message


def test_a_statement_timeout(server: Server, ctx: ComponentContext) -> None:
    failed = failure(ctx, connection="db", query=SLOW[server.kind], timeoutSeconds=1)
    assert failed.code == "sql.timeout"
    assert SERVER_WORDS["timeout"][server.kind] in failed.message
    # The pooled connection is usable again, with the timeout of the next call.
    assert query(ctx, "SELECT 1 AS one", timeoutSeconds=5)["rows"] == [{"one": 1}]


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_connection_refused_names_the_connection_not_the_password(scheme: str) -> None:
    port = free_port()
    ctx = context({"down": f"{scheme}://postgres:{PASSWORD}@127.0.0.1:{port}/test"})
    failed = failure(ctx, connection="down", query="SELECT 1")
    assert failed.code == "sql.connection"
    assert failed.message.startswith("connection 'down': ")
    assert "refused" in failed.message.lower() or "can't connect" in failed.message.lower()
    assert PASSWORD not in failed.message


def test_a_wrong_password_is_a_connection_error_without_the_password() -> None:
    require("127.0.0.1", 3306, "MariaDB")
    ctx = context({"crm": f"mysql://root:{PASSWORD}@127.0.0.1:3306/test"})
    failed = failure(ctx, connection="crm", query="SELECT 1")
    assert failed.code == "sql.connection"
    assert "Access denied" in failed.message
    assert PASSWORD not in failed.message and "Пароль" not in failed.message


def test_an_unknown_connection(ctx: ComponentContext) -> None:
    failed = failure(ctx, connection="nowhere", query="SELECT 1")
    assert (failed.code, failed.message) == ("sql.connection", "there is no connection 'nowhere'")


def test_a_password_given_inline_never_shows_in_input_errors() -> None:
    with pytest.raises(ComponentInputInvalid) as caught:
        run_query(
            context({}), host="db.example.com", password=PASSWORD, query="SELECT 1", rowLimit="many"
        )
    assert "rowLimit" in caught.value.message
    assert PASSWORD not in caught.value.message


# --- not waited for --------------------------------------------------------------------------


def test_wait_false_returns_at_once_and_the_statement_runs(
    ctx: ComponentContext, table: str
) -> None:
    query(ctx, f"CREATE TABLE {table} (id integer PRIMARY KEY)")
    started = query(ctx, f"INSERT INTO {table} VALUES (:id)", parameters={"id": 7}, wait=False)
    assert started == {"rows": [], "rowCount": None, "truncated": False}
    assert BACKGROUND.join(timeout=30)
    assert query(ctx, f"SELECT id FROM {table}")["rows"] == [{"id": 7}]


def test_wait_false_logs_a_failure_nobody_can_catch(
    ctx: ComponentContext, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="automations.components.sql_query"):
        query(ctx, "SELEKT 1", wait=False)
        assert BACKGROUND.join(timeout=30)
    assert "sql.syntax" in caplog.text


def test_wait_false_still_fails_at_once_on_a_missing_placeholder(ctx: ComponentContext) -> None:
    failed = failure(ctx, connection="db", query="SELECT :x", wait=False)
    assert failed.code == "sql.parameters"


def test_wait_false_hands_the_call_to_the_background_service(server: Server) -> None:
    submitted: list[tuple[str, dict[str, Any]]] = []

    class Calls:
        def submit(self, component: str, inputs: dict[str, Any]) -> None:
            submitted.append((component, dict(inputs)))

    ctx = context({"db": server.url}, background=Calls())
    assert query(ctx, "SELECT :a", parameters={"a": 1}, wait=False)["rowCount"] is None
    assert submitted == [
        (
            "sql.query",
            {
                "connection": "db",
                "databaseType": "postgresql",
                "query": "SELECT :a",
                "parameters": {"a": 1},
                "rowLimit": 1000,
                "timeoutSeconds": 30.0,
                "wait": True,
            },
        )
    ]
