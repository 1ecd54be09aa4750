"""Calling a messenger component (`telegram.send`, `whatsapp.send`, `max.send`) the way the engine
does, for the tests that run each against its stand-in (`support.messenger_servers`).

A test module describes its component once and takes the fixtures by name (pytest finds a
fixture among a module's names; `x as x` says the import is there for that):

    from support.messenger_calls import MessengerCalls
    from support.messenger_calls import loopback_allowed as loopback_allowed

    TELEGRAM = MessengerCalls("telegram.send", "bot", {"chatId": 4242}, (TELEGRAM_TOKEN,))
    result = TELEGRAM.send(server, text="Hello")
    failed = TELEGRAM.failure(server, text="Hello")  # ComponentFailed, no token in its text
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest

from automations.components import invoke, messenger_http, registry
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.registry import ComponentContext
from support.mail_servers import MemoryFiles


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-ins listen on 127.0.0.1, which the address guard refuses unless allowed."""
    monkeypatch.setenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", "127.0.0.1")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts, noted instead of slept."""
    noted: list[float] = []
    monkeypatch.setattr(messenger_http, "_sleep", noted.append)
    return noted


class Served(Protocol):
    """A stand-in server: the URL of a named connection to it."""

    @property
    def connection(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MessengerCalls:
    """Runs `component` with its `connection` input naming `connection`; `send` puts its inputs
    over `defaults`; a failure's text must hold none of `secrets`."""

    component: str
    connection: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def run(
        self, connections: Mapping[str, str], files: MemoryFiles | None = None, **inputs: Any
    ) -> dict[str, Any]:
        """One run with these named connections (and a file store only when given)."""
        spec = registry.get(self.component)
        services: dict[str, Any] = {"connections": dict(connections)}
        if files is not None:
            services["files"] = files
        params = invoke.parse_input(spec, {"connection": self.connection, **inputs})
        result: dict[str, Any] = invoke.run(spec, params, ComponentContext(services=services))
        return result

    def send(
        self, server: Served, files: MemoryFiles | None = None, **inputs: Any
    ) -> dict[str, Any]:
        """One run against `server`, with `files` (an empty store when not given)."""
        connections = {self.connection: server.connection}
        return self.run(connections, files or MemoryFiles(), **{**self.defaults, **inputs})

    def failure(
        self, server: Served, files: MemoryFiles | None = None, **inputs: Any
    ) -> ComponentFailed:
        """`send` that must fail, with no secret in what it says."""
        with pytest.raises(ComponentFailed) as caught:
            self.send(server, files, **inputs)
        for secret in self.secrets:
            assert secret not in str(caught.value)
        return caught.value

    def refusal(self, connections: Mapping[str, str], **inputs: Any) -> ComponentFailed:
        """`run` (no defaults, no file store) that must fail."""
        with pytest.raises(ComponentFailed) as caught:
            self.run(connections, **inputs)
        return caught.value

    def invalid(self, **inputs: Any) -> ComponentInputInvalid:
        """Inputs the component's model must refuse before anything runs."""
        spec = registry.get(self.component)
        with pytest.raises(ComponentInputInvalid) as caught:
            invoke.parse_input(spec, {"connection": self.connection, **inputs})
        return caught.value
