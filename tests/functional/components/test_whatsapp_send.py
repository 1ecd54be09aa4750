"""`whatsapp.send` against a stand-in of the WhatsApp Business Cloud API on loopback
(`support.messenger_servers`): each action's request (path, method, `Authorization`, JSON body;
the media upload's multipart parts) as the Cloud API reference defines it, and each Graph API
error's mapping to a `whatsapp.*` code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from automations.components import messenger_http
from support.mail_servers import MemoryFiles
from support.messenger_calls import MessengerCalls
from support.messenger_calls import loopback_allowed as loopback_allowed
from support.messenger_calls import waits as waits
from support.messenger_servers import (
    WHATSAPP_PHONE_ID,
    WHATSAPP_TOKEN,
    WhatsAppServer,
    whatsapp_error,
)

MESSAGES = f"/v21.0/{WHATSAPP_PHONE_ID}/messages"
MEDIA = f"/v21.0/{WHATSAPP_PHONE_ID}/media"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) + b"\xff\xd9"
WHATSAPP = MessengerCalls("whatsapp.send", "shop", {"to": "+7 900 123-45-67"}, (WHATSAPP_TOKEN,))


@pytest.fixture
def whatsapp() -> Iterator[WhatsAppServer]:
    with WhatsAppServer() as server:
        yield server


def test_a_text_is_one_post_with_the_bearer_token(whatsapp: WhatsAppServer) -> None:
    result = WHATSAPP.send(
        whatsapp, text="Заказ № 42 готов: https://shop.example/42", previewUrl=True
    )
    (request,) = whatsapp.requests
    assert (request.method, request.path) == ("POST", MESSAGES)
    assert request.headers["authorization"] == f"Bearer {WHATSAPP_TOKEN}"
    assert request.content_type == "application/json"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+79001234567",
        "type": "text",
        "text": {"body": "Заказ № 42 готов: https://shop.example/42", "preview_url": True},
    }
    assert result == {
        "id": "wamid.HBgL000001",
        "message_status": "accepted",
        "contacts": [{"input": "+79001234567", "wa_id": "79001234567"}],
    }


@pytest.mark.parametrize(
    ("inputs", "fields"),
    [
        (
            {
                "action": "location",
                "latitude": 55.75,
                "longitude": 37.62,
                "name": "Склад",
                "address": "Казань, ул. Примерная, 1",
            },
            {
                "type": "location",
                "location": {
                    "latitude": 55.75,
                    "longitude": 37.62,
                    "name": "Склад",
                    "address": "Казань, ул. Примерная, 1",
                },
            },
        ),
        (
            {
                "action": "contact",
                "phone": "+79991234567",
                "firstName": "Иван",
                "lastName": "Петров",
            },
            {
                "type": "contacts",
                "contacts": [
                    {
                        "name": {
                            "formatted_name": "Иван Петров",
                            "first_name": "Иван",
                            "last_name": "Петров",
                        },
                        "phones": [{"phone": "+79991234567"}],
                    }
                ],
            },
        ),
        (
            {"action": "reaction", "messageId": "wamid.HBgLOLD", "emoji": "👍"},
            {"type": "reaction", "reaction": {"message_id": "wamid.HBgLOLD", "emoji": "👍"}},
        ),
        (
            {"action": "text", "text": "Да", "replyTo": "wamid.HBgLOLD"},
            {
                "type": "text",
                "text": {"body": "Да", "preview_url": False},
                "context": {"message_id": "wamid.HBgLOLD"},
            },
        ),
        (
            {
                "action": "document",
                "file": {"url": "https://shop.example/i/42.pdf?s=1"},
                "text": "Счёт",
            },
            {
                "type": "document",
                "document": {
                    "link": "https://shop.example/i/42.pdf?s=1",
                    "caption": "Счёт",
                    "filename": "42.pdf",
                },
            },
        ),
    ],
)
def test_each_action_sends_the_cloud_apis_message_object(
    whatsapp: WhatsAppServer, inputs: dict[str, Any], fields: dict[str, Any]
) -> None:
    WHATSAPP.send(whatsapp, **inputs)
    (request,) = whatsapp.requests
    assert request.path == MESSAGES
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+79001234567",
        **fields,
    }


def test_a_stored_image_is_uploaded_to_media_first_and_sent_by_its_id(
    whatsapp: WhatsAppServer,
) -> None:
    files = MemoryFiles()
    stored = files.put("витрина.jpg", "image/jpeg", JPEG)
    WHATSAPP.send(whatsapp, files, action="image", file=stored.id, text="Новая витрина")
    upload, message = whatsapp.requests
    assert (upload.method, upload.path) == ("POST", MEDIA)
    assert upload.headers["authorization"] == f"Bearer {WHATSAPP_TOKEN}"
    assert upload.content_type == "multipart/form-data"
    parts = upload.parts
    assert parts["messaging_product"].text == "whatsapp"
    assert parts["type"].text == "image/jpeg"
    assert (parts["file"].filename, parts["file"].content_type, parts["file"].data) == (
        "витрина.jpg",
        "image/jpeg",
        JPEG,
    )
    assert message.path == MESSAGES
    assert message.json["type"] == "image"
    assert message.json["image"] == {"id": "media-1", "caption": "Новая витрина"}


def test_a_stored_document_keeps_its_file_name(whatsapp: WhatsAppServer) -> None:
    files = MemoryFiles()
    stored = files.put("Счёт 42.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")
    WHATSAPP.send(whatsapp, files, action="document", file=stored.id)
    assert whatsapp.requests[1].json["document"] == {"id": "media-1", "filename": "Счёт 42.pdf"}


@pytest.mark.parametrize(
    ("answer", "code", "words"),
    [
        (
            whatsapp_error(400, 131026, "Message undeliverable"),
            "whatsapp.bad_request",
            "Message undeliverable (code 131026)",
        ),
        (
            whatsapp_error(400, 100, "Invalid parameter", 2494010),
            "whatsapp.bad_request",
            "Invalid parameter",
        ),
        (
            whatsapp_error(401, 190, "Error validating access token"),
            "whatsapp.unauthorized",
            "Error validating access token",
        ),
        (
            whatsapp_error(400, 10, "Application does not have permission"),
            "whatsapp.forbidden",
            "permission",
        ),
        (
            whatsapp_error(500, 131000, "Something went wrong"),
            "whatsapp.failed",
            "Something went wrong",
        ),
    ],
)
def test_graph_api_errors_are_mapped_to_codes(
    whatsapp: WhatsAppServer, answer: tuple[int, Any], code: str, words: str
) -> None:
    whatsapp.answer_next(*answer)
    failed = WHATSAPP.failure(whatsapp, text="Привет")
    assert failed.code == code
    assert words in failed.message and "connection 'shop'" in failed.message
    assert len(whatsapp.requests) == 1


def test_a_wrong_token_is_whatsapp_unauthorized() -> None:
    with WhatsAppServer(token="EAAG-another") as server:
        url = server.connection.replace("EAAG-another", WHATSAPP_TOKEN)
        failed = WHATSAPP.refusal({"shop": url}, to="+7900", text="x")
    assert failed.code == "whatsapp.unauthorized"
    assert WHATSAPP_TOKEN not in str(failed)


def test_throttling_is_retried_with_backoff_then_rate_limited(
    whatsapp: WhatsAppServer, waits: list[float]
) -> None:
    whatsapp.answer_next(*whatsapp_error(400, 130429, "Rate limit hit"), times=10)
    failed = WHATSAPP.failure(whatsapp, text="Привет")
    assert failed.code == "whatsapp.rate_limited"
    assert "Rate limit hit (code 130429)" in failed.message
    assert len(whatsapp.requests) == messenger_http.MAX_ATTEMPTS
    assert waits == [1.0, 2.0, 4.0]  # Meta names no wait: doubling from a second


def test_one_throttled_answer_then_the_message_goes(
    whatsapp: WhatsAppServer, waits: list[float]
) -> None:
    whatsapp.answer_next(*whatsapp_error(429, 80007, "Rate limit issues"))
    result = WHATSAPP.send(whatsapp, text="Привет")
    assert result["id"].startswith("wamid.") and waits == [1.0]
    assert len(whatsapp.requests) == 2


def test_an_upload_that_fails_sends_no_message(whatsapp: WhatsAppServer) -> None:
    files = MemoryFiles()
    stored = files.put("a.jpg", "image/jpeg", JPEG)
    whatsapp.answer_next(*whatsapp_error(400, 131053, "Media upload error"))
    failed = WHATSAPP.failure(whatsapp, files, action="image", file=stored.id)
    assert failed.code == "whatsapp.bad_request"
    assert "media upload" in failed.message
    assert [r.path for r in whatsapp.requests] == [MEDIA]


def test_a_missing_stored_file_is_whatsapp_file(whatsapp: WhatsAppServer) -> None:
    failed = WHATSAPP.failure(whatsapp, action="document", file="f_gone")
    assert failed.code == "whatsapp.file"
    assert whatsapp.requests == []


def test_a_connection_without_a_phone_number_id_is_whatsapp_connection() -> None:
    connections = {"shop": f"whatsapp://{WHATSAPP_TOKEN}@graph.facebook.com"}
    failed = WHATSAPP.refusal(connections, to="+7900", text="x")
    assert failed.code == "whatsapp.connection"
    assert "phone number id" in failed.message
    assert WHATSAPP_TOKEN not in failed.message


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ({"to": "+7900", "action": "reaction", "messageId": "wamid.X"}, "needs emoji"),
        ({"to": "+7900", "action": "image"}, "needs file"),
        ({"to": "+7900"}, "needs text"),
        ({"to": "Иван", "text": "x"}, "international form"),
        ({"to": "+7900", "action": "sticker"}, "action"),
    ],
)
def test_inputs_that_do_not_fit_the_action_are_refused_by_name(
    inputs: dict[str, Any], words: str
) -> None:
    assert words in WHATSAPP.invalid(**inputs).message
