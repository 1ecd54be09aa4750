"""`sql.query`: run one SQL statement on an outside database (the product's "SQL-запрос").

Inputs:
- `connection`: the name of a connection the operator configured (`AUTOMATIONS_CONNECTIONS`
  locally, a Secrets Manager secret on AWS: see `connections`), or a connection string
  (`postgresql://user:password@host:5432/db`, the product's "строка подключения").
- Or the server itself, as the product's "параметры": `databaseType` (postgresql, the
  default; mysql, which is MariaDB too; mssql; oracle), `host` (may end in `:port`), `port`,
  `database`, `user`, `password`. A server given so, or by a connection string, must pass the
  address guard (`address_guard`: no loopback or private address unless the operator allows
  it), and the call connects to the very address that was checked; its connection string may
  carry only options that cannot aim the driver elsewhere (`_INLINE_OPTIONS`). SQLite is
  reachable only through a named connection (a scenario may not open a file of the server).
- `query` (required): one statement, with named `:name` placeholders and the product's
  `${name}` placeholders, both bound as parameters, never spliced into the text
  (`sql_placeholders`).
- `parameters`: the placeholders' values (an object; a `${a.b}` placeholder looks up a path).
- `rowLimit` (default 1,000, at most 100,000): rows kept of a result; more are not returned
  and `truncated` is true (the driver still reads the server's whole answer: put a LIMIT in the
  query for a big table).
- `timeoutSeconds` (default 30, at most 870): the statement's timeout, set on the server.
- `wait` (default true). False: fire and forget. The statement is checked (connection,
  placeholders) and started, and the call returns at once with `{rows: [], rowCount: null}`;
  the statement runs on (on a thread of this process; on AWS, the component's own function
  invoked asynchronously) and its failure is logged, not raised: nobody is there to catch it.

Result: `{rows: [{column: value}], rowCount, truncated}`: for a statement that returns rows,
`rowCount` is the number of rows returned; for one that does not (INSERT, UPDATE...), the number
of rows it changed. Each statement is its own transaction, committed when it succeeds. Values
as `sql_values` says: numbers stay numbers, numeric/decimal exact strings, dates and timestamps
ISO 8601 (with the zone where the column has one), JSON parsed, bytes base64, NULL null. Two
columns of the same name: the last one wins (name them apart with AS).

Error codes (what boundary events and `auto:retry` can name), each with the server's message:
- `sql.connection`: unknown connection, unreadable connection URL, the server cannot be
  reached or refuses the login, the connection was lost during the statement, no driver for
  the database.
- `sql.syntax`: the server cannot read the statement, or a table or column does not exist.
- `sql.constraint`: a unique key, foreign key, NOT NULL or CHECK constraint refused a change.
- `sql.timeout`: the statement ran past `timeoutSeconds`, a lock did not come in time, or no
  pooled connection was free in time.
- `sql.parameters`: a placeholder has no value in `parameters` (named in the message).
- `sql.forbidden_address`: the server given by the scenario is not a public address, is an
  SQLite file, or its connection string has an option that is not allowed.
- `sql.failed`: any other refusal of the server (a value that does not fit its column, a
  permission the user lacks, a deadlock...).

Secrets: a connection's password never appears in results, logs or errors: messages name the
connection and have its password taken out of the driver's text.
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection as SAConnection
from sqlalchemy.engine import Engine

from automations.components import address_guard
from automations.components.connections import (
    SQL_SCHEMES,
    Connection,
    ConnectionInvalid,
    connection_of,
    parse_connection,
)
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.components.sql_engines import (
    ENGINES,
    DriverMissing,
    Target,
    pool_size,
    set_statement_timeout,
)
from automations.components.sql_errors import (
    CONNECTION,
    ERRORS,
    FAILED,
    FORBIDDEN_ADDRESS,
    PARAMETERS,
    TIMEOUT,
    code_of,
    server_message,
)
from automations.components.sql_placeholders import PlaceholderMissing, template_of
from automations.components.sql_values import row_converter, to_database

NAME = "sql.query"
BACKGROUND_KEY = "background"
MAX_ROW_LIMIT = 100_000
# A Lambda runs 900 s at most: connecting and answering need the rest.
MAX_TIMEOUT_SECONDS = 870.0
MAX_PENDING = 1000  # statements not waited for, queued in this process

log = logging.getLogger(__name__)

_TYPES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mssql": "mssql",
    "sqlserver": "mssql",
    "oracle": "oracle",
}
_INLINE_SCHEMES = ("postgresql", "mysql", "mssql", "oracle")
# The URL options a server given by the scenario may carry. Others could aim the driver past the
# checked address or at the server's own files (libpq's `host`/`hostaddr`/`service`/`sslkey`,
# pymysql's `unix_socket`/`local_infile`/`read_default_file`); an operator's connection may.
_INLINE_OPTIONS: dict[str, frozenset[str]] = {
    "postgresql": frozenset({"sslmode", "application_name"}),
    "mysql": frozenset({"charset"}),
    "mssql": frozenset(),
    "oracle": frozenset({"service_name"}),
}
_MYSQL_JSON = 245  # MySQL's JSON column type
_MARIADB_TEXT_TYPES = {249, 250, 251, 252, 253}  # blob/text kinds a MariaDB JSON column reports
_BINARY_FLAG = 128
_BINARY_CHARSET = 63
_JSON_VALID = re.compile(r"json_valid\(`((?:[^`]|``)+)`\)", re.IGNORECASE)


class SqlQueryInput(BaseModel):
    """What `sql.query` takes; see the module docstring for each field."""

    # Errors never repeat a value given: one of them may be the password.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    # camelCase on purpose: field names are the `auto:input` names a scenario writes.
    connection: str | None = Field(default=None, min_length=1, max_length=4096, repr=False)
    databaseType: str = "postgresql"
    host: str | None = Field(default=None, min_length=1, max_length=260)
    port: int | None = Field(default=None, ge=1, le=65535)
    database: str | None = Field(default=None, max_length=256)
    user: str | None = Field(default=None, max_length=256)
    password: str | None = Field(default=None, max_length=4096, repr=False)
    query: str = Field(min_length=1, max_length=1_000_000)
    parameters: dict[str, Any] = Field(default_factory=dict)
    rowLimit: int = Field(default=1000, ge=1, le=MAX_ROW_LIMIT)
    timeoutSeconds: float = Field(default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS)
    wait: bool = True

    @field_validator("databaseType")
    @classmethod
    def _known_type(cls, value: str) -> str:
        known = _TYPES.get(value.strip().lower())
        if known is None:
            raise ValueError("must be postgresql, mysql (MariaDB too), mssql or oracle")
        return known

    @model_validator(mode="after")
    def _one_server(self) -> SqlQueryInput:
        if self.connection is not None and self.host is not None:
            raise ValueError("give `connection` or `host`, not both")
        if self.connection is None and self.host is None:
            raise ValueError("give `connection` (a configured name or a URL) or `host`")
        return self


class SqlQueryResult(BaseModel):
    """The rows (column -> value) and how many; `rowCount` is null when not waited for."""

    rows: list[dict[str, Any]] = Field(default_factory=list)
    rowCount: int | None = 0
    truncated: bool = False


# ---------------------------------------------------------------------------------------------
# Which server


def _target(params: SqlQueryInput, ctx: ComponentContext) -> Target:
    """The connection to use and, for a server the scenario gave, its checked address."""
    if params.connection is not None and "://" not in params.connection:
        return Target(connection_of(ctx, params.connection, None, SQL_SCHEMES, code=CONNECTION))
    inline = _inline(params)
    if inline.scheme == "sqlite":
        raise ComponentFailed(
            FORBIDDEN_ADDRESS,
            "an SQLite database can only be used through a connection the operator configured",
        )
    connection = connection_of(ctx, None, inline, _INLINE_SCHEMES, code=CONNECTION)
    unsafe = [key for key, _ in connection.options if key not in _INLINE_OPTIONS[inline.scheme]]
    if unsafe:
        allowed = ", ".join(sorted(_INLINE_OPTIONS[inline.scheme])) or "none"
        raise ComponentFailed(
            FORBIDDEN_ADDRESS,
            f"the connection string's option {unsafe[0]!r} is not allowed for a server the "
            f"scenario gives (allowed: {allowed}); the operator can configure a named connection",
        )
    port = connection.effective_port or 0
    try:
        addresses = address_guard.checked_addresses(
            connection.host, port, address_guard.policy_from_environment()
        )
    except address_guard.ForbiddenAddress as refused:
        raise ComponentFailed(FORBIDDEN_ADDRESS, refused.message) from None
    except address_guard.UnresolvedHost as unresolved:
        raise ComponentFailed(CONNECTION, unresolved.message) from None
    return Target(connection, str(addresses[0]))


def _inline(params: SqlQueryInput) -> Connection:
    if params.connection is not None:  # a connection string
        try:
            return parse_connection(params.connection)
        except ConnectionInvalid as invalid:
            raise ComponentFailed(CONNECTION, invalid.message) from None
    host, port = _host_and_port(params.host or "")
    return Connection(
        scheme=params.databaseType,
        host=host,
        port=params.port or port,
        user=params.user or "",
        password=params.password or "",
        database=params.database or "",
    )


def _host_and_port(text: str) -> tuple[str, int | None]:
    """`db.example.com`, `db.example.com:5432`, `[2001:db8::1]:5432` or a bare IPv6 address."""
    text = text.strip()
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(\d{1,5}))?", text)
    if bracketed:
        return bracketed.group(1), int(bracketed.group(2)) if bracketed.group(2) else None
    named = re.fullmatch(r"([^:]+):(\d{1,5})", text)
    if named:
        return named.group(1), int(named.group(2))
    return text, None


# ---------------------------------------------------------------------------------------------
# One statement


def _failure(code: str, target: Target, message: str) -> ComponentFailed:
    connection = target.connection
    return ComponentFailed(code, connection.redact(f"{connection.label}: {message}"))


def _engine(target: Target) -> Engine:
    try:
        return ENGINES.get(target)
    except DriverMissing as missing:
        raise _failure(CONNECTION, target, str(missing)) from None
    except (sa_exc.ArgumentError, ValueError) as exc:  # a URL option the driver refuses
        raise _failure(CONNECTION, target, f"cannot be used: {exc}") from None


def _bound(params: SqlQueryInput, engine: Engine, target: Target) -> tuple[str, Any]:
    dialect = engine.dialect
    template = template_of(params.query, dialect.name, dialect.paramstyle)
    try:
        values = template.bind(params.parameters)
    except PlaceholderMissing as missing:
        raise ComponentFailed(
            PARAMETERS,
            f"the query uses {', '.join(missing.names)} but `parameters` has no value for "
            f"{'it' if len(missing.names) == 1 else 'them'}",
        ) from None
    if isinstance(values, dict):
        return template.text, {k: to_database(v, dialect.name) for k, v in values.items()}
    return template.text, tuple(to_database(v, dialect.name) for v in values)


def _execute(params: SqlQueryInput, target: Target) -> SqlQueryResult:
    engine = _engine(target)
    text, values = _bound(params, engine, target)
    dialect = engine.dialect.name
    try:
        conn = engine.connect()
    except sa_exc.TimeoutError:
        raise _failure(
            TIMEOUT,
            target,
            f"all {pool_size()} pooled connections stayed busy; none was free in time",
        ) from None
    except sa_exc.DBAPIError as exc:
        raise _failure(CONNECTION, target, server_message(exc.orig or exc)) from None
    except (sa_exc.SQLAlchemyError, ValueError) as exc:  # a setting the driver cannot send
        raise _failure(CONNECTION, target, f"cannot be used: {exc}") from None
    with conn:
        try:
            undo = set_statement_timeout(conn, params.timeoutSeconds)
            try:
                return _rows(conn, target, text, values, params.rowLimit)
            finally:
                undo()
        except sa_exc.DBAPIError as exc:
            if exc.connection_invalidated:  # the pool drops it; a new one starts afresh
                code = CONNECTION
            else:
                conn.info.pop("automations.statement_timeout", None)
                code = code_of(exc.orig or exc, dialect, connecting=False)
            raise _failure(code, target, server_message(exc.orig or exc)) from None
        except sa_exc.SQLAlchemyError as exc:  # not the server's: a value the driver cannot send
            raise _failure(FAILED, target, str(exc).split("\n", 1)[0]) from None


def _rows(conn: SAConnection, target: Target, text: str, values: Any, limit: int) -> SqlQueryResult:
    result = conn.exec_driver_sql(text, values)
    try:
        if not result.returns_rows:
            return SqlQueryResult(rows=[], rowCount=max(result.rowcount, 0))
        keys = list(result.keys())
        cursor: Any = result.cursor
        raw = cursor.fetchmany(limit + 1)
        json_columns = _json_columns(conn, target, cursor)
    finally:
        result.close()
    convert = row_converter(len(keys), conn.dialect.name, json_columns)
    rows = [dict(zip(keys, convert(row), strict=True)) for row in raw[:limit]]
    return SqlQueryResult(rows=rows, rowCount=len(rows), truncated=len(raw) > limit)


def _json_columns(conn: SAConnection, target: Target, cursor: Any) -> frozenset[int]:
    """Positions of the JSON columns a MySQL/MariaDB driver hands over as text."""
    if conn.dialect.name != "mysql":
        return frozenset()
    found: set[int] = set()
    fields = getattr(getattr(cursor, "_result", None), "fields", None) or []
    for position, column in enumerate(fields):
        if column.type_code == _MYSQL_JSON or (
            column.type_code in _MARIADB_TEXT_TYPES
            and column.flags & _BINARY_FLAG  # JSON is utf8mb4_bin text to MariaDB
            and column.charsetnr != _BINARY_CHARSET
            and column.org_table
            and column.org_name in _mariadb_json_columns(conn, target, column)
        ):
            found.add(position)
    return frozenset(found)


def _mariadb_json_columns(conn: SAConnection, target: Target, column: Any) -> frozenset[str]:
    """MariaDB's JSON columns of a table: those with its automatic json_valid() check (its JSON
    is LONGTEXT to the protocol), looked up once per table."""
    schema = column.db.decode() if isinstance(column.db, bytes) else str(column.db)
    key = (target, schema, column.org_table)
    known = ENGINES.json_columns.get(key)
    if known is None:
        if len(ENGINES.json_columns) > 1000:
            ENGINES.json_columns.clear()
        rows = conn.exec_driver_sql(
            "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s",
            (schema, column.org_table),
        ).fetchall()
        known = frozenset(
            match.group(1).replace("``", "`")
            for (clause,) in rows
            for match in _JSON_VALID.finditer(str(clause))
        )
        ENGINES.json_columns[key] = known
    return known


# ---------------------------------------------------------------------------------------------
# Not waited for


class _Background:
    """Statements nobody waits for, run on threads of this process (at most the pool's size at
    once; more wait their turn in order)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pending = 0
        self._idle = threading.Condition(self._lock)

    def submit(self, params: SqlQueryInput, target: Target) -> None:
        with self._lock:
            if self._pending >= MAX_PENDING:  # a loop firing faster than the server answers
                raise _failure(
                    TIMEOUT, target, f"{MAX_PENDING} statements not waited for are still pending"
                )
            if self._executor is None:
                self._executor = ThreadPoolExecutor(pool_size(), thread_name_prefix="sql-query")
            self._pending += 1
            self._executor.submit(self._run, params, target)

    def _run(self, params: SqlQueryInput, target: Target) -> None:
        try:
            _execute(params, target)
        except ComponentFailed as failed:
            log.warning("sql.query (not waited for) failed: %s: %s", failed.code, failed.message)
        except Exception:  # a thread's crash would be lost: say it happened, without details
            log.exception("sql.query (not waited for) crashed on %s", target.connection.label)
        finally:
            with self._lock:
                self._pending -= 1
                self._idle.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no statement is pending (tests, shutdown); False if still busy."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


