"""`ai.request` against the stand-in service of `support.ai_servers`, which checks every request
against the chat completions protocol (and GigaChat's OAuth): what each service kind is sent,
how a refusal, a rate limit, a server error, a slow answer and an answer that is not JSON end,
GigaChat's token kept and renewed, the key kept out of results and errors, the address guard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from automations.components import ai_http, invoke, registry
from automations.components.address_guard import ALLOW_HOSTS_ENV, ALLOW_PRIVATE_ENV
from automations.components.ai_http import CA_FILE_ENV, MAX_ATTEMPTS
from automations.components.connections import SERVICE_KEY
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.gigachat_token import REFRESH_MARGIN_SECONDS, TOKENS
from automations.components.registry import ComponentContext
from support.ai_servers import UUID4, AiStandIn
from support.mail_servers import certificate
from support.sql_servers import DictConnections

KEY = "sk-stand-in-0123456789abcdef"
GIGACHAT_KEY = "Y2xpZW50LWlkOnNlY3JldC0wMTIzNDU2Nzg5"  # base64 of client-id:secret, as issued


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in is on 127.0.0.1: the operator allows that host (as a gateway would be)."""
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    TOKENS.clear()
    yield
    TOKENS.clear()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry loop's waits, recorded instead of taken."""
    taken: list[float] = []
    monkeypatch.setattr(ai_http, "SLEEP", taken.append)
    return taken


@pytest.fixture
def server() -> Iterator[AiStandIn]:
    stand_in = AiStandIn(key=KEY)
    yield stand_in
    stand_in.close()


@pytest.fixture
def gigachat() -> Iterator[AiStandIn]:
    stand_in = AiStandIn(key=GIGACHAT_KEY, gigachat=True)
    yield stand_in
    stand_in.close()


def ask(connections: dict[str, str], **inputs: Any) -> Any:
    """`ai.request` as the engine calls it: validated inputs, the result as JSON data."""
    spec = registry.get("ai.request")
    ctx = ComponentContext(
        process_id="p-ai", element_id="Ask", services={SERVICE_KEY: DictConnections(connections)}
    )
    return invoke.run(spec, invoke.parse_input(spec, inputs), ctx)


def failure(connections: dict[str, str], **inputs: Any) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        ask(connections, **inputs)
    return caught.value


# --- what each service kind is sent -------------------------------------------------------------


def test_an_openai_compatible_request_is_what_the_reference_defines(server: AiStandIn) -> None:
    result = ask(
        {"ai": server.connection_url()},
        connection="ai",
        model="local-model",
        context={"role": "a support agent", "rules": ["be brief", "be kind"]},
        prompt="Is this message a complaint?",
        creativity=50,
        vocabulary=25,
        maxTokens=120,
    )
    assert server.problems == []
    [seen] = server.requests
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["content-type"] == "application/json"
    assert seen.json == {
        "model": "local-model",
        "messages": [
            {
                "role": "system",
                "content": 'role: a support agent\nrules: ["be brief", "be kind"]',
            },
            {"role": "user", "content": "Is this message a complaint?"},
        ],
        "temperature": 1.0,
        "frequency_penalty": 0.5,
        "max_tokens": 120,
    }
    assert result == {
        "answer": "Stand-in answer to: Is this message a complaint?",
        "model": "local-model",
        "usage": {"promptTokens": 14, "completionTokens": 8, "totalTokens": 22},
        "finishReason": "stop",
    }


@pytest.mark.parametrize(
    ("service", "default_model"),
    [("deepseek", "deepseek-chat"), ("grok", "grok-3-mini"), ("perplexity", "sonar")],
)
def test_each_openai_style_service_gets_its_default_model_and_ranges(
    server: AiStandIn, service: str, default_model: str
) -> None:
    result = ask(
        {"ai": server.connection_url(service)},
        connection="ai",
        service=service,
        prompt="Hello",
        creativity=100,
        vocabulary=100,
    )
    assert server.problems == []
    [seen] = server.chats()
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    body = seen.json
    assert (body["model"], body["temperature"], body["frequency_penalty"]) == (
        default_model,
        2.0,
        2.0,
    )
    assert "response_format" not in body and "system" not in [m["role"] for m in body["messages"]]
    assert result["model"] == default_model


