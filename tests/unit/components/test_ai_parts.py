"""The pure parts of `ai.request`: its service table against its input model, connection URLs,
`Retry-After`, JSON answers and GigaChat's token cache."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import get_args

import httpx
import pytest

from automations.components.ai_http import retry_after
from automations.components.ai_request import AiRequestInput, ServiceName, parse_json_answer
from automations.components.ai_services import SERVICE_NAMES, SERVICES, parse_ai_connection
from automations.components.errors import ComponentFailed
from automations.components.gigachat_token import REFRESH_MARGIN_SECONDS, Token, TokenCache


def test_the_input_model_offers_exactly_the_services_of_the_table() -> None:
    assert get_args(ServiceName) == SERVICE_NAMES
    assert AiRequestInput.model_fields["service"].annotation == ServiceName | None
    for service in SERVICES.values():
        assert service.default_model is None or service.default_model in service.models


@pytest.mark.parametrize(
    ("url", "base", "key"),
    [
        ("deepseek://sk-1@api.deepseek.com", "https://api.deepseek.com", "sk-1"),
        ("deepseek://:sk-2@", "https://api.deepseek.com", "sk-2"),
        ("deepseek://", None, None),
        ("grok://u:xai%2F3@gw.example:8443/x/v1/", "https://gw.example:8443/x/v1", "xai/3"),
        ("openai-compatible+http://10.0.0.5:8000/v1", "http://10.0.0.5:8000/v1", ""),
        ("openai-compatible+http://[fd00::5]:8000", "http://[fd00::5]:8000", ""),
    ],
)
def test_connection_urls(url: str, base: str | None, key: str | None) -> None:
    if base is None:
        with pytest.raises(ComponentFailed, match="holds no API key"):
            parse_ai_connection(url, "c")
        return
    connection = parse_ai_connection(url, "c")
    assert (connection.base_url, connection.key) == (base, key)


def test_a_key_a_header_cannot_carry_is_refused_without_showing_it() -> None:
    with pytest.raises(ComponentFailed) as caught:
        parse_ai_connection("deepseek://sk-1%0D%0AX-Evil:%201@api.deepseek.com", "d")
    assert caught.value.code == "ai.connection" and "sk-1" not in caught.value.message


def test_a_connection_never_shows_its_key() -> None:
    connection = parse_ai_connection("perplexity://pplx-secret-key@api.perplexity.ai", "p")
    assert "pplx-secret-key" not in repr(connection)
    assert connection.redact("bad key pplx-secret-key given") == "bad key *** given"


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = retry_after(httpx.Headers({"Retry-After": later}))
    assert wait is not None and 25 <= wait <= 30
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert retry_after(httpx.Headers({"Retry-After": past})) == 0.0
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers()) is None


def test_json_answers() -> None:
    assert parse_json_answer(' {"a": 1} ', 64) == {"a": 1}
    assert parse_json_answer('```json\n{"a": [1, 2]}\n```', 64) == {"a": [1, 2]}
    assert parse_json_answer("```\n[true]\n```", 64) == [True]
    with pytest.raises(ComponentFailed) as caught:
        parse_json_answer("Sure! Here it is: {a: 1}", 64)
    assert caught.value.code == "ai.bad_json" and "Sure! Here it is" in caught.value.message
    with pytest.raises(ComponentFailed) as deep:
        parse_json_answer("[" * 10 + "]" * 10, 8)
    assert deep.value.code == "ai.bad_json"


def test_the_token_cache_keeps_a_token_until_the_margin_before_expiry() -> None:
    now = [1000.0]
    cache = TokenCache(clock=lambda: now[0])
    fetched: list[str] = []

    def fetch() -> Token:
        fetched.append(f"t{len(fetched)}")
        return Token(fetched[-1], now[0] + 1800)

    key = TokenCache.key_of("https://oauth", "GIGACHAT_API_PERS", "k")
    assert [cache.get(key, fetch) for _ in range(3)] == ["t0"] * 3
    now[0] += 1800 - REFRESH_MARGIN_SECONDS - 1
    assert cache.get(key, fetch) == "t0"
    now[0] += 2
    assert cache.get(key, fetch) == "t1"
    cache.forget(key, "t0")  # an older token: the newer one stays
    assert cache.get(key, fetch) == "t1"
    cache.forget(key, "t1")
    assert cache.get(key, fetch) == "t2"
    other = TokenCache.key_of("https://oauth", "GIGACHAT_API_PERS", "another key")
    assert other != key
    assert cache.get(other, fetch) == "t3"


def test_callers_at_once_share_one_fetch() -> None:
    cache = TokenCache()
    started = threading.Event()
    release = threading.Event()
    calls: list[int] = []

    def slow_fetch() -> Token:
        calls.append(1)
        started.set()
        release.wait(5)
        return Token("shared", 10**12)

    got: list[str] = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get("k", slow_fetch))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    started.wait(5)
    release.set()
    for thread in threads:
        thread.join(5)
    assert (got, calls) == (["shared"] * 5, [1])