BACKGROUND = _Background()


def _fire(params: SqlQueryInput, ctx: ComponentContext, target: Target) -> SqlQueryResult:
    # Known problems (a missing placeholder, no driver) fail the call itself, not the thread.
    _bound(params, _engine(target), target)
    background = ctx.services.get(BACKGROUND_KEY)
    if background is not None:
        inputs = params.model_dump(exclude_none=True)
        inputs["wait"] = True
        try:
            background.submit(NAME, inputs)
        except Exception as exc:  # the invocation itself was refused (throttled, no right)
            log.warning("sql.query could not be started: %s", type(exc).__name__)
            raise _failure(FAILED, target, "the statement could not be started") from None
    else:
        BACKGROUND.submit(params, target)
    return SqlQueryResult(rows=[], rowCount=None)


def run(params: SqlQueryInput, ctx: ComponentContext) -> SqlQueryResult:
    """Run the statement (or start it, when not waited for) and return its rows."""
    target = _target(params, ctx)
    if not params.wait:
        return _fire(params, ctx, target)
    return _execute(params, target)


SPEC = register(
    ComponentSpec(
        name=NAME,
        input_model=SqlQueryInput,
        result_model=SqlQueryResult,
        errors=ERRORS,
        run=run,
        summary="Run one SQL statement on an outside database; placeholders are bound.",
    )
)