def test_a_context_given_as_the_products_list_of_pairs(server: AiStandIn) -> None:
    ask(
        {"ai": server.connection_url()},
        connection="ai",
        model="m",
        context=[{"name": "language", "value": "Russian"}, {"name": "limit", "value": 3}],
        prompt="Summarise",
    )
    assert server.chats()[0].json["messages"][0] == {
        "role": "system",
        "content": "language: Russian\nlimit: 3",
    }


def test_yandexgpt_models_are_uris_in_the_folder(server: AiStandIn) -> None:
    connections = {
        "ya": server.connection_url("yandexgpt", folder="b1gfolder"),
        "ya-bare": server.connection_url("yandexgpt"),
    }
    ask(connections, connection="ya", prompt="Hi", creativity=100)
    ask(connections, connection="ya", model="yandexgpt-lite/rc", prompt="Hi")
    ask(connections, connection="ya-bare", folderId="b1gother", prompt="Hi")
    ask(connections, connection="ya", model="gpt://b1gx/yandexgpt/latest", prompt="Hi")
    assert server.problems == []
    bodies = [seen.json for seen in server.chats()]
    assert [b["model"] for b in bodies] == [
        "gpt://b1gfolder/yandexgpt/latest",
        "gpt://b1gfolder/yandexgpt-lite/rc",
        "gpt://b1gother/yandexgpt/latest",
        "gpt://b1gx/yandexgpt/latest",
    ]
    assert bodies[0]["temperature"] == 1.0  # YandexGPT's range is 0-1
    missing = failure(connections, connection="ya-bare", prompt="Hi")
    assert missing.code == "ai.connection" and "folderId" in missing.message


def test_gigachat_gets_a_token_then_asks_with_it(gigachat: AiStandIn) -> None:
    gigachat.reply = lambda body: '{"greeting": "привет"}'
    result = ask(
        {"giga": gigachat.connection_url("gigachat")},
        connection="giga",
        prompt="Привет",
        vocabulary=50,
        creativity=25,
        resultType="json",
        timeoutSeconds=10,
    )
    assert gigachat.problems == []
    [oauth] = gigachat.oauths()
    assert oauth.method == "POST"
    assert oauth.headers["authorization"] == f"Basic {GIGACHAT_KEY}"
    assert UUID4.match(oauth.headers["rquid"])
    assert oauth.headers["content-type"] == "application/x-www-form-urlencoded"
    assert oauth.form == {"scope": ["GIGACHAT_API_PERS"]}
    [chat] = gigachat.chats()
    assert chat.path == "/api/v1/chat/completions"
    [token] = gigachat.tokens
    assert chat.headers["authorization"] == f"Bearer {token}"
    body = chat.json
    assert body["model"] == "GigaChat-2"
    assert (body["repetition_penalty"], body["temperature"]) == (1.5, 0.5)
    assert "frequency_penalty" not in body and "response_format" not in body
    assert "JSON" in body["messages"][0]["content"]  # asked for by instruction only
    assert (result["answer"], result["finishReason"]) == ({"greeting": "привет"}, "stop")


def test_gigachat_scope_comes_from_the_connection(gigachat: AiStandIn) -> None:
    ask(
        {"giga": gigachat.connection_url("gigachat", scope="GIGACHAT_API_CORP")},
        connection="giga",
        prompt="Hi",
    )
    assert gigachat.oauths()[0].form == {"scope": ["GIGACHAT_API_CORP"]}


# --- GigaChat's token --------------------------------------------------------------------------


def test_gigachat_token_is_fetched_once_for_several_calls(gigachat: AiStandIn) -> None:
    connections = {"giga": gigachat.connection_url("gigachat")}
    for n in range(3):
        ask(connections, connection="giga", prompt=f"call {n}")
    assert len(gigachat.oauths()) == 1
    assert len(gigachat.chats()) == 3
    assert len({seen.headers["authorization"] for seen in gigachat.chats()}) == 1


