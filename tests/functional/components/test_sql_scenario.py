"""`sql.query` in whole scenarios and against the operator's policy: the example run by
`automations run` on a connection of `AUTOMATIONS_CONNECTIONS` (JSON or a file) with its error
boundary catching `sql.syntax`; 50 processes at once sharing one bounded pool (counted on the
server); servers given by the scenario passing the address guard."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest

from automations.adapters.local.connections import VARIABLE
from automations.adapters.local.scenario_files import run_file
from automations.asl import ComponentResolver, Engine, RealClock
from automations.components import sql_engines
from automations.components.address_guard import ALLOW_HOSTS_ENV, ALLOW_PRIVATE_ENV
from automations.components.connections import SERVICE_KEY
from automations.components.errors import ComponentFailed
from automations.components.sql_engines import ENGINES, POOL_SIZE_ENV
from automations.service.scenarios import compile_bpmn
from support.bpmn_documents import chain, make_xml, task_with
from support.sql_servers import (
    MARIADB_URL,
    POSTGRESQL_URL,
    DictConnections,
    context,
    require,
    run_query,
    unique_name,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sql-customer-orders.bpmn"
POOL = 4
PROCESSES = 50


@pytest.fixture(autouse=True)
def fresh_engines() -> Iterator[None]:
    """Each test builds its pools (their size is read when an engine is made)."""
    ENGINES.dispose()
    yield
    ENGINES.dispose()


@pytest.fixture
def no_allowances(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.delenv(ALLOW_HOSTS_ENV, raising=False)


def crm_file(path: Path, *, with_orders: bool = True) -> Path:
    with sqlite3.connect(path) as db:
        if with_orders:
            db.execute(
                "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, total real, "
                "status text, placed_at text)"
            )
            db.executemany(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
                [
                    (1, 42, 100.0, "paid", "2024-05-01T10:00:00Z"),
                    (2, 42, 50.5, "new", "2024-05-02T11:30:00Z"),
                    (3, 42, 999.0, "cancelled", "2024-05-03T09:00:00Z"),
                    (4, 7, 10.0, "paid", "2024-05-04T09:00:00Z"),
                ],
            )
        else:
            db.execute("CREATE TABLE customers (id integer PRIMARY KEY)")
    return path


# --- the example, as `automations run` runs it -----------------------------------------------


def test_the_example_reads_a_connection_given_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = crm_file(tmp_path / "crm.db")
    monkeypatch.setenv(VARIABLE, json.dumps({"crm": f"sqlite:///{db}"}))
    run = run_file(EXAMPLE, {"customerId": 42})
    assert run.status == "completed", run
    assert run.output["orders"] == [
        {"id": 1, "total": 100.0, "placed_at": "2024-05-01T10:00:00Z"},
        {"id": 2, "total": 50.5, "placed_at": "2024-05-02T11:30:00Z"},
    ]
    assert run.output["summary"] == "Customer 42: 2 orders, 150.5 in total"
    assert run.output["lookupError"] is None


def test_the_example_catches_sql_syntax_with_its_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = crm_file(tmp_path / "crm.db", with_orders=False)
    settings = tmp_path / "connections.json"
    settings.write_text(json.dumps({"crm": f"sqlite:///{db}"}), encoding="utf-8")
    monkeypatch.setenv(VARIABLE, str(settings))  # the file form
    run = run_file(EXAMPLE, {"customerId": 42})
    assert run.status == "completed", run
    assert run.output["lookupError"] == "sql.syntax"
    assert run.output["summary"] == "Customer 42: orders not looked up (sql.syntax)"
    assert "QueryRefused" in run.trace and "Summarize" not in run.trace


def test_a_connection_whose_password_is_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require("127.0.0.1", 5432, "PostgreSQL")
    monkeypatch.setenv("AUTOMATIONS_SECRET_PG_PASSWORD", "not-needed-with-trust")
    monkeypatch.setenv(
        VARIABLE,
        json.dumps({"pg": {"url": POSTGRESQL_URL, "passwordSecret": "pg_password"}}),
    )
    scenario = _one_query_scenario(tmp_path, "pg", "SELECT :n + 1 AS answer")
    run = run_file(scenario, {"n": 41})
    assert run.status == "completed", run
    assert run.output["rows"] == [{"answer": 42}]


def _one_query_scenario(folder: Path, connection: str, query: str) -> Path:
    """A scenario file: one sql.query task whose rows land in `$rows`."""
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            task_with(
                "Query",
                '<auto:component type="sql.query"/>'
                f'<auto:input name="connection" value="{connection}"/>'
                f'<auto:input name="query" value="{query}"/>'
                '<auto:input name="parameters" value="{% {\'n\': $n} %}"/>'
                '<auto:output name="rows" value="{% $result.rows %}"/>',
                tag="serviceTask",
            ),
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Query", "End"),
        ]
    )
    path = folder / "one-query.bpmn"
    path.write_text(make_xml(body, process='id="one-query" isExecutable="true"'), "utf-8")
    return path


# --- many processes, one bounded pool ---------------------------------------------------------


def _parallel_runs(connections: dict[str, str], query: str, count: int) -> list[Any]:
    """`count` processes of a one-task scenario started at once in the embedded engine."""
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            task_with(
                "Query",
                '<auto:component type="sql.query"/>'
                '<auto:input name="connection" value="db"/>'
                f'<auto:input name="query" value="{query}"/>'
                '<auto:input name="timeoutSeconds" value="{% 20 %}"/>'
                '<auto:output name="seen" value="{% $result.rows[0].n %}"/>',
                tag="serviceTask",
            ),
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Query", "End"),
        ]
    )
    _, definition = compile_bpmn(make_xml(body, process='id="pool" isExecutable="true"'))
    resolver = ComponentResolver(services={SERVICE_KEY: DictConnections(connections)})

    async def all_at_once() -> list[Any]:
        loop = asyncio.get_running_loop()
        # As many threads as processes, so that only the pool can hold them back.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=count))
        engine = Engine(resolver, RealClock())
        runs = [engine.start(definition, {}, name=f"run-{i}") for i in range(count)]
        return list(await asyncio.gather(*runs))

    return asyncio.run(all_at_once())


def test_fifty_processes_share_a_bounded_postgresql_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    require("127.0.0.1", 5432, "PostgreSQL")
    monkeypatch.setenv(POOL_SIZE_ENV, str(POOL))
    app = unique_name("pool")
    runs = _parallel_runs(
        {"db": f"{POSTGRESQL_URL}?application_name={app}"},
        "SELECT pg_sleep(0.2), (SELECT count(*) FROM pg_stat_activity "
        f"WHERE application_name = '{app}') AS n",
        PROCESSES,
    )
    assert [run.status for run in runs] == ["SUCCEEDED"] * PROCESSES
    seen = [run.output["seen"] for run in runs]
    # Each statement saw the pool's connections on the server: never more than its size, and
    # the pool did fill (the processes really ran at once).
    assert max(seen) == POOL, seen
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as raw:
        left = raw.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (app,)
        ).fetchone()
    assert left is not None and left[0] <= POOL


def test_fifty_processes_share_a_bounded_mariadb_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    require("127.0.0.1", 3306, "MariaDB")
    monkeypatch.setenv(POOL_SIZE_ENV, str(POOL))
    database = unique_name("pool")
    admin = pymysql.connect(host="127.0.0.1", user="root", database="test", autocommit=True)
    try:
        admin.cursor().execute(f"CREATE DATABASE {database}")
        runs = _parallel_runs(
            {"db": f"mysql://root@127.0.0.1:3306/{database}"},
            "SELECT SLEEP(0.2) AS s, (SELECT COUNT(*) FROM information_schema.PROCESSLIST "
            "WHERE DB = DATABASE()) AS n",
            PROCESSES,
        )
        assert [run.status for run in runs] == ["SUCCEEDED"] * PROCESSES
        seen = [run.output["seen"] for run in runs]
        assert max(seen) == POOL, seen
    finally:
        ENGINES.dispose()
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {database}")
        admin.close()


def test_a_connection_the_server_closed_is_replaced_after_idling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require("127.0.0.1", 5432, "PostgreSQL")
    app = unique_name("idle")
    ctx = context({"db": f"{POSTGRESQL_URL}?application_name={app}"})

    def server_closes_it() -> None:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as raw:
            raw.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (app,),
            )

    monkeypatch.setattr(sql_engines, "IDLE_PING_SECONDS", 3600.0)
    run_query(ctx, connection="db", query="SELECT 1")
    server_closes_it()
    # Used a moment ago, so not checked: the closed connection fails this call...
    with pytest.raises(ComponentFailed) as caught:
        run_query(ctx, connection="db", query="SELECT 1")
    assert caught.value.code == "sql.connection"
    run_query(ctx, connection="db", query="SELECT 1")  # ...and is gone from the pool after it.
    monkeypatch.setattr(sql_engines, "IDLE_PING_SECONDS", 0.0)
    server_closes_it()
    # Idle past the limit: checked before use, replaced, and the call never sees it.
    assert run_query(ctx, connection="db", query="SELECT 2 AS n")["rows"] == [{"n": 2}]


# --- servers the scenario gives ---------------------------------------------------------------


def test_a_private_host_given_by_the_scenario_is_refused(no_allowances: None) -> None:
    for inputs in (
        {"host": "127.0.0.1:5432", "user": "postgres", "database": "test"},
        {"connection": "postgresql://postgres:secret-pw@10.1.2.3:5432/test"},
        {"host": "localhost", "databaseType": "mysql", "user": "root"},
    ):
        with pytest.raises(ComponentFailed) as caught:
            run_query(context({}), query="SELECT 1", **inputs)
        assert caught.value.code == "sql.forbidden_address", inputs
        assert "AUTOMATIONS_HTTP_ALLOW_HOSTS" in caught.value.message
        assert "secret-pw" not in caught.value.message


def test_an_allowed_host_is_connected_to(
    no_allowances: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    require("127.0.0.1", 5432, "PostgreSQL")
    require("127.0.0.1", 3306, "MariaDB")
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    pg = run_query(
        context({}), host="127.0.0.1", user="postgres", database="test", query="SELECT 1 AS one"
    )
    my = run_query(
        context({}),
        connection="mysql://root@127.0.0.1:3306/test",
        query="SELECT 2 AS two",
    )
    assert (pg["rows"], my["rows"]) == ([{"one": 1}], [{"two": 2}])


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@8.8.8.8/test?host=127.0.0.1",
        "postgresql://postgres@8.8.8.8/test?hostaddr=127.0.0.1",
        "postgresql://postgres@8.8.8.8/test?sslkey=/etc/shadow",
        "mysql://root@8.8.8.8/test?unix_socket=/run/mysqld/mysqld.sock",
        "mysql://root@8.8.8.8/test?local_infile=1",
    ],
)
def test_a_connection_string_cannot_aim_the_driver_elsewhere(url: str) -> None:
    with pytest.raises(ComponentFailed) as caught:
        run_query(context({}), connection=url, query="SELECT 1")
    assert caught.value.code == "sql.forbidden_address"
    assert "is not allowed for a server the scenario gives" in caught.value.message


def test_sqlite_only_through_the_operators_connection(tmp_path: Path) -> None:
    with pytest.raises(ComponentFailed) as caught:
        run_query(context({}), connection=f"sqlite:///{tmp_path / 'x.db'}", query="SELECT 1")
    assert caught.value.code == "sql.forbidden_address"
    assert not (tmp_path / "x.db").exists()


def test_the_operators_own_servers_are_not_checked(no_allowances: None) -> None:
    require("127.0.0.1", 5432, "PostgreSQL")
    result = run_query(context({"crm": POSTGRESQL_URL}), connection="crm", query="SELECT 3 AS n")
    assert result["rows"] == [{"n": 3}]


def test_mariadb_url_is_read_as_mysql() -> None:
    require("127.0.0.1", 3306, "MariaDB")
    url = MARIADB_URL.replace("mysql://", "mariadb://")
    result = run_query(context({"m": url}), connection="m", query="SELECT VERSION() AS v")
    assert "MariaDB" in result["rows"][0]["v"]
