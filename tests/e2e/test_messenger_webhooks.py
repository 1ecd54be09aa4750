"""Messenger webhooks on a real `automations dev`: `/api/messengers/{connection}` checks each
platform's proof (Telegram's secret token header, Meta's body signature and GET handshake,
Max's secret header), starts one process per message for the connection's subscriptions, and
starts it once however often (or however concurrently) the platform delivers it.

Each test has connections of its own (the server's `AUTOMATIONS_CONNECTIONS`), so what one
delivers starts nothing of another's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from support.devserver import Dev, starter, stop_all

TG_SECRET = "tg-secret_0123456789"
APP_SECRET = "meta-app-secret"
MAX_SECRET = "max-secret-42"
MAX_BODY = 65_536
CONNECTIONS = {
    name: f"telegram://123456:AA-token@api.telegram.org?webhookSecret={TG_SECRET}"
    for name in ("tg-refuse", "tg-once", "tg-race", "tg-unsubscribed")
} | {
    "wa": "whatsapp://1099:EAAG-token@graph.facebook.com?version=v21.0&"
    f"appSecret={APP_SECRET}&verifyToken=verify-me",
    "max-bot": f"max+http://max-token@127.0.0.1:9?webhookSecret={MAX_SECRET}",
    "tg-open": "telegram://123456:AA-token@api.telegram.org",  # no secret configured
    "crm": "postgresql://reader:pw@127.0.0.1:5432/crm",
}
TG_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    started: list[Dev] = []
    folder = tmp_path_factory.mktemp("messengers")
    server = starter(folder, started)(connections=json.dumps(CONNECTIONS), max_body_bytes=MAX_BODY)
    for name in ("messenger-telegram", "messenger-whatsapp", "messenger-max"):
        server.save_scenario(name)
    yield server
    stop_all(started)


def subscribe(dev: Dev, connection: str, event: str, scenario: str) -> httpx.Response:
    body = {"connection": connection, "events": [event], "scenarioId": scenario}
    return dev.client.post("/api/v1/subscriptions", json=body)


def telegram_update(update_id: int, text: str, chat: int = 4242) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id * 10,
            "from": {"id": 77, "is_bot": False, "first_name": "Ada"},
            "chat": {"id": chat, "type": "private"},
            "date": 1_767_323_045,
            "text": text,
        },
    }


def deliver(
    dev: Dev, connection: str, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    # No credentials: the platform has none of ours.
    return httpx.post(
        f"{dev.url}/api/messengers/{connection}",
        content=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        timeout=30,
    )


def to_telegram(dev: Dev, connection: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {} if secret is None else {TG_HEADER: secret}
    return deliver(dev, connection, json.dumps(update).encode(), headers).status_code


def of_connection(dev: Dev, connection: str, event: str) -> list[dict[str, Any]]:
    """Every process this connection's messages started (full records)."""
    listed = dev.processes(eventType=event)
    found = [dev.process(p["id"]) for p in listed]
    key = event.split(".")[0][1:].replace("max", "maxMessenger")
    return [p for p in found if p["input"][key]["connection"] == connection]


def finished(dev: Dev, connection: str, event: str, count: int) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        found = of_connection(dev, connection, event)
        final = [p for p in found if p["status"] in ("completed", "error", "aborted")]
        return found if len(final) >= count else None

    return dev.wait_for(done, what=f"{count} processes of {connection}")  # type: ignore[no-any-return]


# --- Telegram ---------------------------------------------------------------------------------


def test_a_delivery_without_the_secret_token_is_refused_and_starts_nothing(dev: Dev) -> None:
    assert subscribe(dev, "tg-refuse", "$telegram.message", "messenger-telegram").is_success
    assert to_telegram(dev, "tg-refuse", telegram_update(1, "forged"), None) == 401
    wrong = deliver(
        dev,
        "tg-refuse",
        json.dumps(telegram_update(2, "forged")).encode(),
        {TG_HEADER: TG_SECRET + "x"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "messenger.unverified"
    assert TG_SECRET not in wrong.text
    # Every refusal answered before anything was stored: only the genuine one runs.
    assert to_telegram(dev, "tg-refuse", telegram_update(3, "genuine"), TG_SECRET) == 200
    [process] = finished(dev, "tg-refuse", "$telegram.message", 1)
    assert process["output"]["heard"] == "genuine"


def test_a_message_runs_its_scenario_with_the_text_once_though_delivered_twice(dev: Dev) -> None:
    assert subscribe(dev, "tg-once", "$telegram.message", "messenger-telegram").is_success
    update = telegram_update(500, "Привет, бот")
    assert to_telegram(dev, "tg-once", update, TG_SECRET) == 200
    assert to_telegram(dev, "tg-once", update, TG_SECRET) == 200  # the platform's retry
    # Each answer came after its processes were stored: a second one would be listed now.
    assert len(of_connection(dev, "tg-once", "$telegram.message")) == 1
    [process] = finished(dev, "tg-once", "$telegram.message", 1)
    assert process["status"] == "completed"
    assert process["output"]["heard"] == "Привет, бот"
    assert process["output"]["chat"] == 4242
    seen = process["input"]["telegram"]
    assert seen["update"] == update and seen["message"] == update["message"]
    assert seen["from"]["first_name"] == "Ada" and seen["updateId"] == 500
    assert process["input"]["event"]["type"] == "$telegram.message"
    assert process["input"]["event"]["async"] is True
    # Another update is another message.
    assert to_telegram(dev, "tg-once", telegram_update(501, "again"), TG_SECRET) == 200
    assert len(of_connection(dev, "tg-once", "$telegram.message")) == 2


def test_deliveries_of_one_update_at_once_start_one_process(dev: Dev) -> None:
    assert subscribe(dev, "tg-race", "$telegram.message", "messenger-telegram").is_success
    update = telegram_update(900, "race")
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: to_telegram(dev, "tg-race", update, TG_SECRET), range(8)))
    assert codes == [200] * 8
    assert len(of_connection(dev, "tg-race", "$telegram.message")) == 1


