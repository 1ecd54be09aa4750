"""The database servers the `sql.query` tests run against: this machine's PostgreSQL
(127.0.0.1:5432, trust, database `test`) and MariaDB (127.0.0.1:3306, root without password,
database `test`), and SQLite files made per test.

A server that does not answer skips its tests with the reason, or fails them under
AUTOMATIONS_REQUIRE_CONFORMANCE=1 (as in CI). Each test makes its own uniquely named tables
(`unique_name`) and drops them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from automations.components import invoke, registry
from automations.components.connections import SERVICE_KEY
from automations.components.registry import ComponentContext

REQUIRE_ENV = "AUTOMATIONS_REQUIRE_CONFORMANCE"
POSTGRESQL_URL = "postgresql://postgres@127.0.0.1:5432/test"
MARIADB_URL = "mysql://root@127.0.0.1:3306/test"


@dataclass(frozen=True)
class Server:
    """A server under test: its kind, the operator's URL for it, where it listens."""

    kind: str  # postgresql | mysql | sqlite
    url: str
    host: str = "127.0.0.1"
    port: int = 0


class DictConnections:
    """The Connections port over a mapping (what `AUTOMATIONS_CONNECTIONS` gives locally)."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)

    def get(self, name: str) -> str | None:
        return self._table.get(name)


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require(host: str, port: int, what: str) -> None:
    """Skip (or fail under AUTOMATIONS_REQUIRE_CONFORMANCE=1) when `what` does not listen."""
    if listening(host, port):
        return
    reason = f"{what} does not answer on {host}:{port}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def context(connections: Mapping[str, str], **services: Any) -> ComponentContext:
    return ComponentContext(
        process_id="p-sql",
        element_id="Query",
        services={SERVICE_KEY: DictConnections(connections), **services},
    )


def run_query(ctx: ComponentContext, **inputs: Any) -> Any:
    """`sql.query` called as the engine calls it: validated inputs, the result as JSON data."""
    spec = registry.get("sql.query")
    return invoke.run(spec, invoke.parse_input(spec, inputs), ctx)
