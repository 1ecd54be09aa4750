"""What each messenger's delivery proves and carries (service/messenger_platforms.py)."""

from __future__ import annotations

import hashlib
import hmac

from automations.model.event import EventType
from automations.service.messenger_platforms import (
    PLATFORMS,
    connection_options,
    handshake_answer,
)

TELEGRAM, WHATSAPP, MAX = PLATFORMS["telegram"], PLATFORMS["whatsapp"], PLATFORMS["max"]


def test_a_connection_url_gives_its_platform_and_options() -> None:
    url = "TELEGRAM://123:abc@api.telegram.org?webhookSecret=s%2B1&x="
    assert connection_options(url) == ("telegram", {"webhookSecret": "s+1", "x": ""})
    assert connection_options("max+http://t@127.0.0.1:9")[0] == "max"  # a plain-HTTP gateway


def test_telegram_checks_the_secret_token_header_whatever_its_case() -> None:
    options = {"webhookSecret": "abc_DEF-1"}
    lower = {"x-telegram-bot-api-secret-token": "abc_DEF-1"}
    assert TELEGRAM.verify("bot", options, lower, b"") is None
    other = {"X-Telegram-Bot-Api-Secret-Token": "abc_def-1"}
    refused = TELEGRAM.verify("bot", options, other, b"")
    assert refused == "the X-Telegram-Bot-Api-Secret-Token header does not match connection 'bot'"
    assert TELEGRAM.verify("bot", {}, {"X-Telegram-Bot-Api-Secret-Token": ""}, b"") == (
        "connection 'bot' has no webhookSecret to check deliveries with"
    )


def test_meta_signs_the_raw_body_with_the_app_secret() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    digest = hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    options = {"appSecret": "app-secret"}
    assert WHATSAPP.verify("wa", options, {"X-Hub-Signature-256": f"sha256={digest}"}, body) is None
    upper = {"X-Hub-Signature-256": f"sha256={digest.upper()}"}
    assert WHATSAPP.verify("wa", options, upper, body) is None  # hex is hex
    # One byte more (a re-encoded body) is another body.
    assert WHATSAPP.verify("wa", options, {"X-Hub-Signature-256": f"sha256={digest}"}, body + b" ")
    assert WHATSAPP.verify("wa", options, {"X-Hub-Signature-256": digest}, body)  # no sha256=


def test_the_handshake_needs_subscribe_the_token_and_a_challenge() -> None:
    options = {"verifyToken": "v"}
    query = {"hub.mode": "subscribe", "hub.verify_token": "v", "hub.challenge": "12"}
    assert handshake_answer("wa", options, query) == "12"
    assert handshake_answer("wa", {}, query) is None
    assert handshake_answer("wa", options, query | {"hub.challenge": ""}) is None
    assert handshake_answer("wa", options, query | {"hub.verify_token": "w"}) is None


def test_telegram_messages_and_channel_posts_start_edits_and_buttons_do_not() -> None:
    post = {"update_id": 3, "channel_post": {"chat": {"id": -100}, "caption": "photo!"}}
    [delivery] = TELEGRAM.messages("bot", post)
    assert delivery.key == "telegram:bot:3" and delivery.event is EventType.TELEGRAM_MESSAGE
    facts = delivery.facts["telegram"]
    assert facts["chatId"] == -100 and facts["text"] == "photo!" and facts["from"] is None
    assert TELEGRAM.messages("bot", {"update_id": 4, "edited_message": {"text": "x"}}) == []
    assert TELEGRAM.messages("bot", {"update_id": 5, "callback_query": {"id": "q"}}) == []
    assert TELEGRAM.messages("bot", {"message": {"text": "no update id"}}) == []


def test_whatsapp_reads_every_message_of_a_notification_and_its_text() -> None:
    value = {
        "metadata": {"phone_number_id": "1099"},
        "messages": [
            {"id": "wamid.1", "from": "7", "type": "image", "image": {"caption": "look"}},
            {"id": "wamid.2", "from": "8", "type": "button", "button": {"text": "Yes"}},
            {"from": "9", "type": "text", "text": {"body": "no id: skipped"}},
        ],
    }
    update = {"entry": [{"changes": [{"value": value}]}, "not an entry"]}
    found = WHATSAPP.messages("wa", update)
    assert [d.key for d in found] == ["whatsapp:wa:wamid.1", "whatsapp:wa:wamid.2"]
    assert [d.facts["whatsapp"]["text"] for d in found] == ["look", "Yes"]
    assert found[0].facts["whatsapp"]["from"] == {"wa_id": "7"}  # no contact given for it
    assert found[0].facts["whatsapp"]["phoneNumberId"] == "1099"


def test_max_starts_on_a_new_message_only() -> None:
    created = {
        "update_type": "message_created",
        "message": {"recipient": {"chat_id": 1}, "body": {"mid": "mid.9", "text": "hi"}},
    }
    [delivery] = MAX.messages("m", created)
    assert delivery.key == "max:m:mid.9" and delivery.facts["maxMessenger"]["text"] == "hi"
    assert MAX.messages("m", created | {"update_type": "message_edited"}) == []
    assert MAX.messages("m", {"update_type": "bot_started", "chat_id": 1}) == []
