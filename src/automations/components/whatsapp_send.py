"""`whatsapp.send`: a business number writes to a WhatsApp user (the product's "WhatsApp"), through
the WhatsApp Business Cloud API: `POST {base}/{version}/{phone number id}/messages` with
`Authorization: Bearer <token>` (`messenger_http` for the connection, the guard, the retries and
the errors).

Inputs:
- `connection` (required): a `whatsapp://<phone number id>:<access token>@graph.facebook.com`
  connection; `?version=v21.0` (the default) picks the Graph API version.
- `action`: `text` (default), `location`, `contact`, `reaction`, `image`, `document`.
- `to` (required): the recipient's phone number in international form (`+79001234567`).
- `text`: the message (text), or the caption of an image or document; `previewUrl` shows a
  link's preview.
- `latitude`, `longitude`, `name`, `address` (location); `phone`, `firstName`, `lastName`
  (contact); `messageId`, `emoji` (reaction: an empty emoji takes a reaction back).
- `file` (image, document): a stored file's id (uploaded to the number's media first) or a URL
  (WhatsApp fetches it itself).
- `replyTo`: the id of a message to answer.
- `timeoutSeconds` (default 30, at most 300): the whole call, waits for rate limits included.

Result: the sent message as the API lists it (`id`, `message_status` when it says) and its
`contacts` (`[{input, wa_id}]`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from automations.components import messenger_http as mh
from automations.components.registry import ComponentContext, ComponentSpec, register

ERRORS = mh.error_codes("whatsapp")
DEFAULT_VERSION = "v21.0"

Action = Literal["text", "location", "contact", "reaction", "image", "document"]
_NEEDS: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "location": ("latitude", "longitude"),
    "contact": ("phone", "firstName"),
    "reaction": ("messageId", "emoji"),
    "image": ("file",),
    "document": ("file",),
}
# Graph API codes that mean "too many calls, try later" (whatever HTTP status came with them).
_THROTTLED = {4, 80007, 130429, 131048, 131056, 613}
_UNAUTHORIZED = {190}
_FORBIDDEN = {3, 10, *range(200, 300)}


class WhatsAppSendInput(BaseModel):
    """What `whatsapp.send` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    connection: str = Field(min_length=1, max_length=200)
    action: Action = "text"
    to: str = Field(min_length=1, max_length=64)
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    previewUrl: bool = False
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    name: str | None = Field(default=None, max_length=1000)
    address: str | None = Field(default=None, max_length=1000)
    phone: str | None = Field(default=None, min_length=1, max_length=64)
    firstName: str | None = Field(default=None, min_length=1, max_length=256)
    lastName: str | None = Field(default=None, max_length=256)
    messageId: str | None = Field(default=None, min_length=1, max_length=512)
    emoji: str | None = Field(default=None, max_length=32)
    file: mh.FileRef | None = None
    replyTo: str | None = Field(default=None, min_length=1, max_length=512)
    timeoutSeconds: float = Field(default=30.0, gt=0, le=mh.MAX_TIMEOUT_SECONDS)

    @field_validator("to")
    @classmethod
    def _phone(cls, value: str) -> str:
        digits = "".join(c for c in value if c not in " -()")
        if not digits.removeprefix("+").isdigit():
            raise ValueError("`to` is a phone number in international form (+79001234567)")
        return digits

    @model_validator(mode="after")
    def _action_inputs(self) -> WhatsAppSendInput:
        missing = [name for name in _NEEDS[self.action] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"action {self.action} needs {', '.join(missing)}")
        return self


class WhatsAppSendResult(BaseModel):
    """The sent message (`messages[0]` of the answer, all its fields) and the answer's contacts."""

    model_config = ConfigDict(extra="allow")

    id: str
    contacts: list[dict[str, Any]] = Field(default_factory=list)


def _read_refusal(status: int, body: Any) -> mh.Refusal | None:
    error = body.get("error") if isinstance(body, dict) else None
    if status < 400 and error is None and isinstance(body, dict):
        return None
    if not isinstance(error, dict):
        return mh.Refusal(status if status >= 400 else 502, f"HTTP {status}: {mh.excerpt(body)}")
    code = error.get("code")
    words = str(error.get("message") or f"HTTP {status}")
    details = (
        error.get("error_data", {}).get("details")
        if isinstance(error.get("error_data"), dict)
        else None
    )
    if details:
        words += f": {details}"
    if code is not None:
        words += f" (code {code})"
    if code in _THROTTLED:
        return mh.Refusal(429, words, retry=True)
    if code in _UNAUTHORIZED:
        return mh.Refusal(401, words)
    if code in _FORBIDDEN and status in (400, 403):
        return mh.Refusal(403, words)
    return mh.Refusal(status if status >= 400 else 502, words)