def test_other_updates_and_unsubscribed_bots_are_accepted_and_start_nothing(dev: Dev) -> None:
    # An edit is not a new message; a bot no scenario subscribed to is answered all the same.
    edit = {"update_id": 7, "edited_message": telegram_update(7, "edited")["message"]}
    assert to_telegram(dev, "tg-unsubscribed", edit, TG_SECRET) == 200
    assert to_telegram(dev, "tg-unsubscribed", telegram_update(8, "hi"), TG_SECRET) == 200
    assert of_connection(dev, "tg-unsubscribed", "$telegram.message") == []


def test_a_connection_without_a_webhook_secret_accepts_nothing(dev: Dev) -> None:
    answer = deliver(dev, "tg-open", json.dumps(telegram_update(1, "x")).encode(), {TG_HEADER: ""})
    assert answer.status_code == 401
    assert "no webhookSecret" in answer.json()["message"]


# --- requests that are no delivery ---------------------------------------------------------------


@pytest.mark.parametrize("connection", ["nobody", "crm"])
def test_a_connection_that_is_no_messenger_is_not_found(dev: Dev, connection: str) -> None:
    answer = deliver(dev, connection, b"{}", {TG_HEADER: TG_SECRET})
    assert answer.status_code == 404
    assert answer.json()["message"] == f"no messenger connection {connection!r}"


def test_a_body_that_is_not_json_is_refused_with_what_is_wrong(dev: Dev) -> None:
    answer = deliver(dev, "tg-unsubscribed", b"update_id=1", {TG_HEADER: TG_SECRET})
    assert answer.status_code == 400
    assert answer.json()["code"] == "messenger.body_invalid"
    assert "not JSON" in answer.json()["message"]
    listed = deliver(dev, "tg-unsubscribed", b"[1, 2]", {TG_HEADER: TG_SECRET})
    assert listed.status_code == 400 and "not a JSON object" in listed.json()["message"]


def test_a_body_over_the_limit_is_refused_before_anything_reads_it(dev: Dev) -> None:
    big = json.dumps(telegram_update(1, "x" * MAX_BODY)).encode()
    answer = deliver(dev, "tg-unsubscribed", big, {TG_HEADER: TG_SECRET})
    assert answer.status_code == 413
    assert f"larger than {MAX_BODY} bytes" in answer.json()["message"]


# --- WhatsApp (Meta) ---------------------------------------------------------------------------


def whatsapp_notification(*messages: tuple[str, str]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001099",
                                "phone_number_id": "1099",
                            },
                            "contacts": [{"profile": {"name": "Bo"}, "wa_id": "79990001122"}],
                            "messages": [
                                {
                                    "from": "79990001122",
                                    "id": message_id,
                                    "timestamp": "1767323045",
                                    "type": "text",
                                    "text": {"body": text},
                                }
                                for message_id, text in messages
                            ],
                        },
                    }
                ],
            }
        ],
    }


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


