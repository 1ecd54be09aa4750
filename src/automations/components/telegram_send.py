"""`telegram.send`: a bot writes to a Telegram chat (the product's "Telegram"), through the Bot
API: `POST {base}/bot<token>/<method>` (`messenger_http` for the connection, the guard, the
retries and the errors).

Inputs:
- `connection` (required): a `telegram://<bot token>@api.telegram.org` connection.
- `action`: `sendMessage` (default), `sendLocation`, `sendContact`, `forward`, `edit`,
  `delete`, `sendDocument`, `sendPhoto`.
- `chatId` (required): a numeric chat id or `@channelusername`.
- `text`: the message (sendMessage, edit), or the caption of a document or photo.
- `format`: `text` (default), `markdown` (Telegram's MarkdownV2) or `html`.
- `buttons`: `{"inline_keyboard": [[...]]}`, `{"keyboard": [[...]], "resize": true}` or
  `{"remove_keyboard": true}`, sent as `reply_markup` (`resize` is Telegram's `resize_keyboard`).
- `replyTo`: the id of a message to answer; `silent`: send without a notification.
- `latitude`, `longitude` (sendLocation); `phone`, `firstName`, `lastName` (sendContact);
  `fromChatId`, `messageId` (forward); `messageId` (edit, delete).
- `file` (sendDocument, sendPhoto): a stored file's id (uploaded as multipart/form-data) or a
  URL (Telegram fetches it itself).
- `timeoutSeconds` (default 30, at most 300): the whole call, waits for rate limits included.

Result: the Message Telegram answers (`message_id`, `chat`, `date`, `text`...). Where Telegram
answers only `true` (`delete`, an edit of an inline message) it is `{message_id, chat: {id}}` as
the scenario named them, with `date` and `text` null.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from automations.components import messenger_http as mh
from automations.components.registry import ComponentContext, ComponentSpec, register

ERRORS = mh.error_codes("telegram")

Action = Literal[
    "sendMessage",
    "sendLocation",
    "sendContact",
    "forward",
    "edit",
    "delete",
    "sendDocument",
    "sendPhoto",
]
# Which inputs each action needs (beyond connection and chatId).
_NEEDS: dict[str, tuple[str, ...]] = {
    "sendMessage": ("text",),
    "sendLocation": ("latitude", "longitude"),
    "sendContact": ("phone", "firstName"),
    "forward": ("fromChatId", "messageId"),
    "edit": ("messageId", "text"),
    "delete": ("messageId",),
    "sendDocument": ("file",),
    "sendPhoto": ("file",),
}
_PARSE_MODES = {"markdown": "MarkdownV2", "html": "HTML"}
_KEYBOARDS = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")

ChatId = int | str


class TelegramSendInput(BaseModel):
    """What `telegram.send` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    connection: str = Field(min_length=1, max_length=200)
    action: Action = "sendMessage"
    chatId: ChatId
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    format: Literal["text", "markdown", "html"] = "text"
    buttons: dict[str, Any] | None = None
    replyTo: int | None = None
    silent: bool = False
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    phone: str | None = Field(default=None, min_length=1, max_length=64)
    firstName: str | None = Field(default=None, min_length=1, max_length=256)
    lastName: str | None = Field(default=None, max_length=256)
    fromChatId: ChatId | None = None
    messageId: int | None = None
    file: mh.FileRef | None = None
    timeoutSeconds: float = Field(default=30.0, gt=0, le=mh.MAX_TIMEOUT_SECONDS)

    @field_validator("chatId", "fromChatId")
    @classmethod
    def _chat(cls, value: ChatId | None) -> ChatId | None:
        if isinstance(value, str):
            value = value.strip()
            if value.lstrip("-").isdigit():
                return int(value)
            if not (value.startswith("@") and len(value) > 1):
                raise ValueError("a chat is a numeric id or @username")
        return value

    @field_validator("buttons")
    @classmethod
    def _keyboard(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and not any(key in value for key in _KEYBOARDS):
            raise ValueError(f"buttons must hold one of {', '.join(_KEYBOARDS)}")
        return value

    @model_validator(mode="after")
    def _action_inputs(self) -> TelegramSendInput:
        missing = [name for name in _NEEDS[self.action] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"action {self.action} needs {', '.join(missing)}")
        return self


class TelegramSendResult(BaseModel):
    """The Message Telegram answered (all of its fields); the one named when it answered `true`."""

    model_config = ConfigDict(extra="allow")

    message_id: int | None = None
    chat: dict[str, Any] | None = None
    date: int | None = None
    text: str | None = None


def _read_refusal(status: int, body: Any) -> mh.Refusal | None:
    if isinstance(body, dict) and body.get("ok") is True:
        return None
    if not isinstance(body, dict) or "ok" not in body:
        return mh.Refusal(status if status >= 400 else 502, f"HTTP {status}: {mh.excerpt(body)}")
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    retry_after = parameters.get("retry_after") if parameters else None
    code = body.get("error_code")
    return mh.Refusal(
        code if isinstance(code, int) else status,
        str(body.get("description") or f"HTTP {status}"),
        retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None,
    )


def _common(params: TelegramSendInput) -> dict[str, Any]:
    fields: dict[str, Any] = {"chat_id": params.chatId}
    if params.silent:
        fields["disable_notification"] = True
    if params.replyTo is not None:
        fields["reply_parameters"] = {"message_id": params.replyTo}
    if params.buttons is not None:
        fields["reply_markup"] = _markup(params.buttons)
    return fields


def _markup(buttons: dict[str, Any]) -> dict[str, Any]:
    markup = dict(buttons)
    if "resize" in markup:  # the product's spelling
        markup.setdefault("resize_keyboard", markup.pop("resize"))
    return markup


def _formatted(params: TelegramSendInput, key: str) -> dict[str, Any]:
    fields: dict[str, Any] = {key: params.text} if params.text is not None else {}
    if params.text is not None and params.format in _PARSE_MODES:
        fields["parse_mode"] = _PARSE_MODES[params.format]
    return fields


def _json_call(params: TelegramSendInput) -> tuple[str, dict[str, Any]]:
    """The method and JSON body of every action but a file upload."""
    chat: dict[str, Any] = {"chat_id": params.chatId}
    match params.action:
        case "sendMessage":
            return "sendMessage", {**_common(params), **_formatted(params, "text")}
        case "sendLocation":
            where = {"latitude": params.latitude, "longitude": params.longitude}
            return "sendLocation", {**_common(params), **where}
        case "sendContact":
            contact = {"phone_number": params.phone, "first_name": params.firstName}
            if params.lastName:
                contact["last_name"] = params.lastName
            return "sendContact", {**_common(params), **contact}
        case "forward":
            body = {**chat, "from_chat_id": params.fromChatId, "message_id": params.messageId}
            if params.silent:
                body["disable_notification"] = True
            return "forwardMessage", body
        case "edit":
            body = {**chat, "message_id": params.messageId, **_formatted(params, "text")}
            if params.buttons is not None:
                body["reply_markup"] = _markup(params.buttons)
            return "editMessageText", body
        case "delete":
            return "deleteMessage", {**chat, "message_id": params.messageId}
    raise AssertionError(f"no JSON call for {params.action}")


def _file_call(
    params: TelegramSendInput, ctx: ComponentContext
) -> tuple[str, dict[str, Any] | None, dict[str, str] | None, list[mh.Upload] | None]:
    """sendDocument / sendPhoto: (method, JSON body) for a URL Telegram fetches itself, or
    (method, form fields, file part) for a stored file."""
    method, key = (
        ("sendPhoto", "photo") if params.action == "sendPhoto" else ("sendDocument", "document")
    )
    fields = {**_common(params), **_formatted(params, "caption")}
    ref = params.file
    assert ref is not None  # the model checked it
    if ref.url is not None:
        return method, {**fields, key: ref.url}, None, None
    content = mh.stored_file(ctx, ref, "telegram")
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    return method, None, form, [(key, (content.name, content.data, content.type))]


def run(params: TelegramSendInput, ctx: ComponentContext) -> TelegramSendResult:
    """Call the action's Bot API method; the Message it answers."""
    deadline = mh.Deadline(params.timeoutSeconds)
    account = mh.account_of(ctx, params.connection, "telegram")
    body: dict[str, Any] | None
    form: dict[str, str] | None = None
    files: list[mh.Upload] | None = None
    if params.action in ("sendDocument", "sendPhoto"):
        method, body, form, files = _file_call(params, ctx)
    else:
        method, body = _json_call(params)
    request = mh.ApiRequest(
        what=method,
        method="POST",
        url=f"{account.base}/bot{mh.TOKEN_MARK}/{method}",
        json=body,
        data=form,
        files=files,
    )
    answer = mh.call(account, request, deadline, _read_refusal)
    result = answer.get("result") if isinstance(answer, dict) else None
    if isinstance(result, dict):
        return TelegramSendResult.model_validate(result)
    # `true` (delete, an edit of an inline message): the message as the scenario named it.
    return TelegramSendResult(message_id=params.messageId, chat={"id": params.chatId})


SPEC = register(
    ComponentSpec(
        name="telegram.send",
        input_model=TelegramSendInput,
        result_model=TelegramSendResult,
        errors=ERRORS,
        run=run,
        summary="Send, forward, edit or delete a Telegram bot's message, a location, a contact "
        "or a file.",
        title="Telegram",
        error_descriptions=mh.descriptions("telegram"),
    )
)