def _base(account: mh.Account) -> str:
    version = account.options.get("version") or DEFAULT_VERSION
    return f"{account.base}/{version}/{account.user}"


def _headers(account: mh.Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def _media(
    params: WhatsAppSendInput, ctx: ComponentContext, account: mh.Account, deadline: mh.Deadline
) -> dict[str, Any]:
    """The image or document object: a link WhatsApp fetches, or the id of a stored file
    uploaded to the number's media first."""
    ref = params.file
    assert ref is not None  # the model checked it
    media: dict[str, Any]
    if ref.url is not None:
        media = {"link": ref.url}
        name = ref.name or ref.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    else:
        content = mh.stored_file(ctx, ref, "whatsapp")
        upload = mh.ApiRequest(
            what="media upload",
            method="POST",
            url=f"{_base(account)}/media",
            headers=_headers(account),
            data={"messaging_product": "whatsapp", "type": content.type},
            files=[("file", (content.name, content.data, content.type))],
        )
        answer = mh.call(account, upload, deadline, _read_refusal)
        media_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(media_id, str):
            raise mh.failed(
                "whatsapp", mh.FAILED, f"{account.label}: the media upload answered no id"
            )
        media, name = {"id": media_id}, content.name
    if params.text is not None:
        media["caption"] = params.text
    if params.action == "document" and name:
        media["filename"] = name
    return media


def _message(
    params: WhatsAppSendInput, ctx: ComponentContext, account: mh.Account, deadline: mh.Deadline
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": params.to,
        "type": params.action if params.action != "contact" else "contacts",
    }
    if params.replyTo is not None and params.action != "reaction":
        body["context"] = {"message_id": params.replyTo}
    match params.action:
        case "text":
            body["text"] = {"body": params.text, "preview_url": params.previewUrl}
        case "location":
            where: dict[str, Any] = {"latitude": params.latitude, "longitude": params.longitude}
            where |= {k: v for k, v in (("name", params.name), ("address", params.address)) if v}
            body["location"] = where
        case "contact":
            full = " ".join(p for p in (params.firstName, params.lastName) if p)
            person: dict[str, Any] = {"formatted_name": full, "first_name": params.firstName}
            if params.lastName:
                person["last_name"] = params.lastName
            body["contacts"] = [{"name": person, "phones": [{"phone": params.phone}]}]
        case "reaction":
            body["reaction"] = {"message_id": params.messageId, "emoji": params.emoji}
        case "image" | "document":
            body[params.action] = _media(params, ctx, account, deadline)
    return body


def run(params: WhatsAppSendInput, ctx: ComponentContext) -> WhatsAppSendResult:
    """Send the message (a stored file uploaded first); the message the API lists."""
    deadline = mh.Deadline(params.timeoutSeconds)
    account = mh.account_of(ctx, params.connection, "whatsapp")
    request = mh.ApiRequest(
        what="messages",
        method="POST",
        url=f"{_base(account)}/messages",
        headers=_headers(account),
        json=_message(params, ctx, account, deadline),
    )
    answer = mh.call(account, request, deadline, _read_refusal)
    messages = answer.get("messages") if isinstance(answer, dict) else None
    if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
        raise mh.failed(
            "whatsapp",
            mh.FAILED,
            f"{account.label}: the answer lists no message: {mh.excerpt(answer)}",
        )
    contacts = answer.get("contacts") if isinstance(answer.get("contacts"), list) else []
    return WhatsAppSendResult.model_validate({**messages[0], "contacts": contacts})


SPEC = register(
    ComponentSpec(
        name="whatsapp.send",
        input_model=WhatsAppSendInput,
        result_model=WhatsAppSendResult,
        errors=ERRORS,
        run=run,
        summary="Send a WhatsApp Business message: text, a location, a contact, a reaction, an "
        "image or a document.",
        title="WhatsApp",
        error_descriptions=mh.descriptions("whatsapp"),
    )
)
