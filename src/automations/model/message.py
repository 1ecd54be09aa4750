"""Messages on a record (the product's comments in a record's history): who wrote what, when,
whom it mentions and which stored files it carries.

A message's text keeps the product's mention form as written, `<@catalogId:recordId;Title/@>`
(`<@$users:7;Anton/@>` mentions user 7); `mentions` is that list parsed, so that a reader need
not parse the text to find them. The author is a user (`kind` "user") or the process that
wrote it (`kind` "process", its scenario as the title), as the product's "System" author.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from automations.model.base import CamelModel, UtcDateTime
from automations.model.catalog import DigitId
from automations.model.errors import ModelError

MAX_TEXT_CHARS = 10_000
MAX_ATTACHMENTS = 20
DEFAULT_PAGE = 50
MAX_PAGE = 200

# `<@catalogId:recordId;Title/@>`: the catalog is an id or a system name (`$users`); the title
# is what the mention shows, anything but angle brackets.
_MENTION = re.compile(
    r"<@(?P<catalog>\$?[A-Za-z0-9_]{1,64}):(?P<record>[A-Za-z0-9_-]{1,64});"
    r"(?P<title>[^<>]{0,200}?)/@>"
)
_MENTION_START = "<@"


class MessageInvalid(ModelError):
    """Raised when a message cannot be written as given: no text and no files, text too long,
    a mention not in the product's form, too many attachments. `field` names the part."""

    def __init__(self, message: str, *, field: str) -> None:
        self.field = field
        self.field_id = field  # the API's error body names the part as `fieldId`
        super().__init__(message)


class Mention(CamelModel):
    """One `<@catalogId:recordId;Title/@>` of a message's text."""

    catalog_id: str
    record_id: str
    title: str


class MessageAuthor(CamelModel):
    """Who wrote a message: a user (their id and name) or a process (its id, its scenario)."""

    kind: Literal["user", "process"]
    id: str
    title: str = ""


class Attachment(CamelModel):
    """A stored file a message carries, as it was when the message was written."""

    id: str
    name: str
    type: str
    size: int


class MessageDraft(CamelModel):
    """A message before its store gives it an id."""

    catalog_id: DigitId
    record_id: DigitId
    text: str
    author: MessageAuthor
    created_at: UtcDateTime
    mentions: list[Mention] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)


class RecordMessage(MessageDraft):
    """A stored message; ids are numbered by the store (digits, growing: newer is larger)."""

    id: DigitId
    type: Literal["COMMENT"] = "COMMENT"  # the product's history entry type for a message


class MessagePage(CamelModel):
    """One page of a record's messages, newest first; `next_before` continues after its last
    one (None when there is no more)."""

    messages: list[RecordMessage]
    next_before: str | None = None


def parse_mentions(text: str) -> list[Mention]:
    """The mentions of `text` in order; MessageInvalid when a `<@` starts none."""
    found: list[Mention] = []
    position = 0
    while (start := text.find(_MENTION_START, position)) >= 0:
        match = _MENTION.match(text, start)
        if match is None:
            raise MessageInvalid(
                f"text: the mention at character {start + 1} is not in the form "
                "<@catalogId:recordId;Title/@> (for example <@$users:7;Anton/@>)",
                field="text",
            )
        found.append(
            Mention(catalog_id=match["catalog"], record_id=match["record"], title=match["title"])
        )
        position = match.end()
    return found


def checked_text(text: str, attachment_count: int) -> str:
    """The text as it is stored; MessageInvalid when a message would say nothing or too much."""
    if len(text) > MAX_TEXT_CHARS:
        raise MessageInvalid(
            f"text: {len(text)} characters, over the limit of {MAX_TEXT_CHARS}", field="text"
        )
    if not text.strip() and attachment_count == 0:
        raise MessageInvalid("text: a message needs text or at least one file", field="text")
    if attachment_count > MAX_ATTACHMENTS:
        raise MessageInvalid(
            f"attachments: {attachment_count} files, over the limit of {MAX_ATTACHMENTS}",
            field="attachments",
        )
    return text
