"""What `mail.send` and `mail.receive` share: the server a call talks to, its TLS, its deadline
and the error codes both use.

A scenario names an operator's connection (`connection`, an `smtp://`, `smtps://`, `imap://` or
`imaps://` URL configured outside the scenario) or gives the server itself (`host`, `port`,
`user`, `password`): then the host passes the address guard of `http.request`, and the call
connects to the very address that was checked (the TLS server name and certificate check stay
the host's name), so DNS cannot answer differently between the check and the connection.

TLS is never optional: `smtps://` / `imaps://` (or `secure: true`) speak TLS from the first
byte; `smtp://` / `imap://` (or `secure: false`) must upgrade with STARTTLS, and a server that
does not offer it is refused before a password or a message is sent in clear. Certificates are
checked against the system's trusted authorities, plus those of the file
`AUTOMATIONS_MAIL_CA_FILE` names (an internal mail server's own authority).
"""

from __future__ import annotations

import os
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from automations.components import address_guard
from automations.components.connections import Connection, connection_of
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext

CONNECTION = "mail.connection"
AUTH = "mail.auth"
FORBIDDEN_ADDRESS = "mail.forbidden_address"
ATTACHMENT = "mail.attachment"

FILES_KEY = "files"  # ComponentContext.services: the FileStore port
CA_FILE_ENV = "AUTOMATIONS_MAIL_CA_FILE"
MAX_TIMEOUT_SECONDS = 300.0

Protocol = Literal["smtp", "imap"]


class ServerInput(BaseModel):
    """Where the mail server is: a named connection, or the server given by the scenario."""

    # camelCase on purpose: field names are the `auto:input` names a scenario writes.
    connection: str | None = Field(default=None, min_length=1, max_length=200)
    host: str | None = Field(default=None, min_length=1, max_length=253)
    port: int | None = Field(default=None, ge=1, le=65535)
    secure: bool | None = None
    user: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=4096, repr=False)
    timeoutSeconds: float = Field(default=30.0, gt=0, le=MAX_TIMEOUT_SECONDS)


@dataclass(frozen=True, slots=True)
class Server:
    """A mail server to talk to: where, how, as whom, and the addresses that may be dialled."""

    host: str
    port: int
    implicit_tls: bool
    user: str
    password: str = ""
    addresses: tuple[str, ...] = ()  # checked by the guard; empty: dial `host` (operator's own)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


class Deadline:
    """The end of a call's time: each network operation gets what is left of it."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds
        self.seconds = seconds

    def left(self, what: str) -> float:
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            raise ComponentFailed(CONNECTION, f"{what}: no answer within {self.seconds:g} s")
        return remaining


def server_of(params: ServerInput, ctx: ComponentContext, protocol: Protocol) -> Server:
    """The server of this call, its host checked by the address guard when the scenario gave it."""
    plain, tls = protocol, f"{protocol}s"
    inline = None
    if params.connection is None:
        if not params.host:
            raise ComponentFailed(
                CONNECTION, "no mail server: give `connection` (a configured name) or `host`"
            )
        secure = True if params.secure is None else params.secure
        inline = Connection(
            scheme=tls if secure else plain,
            host=params.host,
            port=params.port,
            user=params.user or "",
            password=params.password or "",
        )
    connection = connection_of(ctx, params.connection, inline, (plain, tls), code=CONNECTION)
    port = connection.effective_port or 0
    addresses: tuple[str, ...] = ()
    if not connection.named:
        try:
            checked = address_guard.checked_addresses(
                connection.host, port, address_guard.policy_from_environment()
            )
        except address_guard.ForbiddenAddress as refused:
            raise ComponentFailed(FORBIDDEN_ADDRESS, refused.message) from None
        except address_guard.AddressRefused as refused:
            raise ComponentFailed(CONNECTION, refused.message) from None
        addresses = tuple(str(a) for a in checked)
    return Server(
        host=connection.host,
        port=port,
        implicit_tls=connection.scheme == tls,
        user=connection.user,
        password=connection.password,
        addresses=addresses,
    )


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's authorities and the operator's CA file."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    ca_file = os.environ.get(CA_FILE_ENV, "").strip()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ComponentFailed(
                CONNECTION, f"cannot read the certificate authorities of {CA_FILE_ENV}: {exc}"
            ) from None
    return context


def open_socket(server: Server, deadline: Deadline) -> socket.socket:
    """A TCP connection to the first checked address of `server` that accepts one."""
    targets = server.addresses or (server.host,)
    failure = "no address"
    for target in targets:
        try:
            return socket.create_connection(
                (target, server.port), timeout=deadline.left(f"connecting to {server.where}")
            )
        except TimeoutError:
            failure = f"{target}: timed out"
        except OSError as exc:  # refused or unreachable: the next address may answer
            failure = f"{target}: {exc.strerror or exc}"
    raise ComponentFailed(CONNECTION, f"cannot connect to {server.where} ({failure})")


@contextmanager
def talking_to(server: Server, what: str) -> Iterator[None]:
    """Turn what the network and TLS raise into `mail.connection`, naming the server."""
    try:
        yield
    except ComponentFailed:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise ComponentFailed(
            CONNECTION,
            f"{what} {server.where}: its certificate is not trusted ({exc.verify_message})",
        ) from None
    except TimeoutError:
        raise ComponentFailed(CONNECTION, f"{what} {server.where}: timed out") from None
    except (OSError, EOFError) as exc:
        raise ComponentFailed(CONNECTION, f"{what} {server.where} failed: {exc}") from None
