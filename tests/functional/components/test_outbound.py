"""The shared guarded exchange (`outbound`) against real servers on loopback: what it raises in
neutral terms, and that no secret of a URL reaches the logs (httpx writes every request's URL
at INFO unless its logger is held back)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from automations.components import outbound, registry
from automations.components.address_guard import AddressPolicy
from automations.components.http_request import ALLOW_HOSTS_ENV, HttpRequestInput, run
from automations.components.registry import ComponentContext
from support.json_server import JsonServer
from support.mail_servers import MemoryFiles
from support.messenger_servers import TELEGRAM_TOKEN, TelegramServer

SECRET = "s3cr3t-Pa55w0rd-in-the-url"
LOOPBACK = AddressPolicy(allow_hosts=frozenset({"127.0.0.1"}))


@pytest.fixture
def server() -> Iterator[JsonServer]:
    answered = JsonServer(lambda method, path: (200, {"method": method, "path": path}))
    yield answered
    answered.close()


def _get(url: str) -> outbound.Request:
    return outbound.Request("GET", httpx.URL(url), httpx.Headers())


# --- the secrets of a URL are not logged ---------------------------------------------------


def test_http_request_logs_neither_the_path_nor_the_query_of_its_url(
    server: JsonServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    caplog.set_level(logging.DEBUG)
    url = f"{server.base}/bot{SECRET}/getMe?api_key={SECRET}&page=1"
    result = run(HttpRequestInput(url=url), ComponentContext())
    assert result.status == 200
    assert result.body["path"] == f"/bot{SECRET}/getMe?api_key={SECRET}&page=1"  # it was sent
    assert any(r.name == "automations.components.http_request" for r in caplog.records)
    assert SECRET not in caplog.text
    assert [r.name for r in caplog.records if r.name.startswith(("httpx", "httpcore"))] == []


def test_telegram_send_logs_no_part_of_the_bot_token(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    caplog.set_level(logging.DEBUG)
    spec = registry.get("telegram.send")
    with TelegramServer() as telegram:
        services = {"connections": {"bot": telegram.connection}, "files": MemoryFiles()}
        params = spec.input_model.model_validate({"connection": "bot", "chatId": 1, "text": "Hi"})
        spec.run(params, ComponentContext(services=services))
        assert telegram.requests[0].path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert any(r.name == "automations.components.messenger_http" for r in caplog.records)
    assert TELEGRAM_TOKEN not in caplog.text
    assert TELEGRAM_TOKEN.split(":")[1] not in caplog.text


# --- the exchange ----------------------------------------------------------------------------


def test_an_exchange_connects_to_the_checked_address_with_the_hosts_name(
    server: JsonServer,
) -> None:
    port = server.base.rsplit(":", 1)[1]
    policy = AddressPolicy(allow_hosts=frozenset({"localhost"}))
    reply = outbound.exchange(
        _get(f"http://localhost:{port}/x?y=1"), policy, outbound.Deadline(5), 1000
    )
    assert (reply.status, reply.url.host) == (200, "localhost")
    assert reply.content == b'{"method": "GET", "path": "/x?y=1"}'


def test_a_loopback_host_is_refused_unless_the_policy_allows_it(server: JsonServer) -> None:
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.exchange(_get(server.base), AddressPolicy(), outbound.Deadline(5), 1000)
    assert "127.0.0.1 is a loopback address" in refused.value.detail


def test_a_body_over_the_limit_is_too_large(server: JsonServer) -> None:
    with pytest.raises(outbound.OutboundTooLarge) as caught:
        outbound.exchange(_get(f"{server.base}/{'x' * 50}"), LOOPBACK, outbound.Deadline(5), 20)
    assert caught.value.limit == 20


def test_no_address_answering_is_unreachable_with_each_failure() -> None:
    with socket.socket() as unused:  # a port nobody listens on once this is closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(outbound.OutboundUnreachable) as caught:
        outbound.exchange(_get(f"http://127.0.0.1:{port}/"), LOOPBACK, outbound.Deadline(5), 10)
    assert [str(address) for address, _ in caught.value.failures] == ["127.0.0.1"]


def test_a_spent_deadline_sends_nothing() -> None:
    seen: list[str] = []

    def answer(method: str, path: str) -> tuple[int, Any]:
        seen.append(path)
        return 200, None

    listening = JsonServer(answer)
    try:
        with pytest.raises(outbound.OutboundTimeout):
            outbound.exchange(_get(listening.base), LOOPBACK, outbound.Deadline(0), 10)
    finally:
        listening.close()
    assert seen == []


def test_an_unreadable_ca_file_is_said_as_such(tmp_path: Any) -> None:
    missing = tmp_path / "none.pem"
    with pytest.raises(outbound.OutboundCaFile) as caught:
        outbound.tls_context(str(missing))
    assert "No such file" in caught.value.detail
