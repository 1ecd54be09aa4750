"""Connections to outside servers: a database or a mail server, named by the operator or given
by the scenario itself.

A named connection is a URL the operator configured (`ports.Connections`, reached at
`ComponentContext.services["connections"]`): `postgresql://user:password@host:5432/db`,
`mysql://...` (MariaDB too), `sqlite:///relative/path` or `sqlite:////absolute/path`,
`mssql://...`, `oracle://host:1521/service`, `smtp://` / `smtps://`, `imap://` / `imaps://`.
`postgres://`, `mariadb://` and SQLAlchemy's `dialect+driver://` spellings are read too; user
and password are percent-decoded, query parameters kept as options. The operator's servers are
trusted: the components do not pass them through the address guard.

A scenario may instead give the server itself (host, port, user, password, as the product
allows): the component builds the `Connection` and checks its host with `address_guard` before
connecting, to the checked address.

A `Connection` never shows its password: not in `repr`, not in `str` (the URL with `***`), and
`redact` takes it out of a driver's message before that message becomes an error. Errors name
the connection, never its URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext

SERVICE_KEY = "connections"

# Scheme -> its default port (None: a file, or the driver's own default).
SCHEMES: dict[str, int | None] = {
    "postgresql": 5432,
    "mysql": 3306,
    "sqlite": None,
    "mssql": 1433,
    "oracle": 1521,
    "smtp": 587,
    "smtps": 465,
    "imap": 143,
    "imaps": 993,
}
SQL_SCHEMES = ("postgresql", "mysql", "sqlite", "mssql", "oracle")
_ALIASES = {"postgres": "postgresql", "mariadb": "mysql", "sqlserver": "mssql"}
# The error code of a connection problem, by the kind of component that asked.
_CODES = {"sql": "sql.connection", "mail": "mail.connection"}
_MAIL_SCHEMES = frozenset({"smtp", "smtps", "imap", "imaps"})

REDACTED = "***"


class ConnectionInvalid(ValueError):
    """A connection's URL cannot be used; `message` names the connection, never the URL."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Connection:
    """A server to connect to, parsed. `database` is the database (or Oracle service) name, or
    the file path of an `sqlite` connection; `options` are the URL's query parameters."""

    scheme: str
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    database: str = ""
    options: tuple[tuple[str, str], ...] = ()
    # The operator's name for it; "" when the scenario gave the server itself.
    name: str = ""

    @property
    def named(self) -> bool:
        return bool(self.name)

    @property
    def effective_port(self) -> int | None:
        return self.port or SCHEMES.get(self.scheme)

    @property
    def label(self) -> str:
        """How messages name it: `connection 'crm'`, or the server a scenario gave."""
        if self.name:
            return f"connection {self.name!r}"
        if self.scheme == "sqlite":
            return "the SQLite database"
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme} server {self.host}{port}"

    def url(self, *, with_password: bool = False) -> str:
        """The URL again; the password as `***` unless asked for."""
        if self.scheme == "sqlite":
            return f"sqlite:///{self.database}"
        auth = ""
        if self.user or self.password:
            auth = quote(self.user, safe="")
            if self.password:
                secret = quote(self.password, safe="") if with_password else REDACTED
                auth += f":{secret}"
            auth += "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port else ""
        path = f"/{quote(self.database, safe='')}" if self.database else ""
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.options)
        return f"{self.scheme}://{auth}{host}{port}{path}{'?' + query if query else ''}"

    def __str__(self) -> str:
        return self.url()

    def redact(self, text: str) -> str:
        """`text` (a driver's message, say) with this connection's password taken out, as
        written and as a URL would carry it."""
        if not self.password:
            return text
        for form in sorted({self.password, quote(self.password, safe="")}, key=len, reverse=True):
            text = text.replace(form, REDACTED)
        return text


