"""What each messenger sends to its webhook: how a delivery proves where it came from, and which
messages it carries (`PLATFORMS`, by the scheme of the connection's URL).

A messenger connection is one of the operator's named connections (`ports.Connections`); its
URL's scheme names the platform and its query holds what checks deliveries:

    telegram://<token>@api.telegram.org?webhookSecret=<secret_token given to setWebhook>
    whatsapp://<phone number id>:<token>@graph.facebook.com?appSecret=<..>&verifyToken=<..>
    max://<token>@platform-api2.max.ru?webhookSecret=<secret given to POST /subscriptions>

(the sending components' URLs, `components/messenger_http.py`, with the receiving options added;
`telegram+http://` and the like name the same platform).

- Telegram repeats `secret_token` in `X-Telegram-Bot-Api-Secret-Token`.
- Meta signs the raw body: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 with the app secret>`,
  and checks the URL first with a GET (`hub.mode=subscribe`, `hub.verify_token`,
  `hub.challenge` to echo).
- Max repeats the subscription's `secret` in `X-Max-Bot-Api-Secret`.

A connection without its secret accepts nothing: an unchecked webhook would let anyone who
learns the URL start processes. Comparisons take constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from automations.model.event import EventType

Options = Mapping[str, str]
Headers = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message of a delivery: the key it is remembered by (the platform's own id, unique
    per connection), its event, and its start variable (named after the platform)."""

    key: str
    event: EventType
    facts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Platform:
    """A messenger's webhook: `verify` says why a delivery is refused (None: it is genuine);
    `messages` reads the messages a verified update carries (others, such as read receipts,
    give none)."""

    event: EventType
    verify: Callable[[str, Options, Headers, bytes], str | None]
    messages: Callable[[str, dict[str, Any]], list[Delivery]]


def connection_options(url: str) -> tuple[str, dict[str, str]]:
    """The platform a connection URL names (its scheme, lower case, without a `+http`
    transport) and its query parameters."""
    scheme, _, rest = url.strip().partition("://")
    _, _, query = rest.partition("?")
    platform = scheme.lower().split("+", 1)[0]
    return platform, dict(parse_qsl(query, keep_blank_values=True))


def header(headers: Headers, name: str) -> str | None:
    """A request header by name, whatever its case (None when absent)."""
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _secret_header(option: str, name: str) -> Callable[[str, Options, Headers, bytes], str | None]:
    """A check that header `name` repeats the connection's option `option`."""

    def verify(connection: str, options: Options, headers: Headers, body: bytes) -> str | None:
        expected = options.get(option, "")
        if not expected:
            return f"connection {connection!r} has no {option} to check deliveries with"
        if not _same(header(headers, name.lower()), expected):
            return f"the {name} header does not match connection {connection!r}"
        return None

    return verify


def _meta_signature(connection: str, options: Options, headers: Headers, body: bytes) -> str | None:
    secret = options.get("appSecret", "")
    if not secret:
        return f"connection {connection!r} has no appSecret to check signatures with"
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = header(headers, "x-hub-signature-256") or ""
    if not _same(given.lower(), f"sha256={digest}"):
        return f"the X-Hub-Signature-256 of the body does not match connection {connection!r}"
    return None


def handshake_answer(connection: str, options: Options, query: Mapping[str, str]) -> str | None:
    """The challenge to echo when Meta's verification request is for this connection; None
    when it is not (another mode, a wrong verify token, no challenge, no token configured)."""
    expected = options.get("verifyToken", "")
    challenge = query.get("hub.challenge", "")
    if not expected or query.get("hub.mode") != "subscribe" or not challenge:
        return None
    return challenge if _same(query.get("hub.verify_token"), expected) else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# Telegram's updates that are a new message (an edit, a button press or a member change is not).
_TELEGRAM_KINDS = ("message", "channel_post")


def _telegram_messages(connection: str, update: dict[str, Any]) -> list[Delivery]:
    update_id = update.get("update_id")
    kind = next((k for k in _TELEGRAM_KINDS if isinstance(update.get(k), dict)), None)
    if not isinstance(update_id, int) or kind is None:
        return []
    message = update[kind]
    facts = {
        "connection": connection,
        "updateId": update_id,
        "update": update,
        "message": message,
        "chatId": _object(message.get("chat")).get("id"),
        "text": message.get("text", message.get("caption")),
        "from": message.get("from", message.get("sender_chat")),
    }
    key = f"telegram:{connection}:{update_id}"
    return [Delivery(key, EventType.TELEGRAM_MESSAGE, {"telegram": facts})]


def _whatsapp_text(message: dict[str, Any]) -> Any:
    kind = message.get("type")
    part = _object(message.get(kind)) if isinstance(kind, str) else {}
    # A text's body; a picture's or document's caption; a quick-reply button's text.
    return part.get("body", part.get("caption", part.get("text")))


def _whatsapp_messages(connection: str, update: dict[str, Any]) -> list[Delivery]:
    found: list[Delivery] = []
    for entry in _list(update.get("entry")):
        for change in _list(_object(entry).get("changes")):
            value = _object(_object(change).get("value"))
            contacts = {c.get("wa_id"): c for c in map(_object, _list(value.get("contacts"))) if c}
            for message in map(_object, _list(value.get("messages"))):
                message_id = message.get("id")
                if not isinstance(message_id, str) or not message_id:
                    continue
                sender = message.get("from")
                facts = {
                    "connection": connection,
                    "update": value,  # this message's part of the notification
                    "message": message,
                    "chatId": sender,
                    "text": _whatsapp_text(message),
                    "from": contacts.get(sender, {"wa_id": sender}),
                    "phoneNumberId": _object(value.get("metadata")).get("phone_number_id"),
                }
                key = f"whatsapp:{connection}:{message_id}"
                found.append(Delivery(key, EventType.WHATSAPP_MESSAGE, {"whatsapp": facts}))
    return found


def _max_messages(connection: str, update: dict[str, Any]) -> list[Delivery]:
    if update.get("update_type") != "message_created":
        return []
    message = _object(update.get("message"))
    body = _object(message.get("body"))
    mid = body.get("mid")
    if not isinstance(mid, str) or not mid:
        return []
    facts = {
        "connection": connection,
        "update": update,
        "message": message,
        "chatId": _object(message.get("recipient")).get("chat_id"),
        "text": body.get("text"),
        "from": message.get("sender"),
    }
    key = f"max:{connection}:{mid}"
    return [Delivery(key, EventType.MAX_MESSAGE, {"maxMessenger": facts})]


PLATFORMS: dict[str, Platform] = {
    "telegram": Platform(
        EventType.TELEGRAM_MESSAGE,
        _secret_header("webhookSecret", "X-Telegram-Bot-Api-Secret-Token"),
        _telegram_messages,
    ),
    "whatsapp": Platform(EventType.WHATSAPP_MESSAGE, _meta_signature, _whatsapp_messages),
    "max": Platform(
        EventType.MAX_MESSAGE,
        _secret_header("webhookSecret", "X-Max-Bot-Api-Secret"),
        _max_messages,
    ),
}
# The platform of each messenger event (a subscription's connection must be of it).
PLATFORM_OF_EVENT = {platform.event: scheme for scheme, platform in PLATFORMS.items()}