def test_whatsapp_deliveries_are_checked_by_their_signature(dev: Dev) -> None:
    assert subscribe(dev, "wa", "$whatsapp.message", "messenger-whatsapp").is_success
    forged = json.dumps(whatsapp_notification(("wamid.F", "forged"))).encode()
    assert deliver(dev, "wa", forged, signed(forged, "another-secret")).status_code == 401
    assert deliver(dev, "wa", forged).status_code == 401
    body = json.dumps(whatsapp_notification(("wamid.A", "один"), ("wamid.B", "два"))).encode()
    assert deliver(dev, "wa", body, signed(body)).status_code == 200
    assert deliver(dev, "wa", body, signed(body)).status_code == 200  # redelivered
    found = finished(dev, "wa", "$whatsapp.message", 2)
    assert sorted(p["output"]["heard"] for p in found) == ["два", "один"]
    assert {p["output"]["chat"] for p in found} == {"79990001122"}
    assert found[0]["input"]["whatsapp"]["from"]["profile"]["name"] == "Bo"
    # A read receipt carries no message.
    receipt = whatsapp_notification()
    receipt["entry"][0]["changes"][0]["value"]["statuses"] = [{"id": "wamid.A", "status": "read"}]
    text = json.dumps(receipt).encode()
    assert deliver(dev, "wa", text, signed(text)).status_code == 200
    assert len(of_connection(dev, "wa", "$whatsapp.message")) == 2


def test_meta_verification_echoes_the_challenge_for_the_right_token_only(dev: Dev) -> None:
    url = f"{dev.url}/api/messengers/wa"
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
    }
    answer = httpx.get(url, params=query)
    assert answer.status_code == 200 and answer.text == "1158201444"
    assert answer.headers["content-type"].startswith("text/plain")
    wrong = httpx.get(url, params=query | {"hub.verify_token": "guess"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert httpx.get(url, params=query | {"hub.mode": "unsubscribe"}).status_code == 403
    # A Telegram connection has no verify token: nothing to hand a challenge back for.
    telegram = httpx.get(f"{dev.url}/api/messengers/tg-once", params=query)
    assert telegram.status_code == 403


# --- Max ----------------------------------------------------------------------------------------


def test_max_deliveries_need_the_subscription_secret(dev: Dev) -> None:
    assert subscribe(dev, "max-bot", "$max.message", "messenger-max").is_success
    update = {
        "update_type": "message_created",
        "timestamp": 1_767_323_045_000,
        "message": {
            "sender": {"user_id": 5, "name": "Ivan"},
            "recipient": {"chat_id": -7001, "chat_type": "dialog"},
            "timestamp": 1_767_323_045_000,
            "body": {"mid": "mid.00000001", "seq": 1, "text": "Здравствуйте"},
        },
    }
    body = json.dumps(update).encode()
    assert deliver(dev, "max-bot", body, {"X-Max-Bot-Api-Secret": "nope"}).status_code == 401
    assert deliver(dev, "max-bot", body, {"X-Max-Bot-Api-Secret": MAX_SECRET}).status_code == 200
    assert deliver(dev, "max-bot", body, {"X-Max-Bot-Api-Secret": MAX_SECRET}).status_code == 200
    [process] = finished(dev, "max-bot", "$max.message", 1)
    assert process["output"]["heard"] == "Здравствуйте"
    assert process["output"]["chat"] == -7001
    # The subscription keeps its scenario from being deleted, and is named by its bot.
    refused = dev.client.delete("/api/v1/scenarios/messenger-max")
    assert refused.status_code == 409
    assert [e["message"] for e in refused.json()["errors"]] == [
        "subscription to $max.message of connection max-bot"
    ]


# --- subscriptions -------------------------------------------------------------------------------


def test_a_messenger_subscription_must_name_a_connection_of_its_platform(dev: Dev) -> None:
    cases = [
        ({"connection": "wa", "events": ["$telegram.message"]}, "not a telegram:// connection"),
        ({"connection": "crm", "events": ["$max.message"]}, "not a max:// connection"),
        ({"connection": "ghost", "events": ["$telegram.message"]}, "no connection 'ghost'"),
        ({"events": ["$telegram.message"]}, "name the messenger connection"),
        (
            {"connection": "wa", "events": ["$whatsapp.message", "$telegram.message"]},
            "one messenger only",
        ),
        (
            {"connection": "wa", "catalogId": "1", "events": ["$whatsapp.message"]},
            "not a catalog",
        ),
    ]
    for body, message in cases:
        answer = dev.client.post(
            "/api/v1/subscriptions", json=body | {"scenarioId": "messenger-telegram"}
        )
        assert answer.status_code == 400, body
        assert message in answer.json()["message"], (body, answer.json())
    listed = dev.ok("GET", "/api/v1/subscriptions")
    assert {s["connection"] for s in listed} >= {"tg-once", "wa"}


def test_deliveries_need_no_session_and_no_csrf_token(dev: Dev) -> None:
    # A browser session's cookie does not matter either way: the route is the platform's.
    answer = httpx.post(
        f"{dev.url}/api/messengers/tg-unsubscribed",
        content=json.dumps(telegram_update(99, "x")).encode(),
        headers={TG_HEADER: TG_SECRET, "Cookie": "session=stale", "Origin": "https://evil.example"},
    )
    assert answer.status_code == 200 and answer.json() == {"ok": True}