def test_gigachat_token_is_fetched_again_once_it_expires(
    gigachat: AiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = {"giga": gigachat.connection_url("gigachat")}
    ask(connections, connection="giga", prompt="first")
    [first] = gigachat.tokens
    expiry = gigachat.tokens[first]
    # The cache's clock moved to just inside the refresh margin before that token's expiry.
    monkeypatch.setattr(TOKENS, "_clock", lambda: expiry - REFRESH_MARGIN_SECONDS + 1)
    ask(connections, connection="giga", prompt="second")
    assert len(gigachat.oauths()) == 2
    second = [t for t in gigachat.tokens if t != first]
    assert gigachat.chats()[1].headers["authorization"] == f"Bearer {second[0]}"


def test_a_revoked_gigachat_token_is_replaced_once(gigachat: AiStandIn) -> None:
    connections = {"giga": gigachat.connection_url("gigachat")}
    ask(connections, connection="giga", prompt="first")
    gigachat.tokens.clear()  # the service forgets it (revoked)
    result = ask(connections, connection="giga", prompt="second")
    assert result["answer"] == "Stand-in answer to: second"
    assert len(gigachat.oauths()) == 2
    assert [s.headers["authorization"] == "" for s in gigachat.chats()] == [False] * 3


def test_gigachat_refusing_the_key_is_ai_auth(gigachat: AiStandIn) -> None:
    url = gigachat.connection_url("gigachat").replace(GIGACHAT_KEY, "d3Jvbmc6a2V5LTEyMzQ=")
    error = failure({"giga": url}, connection="giga", prompt="Hi")
    assert error.code == "ai.auth"
    assert "credentials doesn't match" in error.message
    assert gigachat.chats() == []


# --- refusals, limits, failures ----------------------------------------------------------------


def test_a_refused_key_is_ai_auth_and_the_key_is_nowhere(server: AiStandIn) -> None:
    wrong = "sk-wrong-key-9876543210"
    url = server.connection_url().replace(KEY, wrong)
    error = failure({"ai": url}, connection="ai", model="m", prompt="Hi")
    assert error.code == "ai.auth"
    assert "Incorrect API key provided: ***" in error.message  # the service's words, redacted
    assert wrong not in error.message and wrong not in str(error)


def test_the_key_is_not_in_the_result(server: AiStandIn) -> None:
    for kind in ("text", "response"):
        result = ask(
            {"ai": server.connection_url()},
            connection="ai",
            model="m",
            prompt="Hi",
            resultType=kind,
        )
        assert KEY not in json.dumps(result)


def test_429_is_retried_after_retry_after(server: AiStandIn, waits: list[float]) -> None:
    server.then(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "2"})
    result = ask({"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi")
    assert result["answer"] == "Stand-in answer to: Hi"
    assert len(server.chats()) == 2
    assert waits == [2.0]


def test_429_forever_is_ai_rate_limited(server: AiStandIn, waits: list[float]) -> None:
    for _ in range(MAX_ATTEMPTS):
        server.then(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "1"})
    error = failure({"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi")
    assert error.code == "ai.rate_limited"
    assert "Rate limit reached" in error.message
    assert len(server.chats()) == MAX_ATTEMPTS
    assert waits == [1.0] * (MAX_ATTEMPTS - 1)


def test_a_retry_after_beyond_the_timeout_is_not_waited_for(
    server: AiStandIn, waits: list[float]
) -> None:
    server.then(429, {"error": {"message": "Slow down"}}, {"Retry-After": "120"})
    error = failure(
        {"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi", timeoutSeconds=5
    )
    assert error.code == "ai.rate_limited"
    assert (len(server.chats()), waits) == (1, [])


def test_a_server_error_is_retried_with_back_off(server: AiStandIn, waits: list[float]) -> None:
    server.then(500, {"error": {"message": "Internal error"}})
    server.then(503, b"<html>busy</html>")
    result = ask({"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi")
    assert result["answer"] == "Stand-in answer to: Hi"
    assert len(server.chats()) == 3
    # 0.5 s then 1 s, each within its jitter.
    assert len(waits) == 2 and 0.4 <= waits[0] <= 0.6 and 0.8 <= waits[1] <= 1.2


def test_a_server_error_that_lasts_is_ai_service(server: AiStandIn, waits: list[float]) -> None:
    for _ in range(MAX_ATTEMPTS):
        server.then(502, {"error": {"message": "Upstream model crashed"}})
    error = failure({"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi")
    assert error.code == "ai.service"
    assert "502: Upstream model crashed" in error.message


def test_a_refused_request_is_ai_service_with_the_services_words(
    server: AiStandIn, waits: list[float]
) -> None:
    server.then(400, {"error": {"message": "Model Not Exist", "type": "invalid_request_error"}})
    error = failure({"ai": server.connection_url()}, connection="ai", model="nope", prompt="Hi")
    assert error.code == "ai.service"
    assert "400: Model Not Exist" in error.message
    assert (len(server.chats()), waits) == (1, [])  # a 4xx is not retried


def test_a_slow_service_is_ai_timeout(server: AiStandIn) -> None:
    server.then(200, {"choices": []}, delay=2.0)
    error = failure(
        {"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi", timeoutSeconds=0.3
    )
    assert error.code == "ai.timeout"


def test_an_answer_that_is_no_completion_is_ai_service(server: AiStandIn) -> None:
    server.then(200, {"object": "list", "data": []})
    error = failure({"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi")
    assert error.code == "ai.service" and "choices" in error.message


# --- result types ------------------------------------------------------------------------------


def _replying(text: str) -> AiStandIn:
    return AiStandIn(key=KEY, reply=lambda body: text)


def test_a_json_result_is_asked_for_and_parsed() -> None:
    server = _replying('```json\n{"type": "complaint", "tone": "negative"}\n```')
    try:
        result = ask(
            {"ai": server.connection_url("deepseek")},
            connection="ai",
            prompt="Classify: the parcel came broken",
            resultType="json",
        )
    finally:
        server.close()
    assert server.problems == []
    body = server.chats()[0].json
    assert body["response_format"] == {"type": "json_object"}
    assert "JSON" in body["messages"][0]["content"]
    assert result["answer"] == {"type": "complaint", "tone": "negative"}


def test_an_answer_that_is_not_json_is_ai_bad_json_with_the_text() -> None:
    server = _replying("I think it is a complaint.")
    try:
        error = failure(
            {"ai": server.connection_url()},
            connection="ai",
            model="m",
            prompt="Classify",
            resultType="json",
        )
    finally:
        server.close()
    assert error.code == "ai.bad_json"
    assert "I think it is a complaint." in error.message


def test_a_compatible_server_may_be_told_not_to_get_response_format() -> None:
    server = _replying('{"ok": true}')
    try:
        result = ask(
            {"ai": server.connection_url(jsonFormat="false")},
            connection="ai",
            model="m",
            prompt="Answer",
            resultType="json",
        )
    finally:
        server.close()
    assert "response_format" not in server.chats()[0].json
    assert result["answer"] == {"ok": True}


def test_the_whole_response(server: AiStandIn) -> None:
    result = ask(
        {"ai": server.connection_url()},
        connection="ai",
        model="m",
        prompt="Hi",
        resultType="response",
    )
    answer = result["answer"]
    assert answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"]["content"] == "Stand-in answer to: Hi"
    assert result["usage"]["totalTokens"] == answer["usage"]["total_tokens"]


def test_parameters_are_sent_as_given_but_not_model_or_messages(server: AiStandIn) -> None:
    ask(
        {"ai": server.connection_url()},
        connection="ai",
        model="m",
        prompt="Hi",
        creativity=10,
        parameters={"top_p": 0.9, "temperature": 0.7},
    )
    body = server.chats()[0].json
    assert (body["top_p"], body["temperature"]) == (0.9, 0.7)
    with pytest.raises(ComponentInputInvalid, match="model"):
        ask({}, connection="ai", prompt="Hi", parameters={"model": "other"})


# --- connections and the address guard ---------------------------------------------------------


def test_the_address_guard_refuses_a_private_service(
    server: AiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_HOSTS_ENV)
    error = failure({"ai": server.connection_url()}, connection="ai", model="m", prompt="Hi")
    assert error.code == "ai.forbidden_address"
    assert "127.0.0.1" in error.message and KEY not in error.message
    assert server.requests == []


def test_the_guard_checks_gigachats_oauth_host_too(
    gigachat: AiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_HOSTS_ENV)
    error = failure({"g": gigachat.connection_url("gigachat")}, connection="g", prompt="Hi")
    assert error.code == "ai.forbidden_address" and "OAuth" in error.message
    assert gigachat.requests == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@db/x", "not an AI connection"),
        ("deepseek://", "holds no API key"),
        ("openai-compatible://", "names no server"),
        ("deepseek://key@host?color=blue", "unknown option 'color'"),
        ("gigachat://key@?scope=EVERYTHING", "scope must be one of"),
        ("deepseek+ftp://key@host", "not an AI connection"),
    ],
)
def test_unusable_connections_are_ai_connection(url: str, expected: str) -> None:
    error = failure({"ai": url}, connection="ai", prompt="Hi")
    assert error.code == "ai.connection"
    assert expected in error.message and "key@" not in error.message


def test_an_unknown_connection_and_a_service_that_is_not_the_connections(
    server: AiStandIn,
) -> None:
    assert "no connection 'other'" in failure({}, connection="other", prompt="Hi").message
    error = failure(
        {"ai": server.connection_url("deepseek")}, connection="ai", service="gigachat", prompt="Hi"
    )
    assert error.code == "ai.connection" and "deepseek connection, not gigachat" in error.message
    assert server.requests == []


def test_a_connection_without_host_goes_to_the_services_own_base_url() -> None:
    from automations.components.ai_services import parse_ai_connection

    connection = parse_ai_connection("grok://:xai-secret@", "g")
    assert connection.chat_url == "https://api.x.ai/v1/chat/completions"
    assert "xai-secret" not in repr(connection)
    giga = parse_ai_connection("gigachat://key@", "giga")
    assert giga.chat_url == "https://gigachat.devices.sberbank.ru/api/v1/chat/completions"
    assert giga.oauth_url == "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"


def test_one_token_fetch_serves_callers_that_come_at_once(gigachat: AiStandIn) -> None:
    connections = {"giga": gigachat.connection_url("gigachat")}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda n: ask(connections, connection="giga", prompt=f"n{n}"), range(8))
        )
    assert [r["answer"] for r in results] == [f"Stand-in answer to: n{n}" for n in range(8)]
    assert (len(gigachat.oauths()), len(gigachat.chats())) == (1, 8)


# --- TLS: GigaChat's own certificate authority --------------------------------------------------


@pytest.fixture
def tls_gigachat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[AiStandIn, Path]]:
    """GigaChat's stand-in over https, its certificate signed by an authority of its own (as
    GigaChat's is by one certifi does not hold)."""
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1,localhost")
    authority = certificate(tmp_path)
    stand_in = AiStandIn(key=GIGACHAT_KEY, gigachat=True, tls=authority.server_context())
    yield stand_in, authority.cert
    stand_in.close()


def test_gigachat_over_tls_with_the_operators_authority(
    tls_gigachat: tuple[AiStandIn, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, authority = tls_gigachat
    monkeypatch.setenv(CA_FILE_ENV, str(authority))
    result = ask({"giga": server.connection_url("gigachat")}, connection="giga", prompt="Hi")
    assert result["answer"] == "Stand-in answer to: Hi"
    assert server.connection_url("gigachat").startswith("gigachat://")
    assert (len(server.oauths()), len(server.chats()), server.problems) == (1, 1, [])


def test_an_untrusted_certificate_is_ai_connection_saying_how_to_trust_it(
    tls_gigachat: tuple[AiStandIn, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = tls_gigachat
    monkeypatch.delenv(CA_FILE_ENV, raising=False)
    error = failure({"giga": server.connection_url("gigachat")}, connection="giga", prompt="Hi")
    assert error.code == "ai.connection"
    assert "CERTIFICATE_VERIFY_FAILED" in error.message and CA_FILE_ENV in error.message
    assert server.requests == []
