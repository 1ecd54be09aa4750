"""`sql.query`'s engines: one SQLAlchemy engine (and its bounded pool) per server and
credentials, kept for the life of the process (the dev server, a Lambda container).

Each pool holds at most `AUTOMATIONS_SQL_POOL_SIZE` connections (5 by default; no overflow), so
many processes querying at once wait for a free connection rather than open one each; a call
that waits more than `POOL_WAIT_SECONDS` for one fails with `sql.timeout`, and connecting gives
up after `CONNECT_TIMEOUT_SECONDS`. A connection that sat unused in the pool for
more than `IDLE_PING_SECONDS` is checked before use (a Lambda container thawed after an hour
holds connections the server closed; a ping on every call would double a busy pool's round
trips) and replaced when it is dead; connections are renewed after 30 minutes. At most
`MAX_ENGINES` engines are kept, the least recently used closed first (the servers scenarios
give inline are unbounded in number).

A statement runs in autocommit: it is its own transaction, committed when it succeeds, so a
call is one round trip. The statement timeout is set on the session, and again only when it
changes: `statement_timeout` on PostgreSQL, `max_statement_time` on MariaDB,
`MAX_EXECUTION_TIME` on MySQL (which bounds SELECTs only), a progress handler on SQLite, the
call timeout on Oracle. SQL Server's driver has no per-call timeout: there the pool's wait is
bounded, the statement is not.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection as SAConnection
from sqlalchemy.engine import Engine

from automations.components.connections import Connection

POOL_SIZE_ENV = "AUTOMATIONS_SQL_POOL_SIZE"
DEFAULT_POOL_SIZE = 5
MAX_ENGINES = 32
RECYCLE_SECONDS = 1800
POOL_WAIT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 10
IDLE_PING_SECONDS = 10.0
_RETURNED_KEY = "automations.returned_at"
_TIMEOUT_KEY = "automations.statement_timeout"

_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "sqlite": "sqlite+pysqlite",
    "mssql": "mssql+pymssql",
    "oracle": "oracle+oracledb",
}
_EXTRAS = {"mssql": "mssql", "oracle": "oracle"}


class DriverMissing(RuntimeError):
    """The optional driver of a connection's database is not installed."""


@dataclass(frozen=True, slots=True)
class Target:
    """What an engine is for: the connection, and the checked address to dial (None: dial the
    connection's host, the operator's own)."""

    connection: Connection
    address: str | None = None


def pool_size(environ: dict[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get(POOL_SIZE_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_POOL_SIZE


class Engines:
    """The engines of this process, by target (thread-safe)."""

    def __init__(self) -> None:
        self._engines: OrderedDict[Target, Engine] = OrderedDict()
        self._lock = threading.Lock()
        # MariaDB's JSON columns, by (schema, table): the driver cannot tell them from text.
        self.json_columns: dict[tuple[Target, str, str], frozenset[str]] = {}

    def get(self, target: Target) -> Engine:
        with self._lock:
            engine = self._engines.get(target)
            if engine is not None:
                self._engines.move_to_end(target)
                return engine
            engine = _create(target)
            self._engines[target] = engine
            while len(self._engines) > MAX_ENGINES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose(close=True)
            return engine

    def dispose(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose(close=True)
            self._engines.clear()
            self.json_columns.clear()


ENGINES = Engines()


def _create(target: Target) -> Engine:
    connection = target.connection
    scheme = connection.scheme
    driver = _DRIVERS[scheme]
    options = dict(connection.options)
    connect_args: dict[str, Any] = {}
    host = connection.host or None
    seconds = CONNECT_TIMEOUT_SECONDS
    if scheme == "postgresql":
        connect_args["connect_timeout"] = seconds
        if target.address:  # TLS still checks the certificate against `host`
            connect_args["hostaddr"] = target.address
    elif scheme == "mysql":
        connect_args["connect_timeout"] = seconds
        options.setdefault("charset", "utf8mb4")
        if target.address:
            host = target.address
        if connection.password:  # pymysql would encode a text password as Latin-1
            connect_args["password"] = connection.password.encode("utf-8")
    elif scheme == "sqlite":
        connect_args["timeout"] = seconds  # waiting for another writer's lock
    elif target.address:
        host = target.address
    url = sqlalchemy.URL.create(
        driver,
        username=connection.user or None,
        password=(connection.password or None) if "password" not in connect_args else None,
        host=None if scheme == "sqlite" else host,
        port=None if scheme == "sqlite" else connection.port,
        database=connection.database or None,
        query=options,
    )
    try:
        engine = sqlalchemy.create_engine(
            url,
            pool_size=pool_size(),
            max_overflow=0,
            pool_timeout=POOL_WAIT_SECONDS,
            pool_recycle=RECYCLE_SECONDS,
            isolation_level="AUTOCOMMIT",
            connect_args=connect_args,
        )
    except (ImportError, sa_exc.NoSuchModuleError):
        extra = _EXTRAS.get(scheme, scheme)
        raise DriverMissing(
            f"{scheme}:// connections need a driver this installation lacks "
            f"(install automations[{extra}])"
        ) from None
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a connection that waited in the pool for a while before handing it out; a dead one
    is replaced (SQLAlchemy's pool reconnects on DisconnectionError)."""
    dialect = engine.dialect

    @sqlalchemy.event.listens_for(engine, "checkin")
    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_KEY] = time.monotonic()

    @sqlalchemy.event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_KEY)
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_SECONDS:
            return  # new, or used a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception:  # the driver's own error for a closed socket
            alive = False
        if not alive:
            raise sa_exc.DisconnectionError("the pooled connection was closed by the server")


def set_statement_timeout(conn: SAConnection, seconds: float) -> Callable[[], None]:
    """Bound the next statement on `conn` to `seconds`; returns what undoes a per-call setting
    (SQLite's handler) once the statement is done."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return _sqlite_deadline(conn, seconds)
    if dialect == "oracle":
        conn.connection.dbapi_connection.call_timeout = int(seconds * 1000)  # type: ignore[union-attr]
        return _nothing
    if conn.info.get(_TIMEOUT_KEY) == seconds:
        return _nothing
    milliseconds = max(1, int(seconds * 1000))
    if dialect == "postgresql":
        conn.exec_driver_sql(f"SET statement_timeout = {milliseconds}")
    elif dialect == "mysql":
        if getattr(conn.dialect, "is_mariadb", False):
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {seconds:.3f}")
        else:
            conn.exec_driver_sql(f"SET SESSION MAX_EXECUTION_TIME = {milliseconds}")
    else:
        return _nothing
    conn.info[_TIMEOUT_KEY] = seconds
    return _nothing


def _nothing() -> None:
    return None


def _sqlite_deadline(conn: SAConnection, seconds: float) -> Callable[[], None]:
    raw: Any = conn.connection.dbapi_connection
    deadline = time.monotonic() + seconds

    def over() -> int:
        return 1 if time.monotonic() > deadline else 0  # non-zero: SQLite interrupts

    raw.set_progress_handler(over, 1000)

    def clear() -> None:
        raw.set_progress_handler(None, 0)

    return clear