def parse_connection(url: str, name: str = "") -> Connection:
    """Read a connection URL; ConnectionInvalid (naming `name`, not the URL) when it is not one."""
    what = f"connection {name!r}" if name else "the connection string"
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", url.strip())
    if match is None:
        raise ConnectionInvalid(f"{what} is not a URL (scheme://...)")
    scheme = match.group(1).lower().split("+", 1)[0]  # postgresql+psycopg: the dialect
    scheme = _ALIASES.get(scheme, scheme)
    if scheme not in SCHEMES:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise ConnectionInvalid(f"{what} has the unknown scheme {scheme}:// (known: {known})")
    rest = url.strip()[match.end() :]
    if scheme == "sqlite":
        return _sqlite(rest, name, what)
    # The user info ends at the last @: a password written without percent-encoding (with a
    # / or an @ in it) is still read as the operator meant it.
    before_query, _, query = rest.partition("?")
    userinfo, at, place = before_query.rpartition("@")
    user, _, password = userinfo.partition(":") if at else ("", "", "")
    try:
        parts = urlsplit(f"//{place}")
        port = parts.port
    except ValueError:
        raise ConnectionInvalid(f"{what} has an invalid host or port") from None
    if not parts.hostname:
        raise ConnectionInvalid(f"{what} names no host")
    return Connection(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        user=unquote(user),
        password=unquote(password),
        database=unquote(parts.path.lstrip("/")),
        options=_options(query),
        name=name,
    )


def _sqlite(rest: str, name: str, what: str) -> Connection:
    # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy writes them.
    path, _, query = rest.partition("?")
    if not path.startswith("/") or path == "/":
        raise ConnectionInvalid(f"{what} must be sqlite:///path/to/file.db")
    return Connection(
        scheme="sqlite", database=unquote(path[1:]), options=_options(query), name=name
    )


def _options(query: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for item in query.split("&"):
        if item:
            key, _, value = item.partition("=")
            pairs.append((unquote(key.replace("+", " ")), unquote(value.replace("+", " "))))
    return tuple(pairs)


def with_password(url: str, password: str) -> str:
    """`url` with its password set to `password` (percent-encoded), for an adapter that keeps a
    connection's password apart from its URL (a secret)."""
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)(.*)$", url.strip(), re.DOTALL)
    if match is None:
        raise ConnectionInvalid("the connection is not a URL (scheme://...)")
    head, authority, tail = match.groups()
    userinfo, at, hostport = authority.rpartition("@")
    user = userinfo.split(":", 1)[0] if at else ""
    return f"{head}{user}:{quote(password, safe='')}@{hostport}{tail}"


def connection_of(
    ctx: ComponentContext,
    name: str | None,
    inline: Connection | None,
    schemes: Sequence[str],
    *,
    code: str | None = None,
) -> Connection:
    """The connection a component is to use: the operator's connection `name`, or else `inline`
    (the server the scenario gave; the caller passes its host through the address guard).

    Fails with `code` (by default `sql.connection` or `mail.connection`, after `schemes`) when
    the name is unknown, its URL cannot be read, or it is not one of `schemes`.
    """
    failure = code or _code_of(schemes)
    if name is None:
        if inline is None:
            raise ComponentFailed(failure, "no connection: name one in `connection`")
        if inline.scheme not in schemes:
            raise ComponentFailed(failure, f"{inline.label} is not one of {_listed(schemes)}")
        return inline
    connections: Any = ctx.services.get(SERVICE_KEY)
    try:
        url = None if connections is None else connections.get(name)
    except Exception as exc:  # a secret store that cannot be read: say which connection
        raise ComponentFailed(failure, f"cannot read connection {name!r}: {exc}") from None
    if url is None:
        raise ComponentFailed(failure, f"there is no connection {name!r}")
    try:
        connection = _parsed(url, name)
    except ConnectionInvalid as invalid:
        raise ComponentFailed(failure, invalid.message) from None
    if connection.scheme not in schemes:
        raise ComponentFailed(
            failure,
            f"connection {name!r} is a {connection.scheme}:// connection; "
            f"this component needs {_listed(schemes)}",
        )
    return connection


# A named connection is read on every call: parse each URL once (a failure is not kept).
_parsed = lru_cache(maxsize=256)(parse_connection)


def _code_of(schemes: Sequence[str]) -> str:
    family = "mail" if any(s in _MAIL_SCHEMES for s in schemes) else "sql"
    return _CODES[family]


def _listed(schemes: Sequence[str]) -> str:
    return " or ".join(f"{s}://" for s in schemes)
