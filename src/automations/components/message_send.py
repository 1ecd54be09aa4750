"""`message.send`: write a message on a record (the product's "Отправить сообщение"), with the
process as its author.

Inputs:
- `catalogId`, `recordId`: the record (ids as text or numbers).
- `text`: the message; it may mention anyone or anything in the product's form
  `<@catalogId:recordId;Title/@>` (`<@$users:7;Anton/@>`), kept as written and also listed
  parsed in the stored message.
- `attachments`: stored files (from `file.upload`, `mail.receive`, an upload through the API):
  a list of file ids, or of objects with an `id` or a `fileId` (one alone is a list of one).

Result: `{messageId}`. Errors:
- `message.catalog_not_found`, `message.record_not_found`: there is no such catalog or record.
- `message.invalid`: no text and no files, text over 10,000 characters, a mention not in the
  form above, more than 20 files.
- `message.attachment`: a file id names no stored file (or this server keeps no files).
- `message.unavailable`: messages cannot be written where this process runs.

The port (`automations.ports.MessagesPort`) comes in as `ComponentContext.services["messages"]`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from automations.components.errors import ComponentFailed
from automations.components.records_common import Id
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.model.message import MessageInvalid
from automations.ports import AttachmentMissing, CatalogNotFound, MessagesPort, RecordNotFound

SERVICE_KEY = "messages"
CATALOG_NOT_FOUND = "message.catalog_not_found"
RECORD_NOT_FOUND = "message.record_not_found"
INVALID = "message.invalid"
ATTACHMENT = "message.attachment"
UNAVAILABLE = "message.unavailable"
ERRORS = (RECORD_NOT_FOUND, CATALOG_NOT_FOUND, INVALID, ATTACHMENT, UNAVAILABLE)

# The port's errors -> this component's codes (what boundary events catch).
_CODES: dict[type[Exception], str] = {
    CatalogNotFound: CATALOG_NOT_FOUND,
    RecordNotFound: RECORD_NOT_FOUND,
    MessageInvalid: INVALID,
    AttachmentMissing: ATTACHMENT,
}


class MessageSendInput(BaseModel):
    """What `message.send` takes."""

    model_config = ConfigDict(extra="forbid")

    catalogId: Id
    recordId: Id
    text: str = ""
    attachments: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("text", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        # An expression may give a number, or nothing at all (a message of files only).
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("attachments", mode="before")
    @classmethod
    def _file_ids(cls, value: Any) -> Any:
        if value is None:
            return []
        items = [value] if isinstance(value, (dict, str)) else value
        if not isinstance(items, list):
            return items  # pydantic says what is wrong with it
        return [_file_id(item) for item in items]


def _file_id(item: Any) -> Any:
    # `file.upload`'s result and the API's files are objects; their `id` (or `fileId`) counts.
    if isinstance(item, dict):
        return item.get("id", item.get("fileId"))
    return item


class MessageSendResult(BaseModel):
    """The written message's id."""

    messageId: str


def messages_of(ctx: ComponentContext) -> MessagesPort:
    """The messages port the server gave this run."""
    port = ctx.services.get(SERVICE_KEY)
    if port is None:
        raise ComponentFailed(UNAVAILABLE, "messages cannot be written where this process runs")
    return port  # type: ignore[no-any-return]


def run(params: MessageSendInput, ctx: ComponentContext) -> MessageSendResult:
    """Write the message."""
    port = messages_of(ctx)
    try:
        sent = port.send(params.catalogId, params.recordId, params.text, params.attachments)
    except tuple(_CODES) as exc:
        code = next(code for kind, code in _CODES.items() if isinstance(exc, kind))
        raise ComponentFailed(code, str(exc)) from None
    return MessageSendResult(messageId=sent.id)


SPEC = register(
    ComponentSpec(
        name="message.send",
        input_model=MessageSendInput,
        result_model=MessageSendResult,
        errors=ERRORS,
        run=run,
        summary="Write a message on a record, mentions and stored files included.",
        title="Send message",
        family="records",
        error_descriptions={
            CATALOG_NOT_FOUND: "There is no such catalog.",
            RECORD_NOT_FOUND: "There is no such record in the catalog.",
            INVALID: "No text and no files, text too long, or a mention not in the form "
            "<@catalogId:recordId;Title/@>.",
            ATTACHMENT: "A file id names no stored file.",
            UNAVAILABLE: "Messages cannot be written where the process runs.",
        },
    )
)
