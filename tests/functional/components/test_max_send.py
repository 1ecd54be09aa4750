"""`max.send` against a stand-in of Max's bot API on loopback (`support.messenger_servers`):
messages (query, `Authorization`, JSON body), the upload of a file (the upload slot, the
multipart `data` part, the token attached), and each refusal's mapping to a `max.*` code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from automations.components import messenger_http
from support.file_server import FileServer
from support.mail_servers import MemoryFiles
from support.messenger_calls import MessengerCalls
from support.messenger_calls import loopback_allowed as loopback_allowed
from support.messenger_calls import waits as waits
from support.messenger_servers import MAX_TOKEN, MaxServer, max_error

DOCX = b"PK\x03\x04" + bytes(range(256)) * 2
MAX = MessengerCalls("max.send", "max-bot", secrets=(MAX_TOKEN,))


@pytest.fixture
def max_api() -> Iterator[MaxServer]:
    with MaxServer() as server:
        yield server


def test_a_markdown_text_to_a_chat_carries_the_token_in_the_header(max_api: MaxServer) -> None:
    result = MAX.send(max_api, chatId=-72000001, text="**Заказ № 42** готов", format="markdown")
    (request,) = max_api.requests
    assert (request.method, request.path) == ("POST", "/messages")
    assert request.query == {"chat_id": ["-72000001"]}
    assert request.headers["authorization"] == MAX_TOKEN  # the token itself, no scheme word
    assert "access_token" not in request.query
    assert request.json == {"text": "**Заказ № 42** готов", "format": "markdown"}
    assert result["body"]["text"] == "**Заказ № 42** готов"
    assert result["body"]["mid"].startswith("mid.")
    assert result["recipient"]["chat_id"] == -72000001
    assert result["sender"]["is_bot"] is True  # the whole message, its other fields too


def test_a_silent_html_text_to_a_user(max_api: MaxServer) -> None:
    MAX.send(max_api, userId=5550123, text="<b>Привет</b>", format="html", silent=True)
    request = max_api.requests[0]
    assert request.query == {"user_id": ["5550123"]}
    assert request.json == {"text": "<b>Привет</b>", "format": "html", "notify": False}


def test_a_stored_file_is_uploaded_then_attached_by_its_token(max_api: MaxServer) -> None:
    files = MemoryFiles()
    stored = files.put("Договор.docx", "application/msword", DOCX)
    result = MAX.send(max_api, files, chatId=1, action="file", file=stored.id, text="Договор")
    slot, upload, message = max_api.requests
    assert (slot.method, slot.path, slot.query) == ("POST", "/uploads", {"type": ["file"]})
    assert slot.headers["authorization"] == MAX_TOKEN
    assert upload.path == "/upload/1"
    assert "authorization" not in upload.headers  # the slot's URL is signed; the token stays home
    assert upload.content_type == "multipart/form-data"
    part = upload.parts["data"]
    assert (part.filename, part.content_type, part.data) == (
        "Договор.docx",
        "application/msword",
        DOCX,
    )
    assert message.json == {
        "text": "Договор",
        "attachments": [{"type": "file", "payload": {"token": "upload-token-2"}}],
    }
    assert result["body"]["attachments"] == message.json["attachments"]


def test_a_stored_image_takes_the_token_of_its_photo(max_api: MaxServer) -> None:
    files = MemoryFiles()
    stored = files.put("a.png", "image/png", b"\x89PNG\r\n\x1a\n")
    MAX.send(max_api, files, chatId=1, action="file", file=stored.id, fileType="image")
    slot, _, message = max_api.requests
    assert slot.query == {"type": ["image"]}
    assert message.json["attachments"] == [
        {"type": "image", "payload": {"token": "upload-token-2"}}
    ]


def test_an_image_by_url_is_attached_by_its_url(max_api: MaxServer) -> None:
    MAX.send(max_api, chatId=1, action="file", file="https://shop.example/p.jpg", fileType="image")
    (message,) = max_api.requests
    assert message.json["attachments"] == [
        {"type": "image", "payload": {"url": "https://shop.example/p.jpg"}}
    ]


@pytest.fixture
def web() -> Iterator[str]:
    """A web server on 127.0.0.1 serving a file to fetch."""
    server = FileServer({"/docs/act.pdf?v=2": ("application/pdf", DOCX)})
    yield server.base
    server.close()


def test_a_file_by_url_is_fetched_and_uploaded(max_api: MaxServer, web: str) -> None:
    MAX.send(max_api, chatId=1, action="file", file={"url": f"{web}/docs/act.pdf?v=2"})
    _, upload, message = max_api.requests
    part = upload.parts["data"]
    assert (part.filename, part.content_type, part.data) == ("act.pdf", "application/pdf", DOCX)
    assert message.json["attachments"][0]["type"] == "file"


def test_a_file_url_the_guard_refuses_is_max_forbidden_address(max_api: MaxServer) -> None:
    failed = MAX.failure(max_api, chatId=1, action="file", file="http://169.254.169.254/latest")
    assert failed.code == "max.forbidden_address"
    assert max_api.requests == []


def test_an_attachment_not_ready_is_sent_again_after_a_wait(
    max_api: MaxServer, waits: list[float]
) -> None:
    files = MemoryFiles()
    stored = files.put("big.pdf", "application/pdf", DOCX)
    # Max takes the upload, then refuses the first message: the file is still being processed.
    max_api.answer_next(
        *max_error(
            400, "attachment.not.ready", "Key: errors.process.attachment.file.not.processed"
        ),
        path="/messages",
    )
    result = MAX.send(max_api, files, chatId=1, action="file", file=stored.id)
    assert [r.path for r in max_api.requests] == ["/uploads", "/upload/1", "/messages", "/messages"]
    assert waits == [1.0]
    assert result["body"]["attachments"][0]["payload"]["token"] == "upload-token-2"


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (max_error(400, "proto.payload", "Invalid message text"), "max.bad_request"),
        (max_error(403, "chat.denied", "Bot is not a member of the chat"), "max.forbidden"),
        (max_error(404, "chat.not.found", "Chat 1 not found"), "max.not_found"),
        (max_error(503, "service.unavailable", "Service unavailable"), "max.failed"),
    ],
)
def test_refusals_are_mapped_to_codes_with_maxs_words(
    max_api: MaxServer, answer: tuple[int, Any], code: str
) -> None:
    max_api.answer_next(*answer)
    failed = MAX.failure(max_api, chatId=1, text="Привет")
    assert failed.code == code
    body = answer[1]
    assert f"{body['message']} ({body['code']})" in failed.message
    assert len(max_api.requests) == 1


def test_a_wrong_token_is_max_unauthorized() -> None:
    with MaxServer(token="the-right-one") as server:
        url = server.connection.replace("the-right-one", MAX_TOKEN)
        failed = MAX.refusal({"max-bot": url}, chatId=1, text="x")
    assert failed.code == "max.unauthorized"
    assert "Invalid access_token" in failed.message
    assert MAX_TOKEN not in str(failed)


def test_429_is_retried_then_max_rate_limited(max_api: MaxServer, waits: list[float]) -> None:
    max_api.answer_next(*max_error(429, "too.many.requests", "Too many requests"), times=10)
    failed = MAX.failure(max_api, chatId=1, text="Привет")
    assert failed.code == "max.rate_limited"
    assert len(max_api.requests) == messenger_http.MAX_ATTEMPTS
    assert waits == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ({"text": "x"}, "one of chatId and userId"),
        ({"chatId": 1, "userId": 2, "text": "x"}, "one of chatId and userId"),
        ({"chatId": 1}, "needs text"),
        ({"chatId": 1, "action": "file"}, "needs file"),
        ({"chatId": 1, "text": "x" * 4001}, "4000"),
    ],
)
def test_inputs_that_do_not_fit_are_refused_by_name(inputs: dict[str, Any], words: str) -> None:
    assert words in MAX.invalid(**inputs).message
