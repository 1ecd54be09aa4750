"""`telegram.send` against a stand-in of the Bot API on loopback (`support.messenger_servers`):
each action's request (path, method, headers, JSON body or multipart parts) is checked as the
Bot API reference defines it, and each refusal's mapping to a `telegram.*` code."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from automations.components import messenger_http
from support.mail_servers import MemoryFiles
from support.messenger_calls import MessengerCalls
from support.messenger_calls import loopback_allowed as loopback_allowed
from support.messenger_calls import waits as waits
from support.messenger_servers import TELEGRAM_TOKEN, TelegramServer, telegram_error

PDF = b"%PDF-1.4\n" + bytes(range(256)) + b"\n%%EOF\n"
# A failure shows neither the token nor its secret half (the part after the bot's id).
TELEGRAM = MessengerCalls(
    "telegram.send", "bot", {"chatId": 4242}, (TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1])
)


@pytest.fixture
def telegram() -> Iterator[TelegramServer]:
    with TelegramServer() as server:
        yield server


def test_a_message_with_html_buttons_and_a_reply_is_one_json_post(
    telegram: TelegramServer,
) -> None:
    buttons = {"inline_keyboard": [[{"text": "Открыть заказ", "url": "https://shop.example/42"}]]}
    result = TELEGRAM.send(
        telegram,
        text="<b>Заказ № 42</b> готов к выдаче",
        format="html",
        buttons=buttons,
        replyTo=17,
        silent=True,
    )
    (request,) = telegram.requests
    assert request.method == "POST"
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert request.content_type == "application/json"
    assert request.json == {
        "chat_id": 4242,
        "text": "<b>Заказ № 42</b> готов к выдаче",
        "parse_mode": "HTML",
        "reply_markup": buttons,
        "reply_parameters": {"message_id": 17},
        "disable_notification": True,
    }
    assert result["message_id"] == 1
    assert result["chat"] == {"id": 4242, "type": "private"}
    assert result["text"] == "<b>Заказ № 42</b> готов к выдаче"
    assert result["from"]["is_bot"] is True  # the whole Message, its other fields too


def test_markdown_is_markdown_v2_and_a_reply_keyboards_resize_is_telegrams(
    telegram: TelegramServer,
) -> None:
    keyboard = {"keyboard": [[{"text": "Привет"}, {"text": "Локация", "request_location": True}]]}
    TELEGRAM.send(
        telegram,
        chatId="@orders_channel",
        text="*жирный*",
        format="markdown",
        buttons={**keyboard, "resize": True},
    )
    body = telegram.requests[0].json
    assert body["chat_id"] == "@orders_channel"
    assert body["parse_mode"] == "MarkdownV2"
    assert body["reply_markup"] == {**keyboard, "resize_keyboard": True}


@pytest.mark.parametrize(
    ("inputs", "method", "body"),
    [
        (
            {"action": "sendLocation", "latitude": 55.7558, "longitude": 37.6173},
            "sendLocation",
            {"chat_id": 4242, "latitude": 55.7558, "longitude": 37.6173},
        ),
        (
            {
                "action": "sendContact",
                "phone": "+79991234567",
                "firstName": "Иван",
                "lastName": "Петров",
            },
            "sendContact",
            {
                "chat_id": 4242,
                "phone_number": "+79991234567",
                "first_name": "Иван",
                "last_name": "Петров",
            },
        ),
        (
            {"action": "forward", "fromChatId": "-1001234567890", "messageId": 55},
            "forwardMessage",
            {"chat_id": 4242, "from_chat_id": -1001234567890, "message_id": 55},
        ),
        (
            {"action": "edit", "messageId": 55, "text": "Статус: <i>выдан</i>", "format": "html"},
            "editMessageText",
            {
                "chat_id": 4242,
                "message_id": 55,
                "text": "Статус: <i>выдан</i>",
                "parse_mode": "HTML",
            },
        ),
        (
            {"action": "delete", "messageId": 55},
            "deleteMessage",
            {"chat_id": 4242, "message_id": 55},
        ),
        (
            {"action": "sendPhoto", "file": "https://shop.example/p.jpg", "text": "Фото"},
            "sendPhoto",
            {"chat_id": 4242, "photo": "https://shop.example/p.jpg", "caption": "Фото"},
        ),
    ],
)
def test_each_action_calls_its_method_with_the_bot_apis_fields(
    telegram: TelegramServer, inputs: dict[str, Any], method: str, body: dict[str, Any]
) -> None:
    result = TELEGRAM.send(telegram, **inputs)
    (request,) = telegram.requests
    assert (request.method, request.path) == ("POST", f"/bot{TELEGRAM_TOKEN}/{method}")
    assert request.json == body
    if method == "deleteMessage":
        # Telegram answers `true`: the message as named
        assert result == {"message_id": 55, "chat": {"id": 4242}, "date": None, "text": None}
    else:
        assert result["chat"]["id"] == 4242
    if method == "editMessageText":
        assert result["message_id"] == 55


def test_a_stored_document_is_uploaded_as_multipart_form_data(telegram: TelegramServer) -> None:
    files = MemoryFiles()
    stored = files.put("Счёт 42.pdf", "application/pdf", PDF)
    result = TELEGRAM.send(
        telegram,
        files,
        action="sendDocument",
        file=stored.id,
        text="Счёт во вложении",
        format="html",
        buttons={"inline_keyboard": [[{"text": "Оплатить", "callback_data": "pay:42"}]]},
    )
    (request,) = telegram.requests
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendDocument"
    assert request.content_type == "multipart/form-data"
    parts = request.parts
    assert set(parts) == {"chat_id", "caption", "parse_mode", "reply_markup", "document"}
    assert parts["chat_id"].text == "4242"
    assert parts["caption"].text == "Счёт во вложении"
    assert parts["parse_mode"].text == "HTML"
    assert parts["reply_markup"].text == (
        '{"inline_keyboard": [[{"text": "\\u041e\\u043f\\u043b\\u0430\\u0442\\u0438\\u0442\\u044c",'
        ' "callback_data": "pay:42"}]]}'
    )
    document = parts["document"]
    assert (document.filename, document.content_type, document.data) == (
        "Счёт 42.pdf",
        "application/pdf",
        PDF,
    )
    assert result["document"]["file_id"].startswith("doc-")


def test_a_stored_photo_takes_the_name_the_scenario_gives(telegram: TelegramServer) -> None:
    files = MemoryFiles()
    stored = files.put("img.bin", "image/png", b"\x89PNG\r\n\x1a\n")
    TELEGRAM.send(
        telegram, files, action="sendPhoto", file={"fileId": stored.id, "name": "logo.png"}
    )
    photo = telegram.requests[0].parts["photo"]
    assert (photo.filename, photo.content_type) == ("logo.png", "image/png")


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (telegram_error(400, "Bad Request: chat not found"), "telegram.bad_request"),
        (telegram_error(403, "Forbidden: bot was blocked by the user"), "telegram.forbidden"),
        (telegram_error(404, "Not Found"), "telegram.not_found"),
        (telegram_error(500, "Internal Server Error"), "telegram.failed"),
        ((502, "<html>Bad Gateway</html>"), "telegram.failed"),
    ],
)
def test_refusals_are_mapped_to_codes_with_telegrams_description(
    telegram: TelegramServer, answer: tuple[int, Any], code: str
) -> None:
    telegram.answer_next(*answer)
    failed = TELEGRAM.failure(telegram, text="Привет")
    assert failed.code == code
    description = answer[1]["description"] if isinstance(answer[1], dict) else "Bad Gateway"
    assert description in failed.message
    assert "connection 'bot'" in failed.message and "sendMessage" in failed.message
    assert len(telegram.requests) == 1  # no retry for a refusal


def test_a_wrong_token_is_unauthorized_and_never_shown() -> None:
    with TelegramServer(token="999:the-right-one") as server:
        url = f"telegram+http://{TELEGRAM_TOKEN}@127.0.0.1:{server.port}"
        failed = TELEGRAM.refusal({"bot": url}, chatId=1, text="x")
    assert failed.code == "telegram.unauthorized"
    assert "Unauthorized" in failed.message
    assert TELEGRAM_TOKEN not in str(failed)


def test_429_is_retried_after_the_retry_after_telegram_asks_for(
    telegram: TelegramServer, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    telegram.answer_next(*telegram_error(429, "Too Many Requests: retry after 3", retry_after=3))
    telegram.answer_next(*telegram_error(429, "Too Many Requests: retry after 1", retry_after=1))
    caplog.set_level(logging.DEBUG)
    result = TELEGRAM.send(telegram, text="Привет")
    assert waits == [3.0, 1.0]
    assert len(telegram.requests) == 3
    assert all(r.json == telegram.requests[0].json for r in telegram.requests)
    assert result["text"] == "Привет"
    assert TELEGRAM_TOKEN not in caplog.text and TELEGRAM_TOKEN.split(":")[1] not in caplog.text


def test_a_rate_limit_that_lasts_is_telegram_rate_limited_after_bounded_attempts(
    telegram: TelegramServer, waits: list[float]
) -> None:
    telegram.answer_next(*telegram_error(429, "Too Many Requests", retry_after=1), times=10)
    failed = TELEGRAM.failure(telegram, text="Привет")
    assert failed.code == "telegram.rate_limited"
    assert len(telegram.requests) == messenger_http.MAX_ATTEMPTS
    assert waits == [1.0] * (messenger_http.MAX_ATTEMPTS - 1)


def test_a_retry_after_longer_than_the_time_left_fails_at_once(
    telegram: TelegramServer, waits: list[float]
) -> None:
    telegram.answer_next(*telegram_error(429, "Too Many Requests", retry_after=120))
    failed = TELEGRAM.failure(telegram, text="Привет", timeoutSeconds=10)
    assert failed.code == "telegram.rate_limited"
    assert waits == [] and len(telegram.requests) == 1


def test_a_stored_file_that_does_not_exist_is_telegram_file(telegram: TelegramServer) -> None:
    failed = TELEGRAM.failure(telegram, action="sendDocument", file="f_missing")
    assert failed.code == "telegram.file"
    assert "f_missing" in failed.message
    assert telegram.requests == []


def test_an_api_host_the_guard_refuses_is_forbidden_address(
    telegram: TelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_HOSTS")
    failed = TELEGRAM.failure(telegram, text="Привет")
    assert failed.code == "telegram.forbidden_address"
    assert "loopback" in failed.message
    assert telegram.requests == []


def test_an_unreachable_api_is_telegram_connection_without_the_token() -> None:
    with TelegramServer() as server:
        pass  # closed: its port refuses connections now
    failed = TELEGRAM.failure(server, text="Привет")
    assert failed.code == "telegram.connection"
    assert "127.0.0.1" in failed.message


@pytest.mark.parametrize(
    ("connections", "words"),
    [
        ({}, "there is no connection 'bot'"),
        ({"bot": "postgresql://u:p@db/crm"}, "is not a telegram:// connection"),
        ({"bot": "telegram://api.telegram.org"}, "holds no token"),
    ],
)
def test_a_connection_that_is_not_a_bots_is_telegram_connection(
    connections: dict[str, str], words: str
) -> None:
    failed = TELEGRAM.refusal(connections, chatId=1, text="x")
    assert failed.code == "telegram.connection"
    assert words in failed.message
    assert "u:p" not in failed.message


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ({"chatId": 1, "action": "sendLocation", "latitude": 55.0}, "needs longitude"),
        ({"chatId": 1, "action": "edit", "text": "x"}, "needs messageId"),
        ({"chatId": 1, "action": "sendDocument"}, "needs file"),
        ({"chatId": 1}, "needs text"),
        ({"chatId": "orders"}, "numeric id or @username"),
        ({"chatId": 1, "text": "x", "buttons": {"rows": []}}, "inline_keyboard"),
        ({"chatId": 1, "action": "sendPhoto", "file": {"url": "ftp://x/y"}}, "http"),
        ({"chatId": 1, "action": "poll"}, "action"),
    ],
)
def test_inputs_that_do_not_fit_the_action_are_refused_by_name(
    inputs: dict[str, Any], words: str
) -> None:
    assert words in TELEGRAM.invalid(**inputs).message
