"""Record messages: write one on a record (a user through the API, a process through
`message.send`) and read a record's messages, newest first.

A message is written only on a record that exists; its text is kept as written, its mentions
parsed from it (a malformed one refuses the message), its attachments must be files the file
store holds, each described as it was then (name, type, size), so that the list never reads
the store again. Reading a record's messages needs the record too: a deleted record's
messages are no longer shown (as its values are not).

`ProcessMessages` implements `automations.ports.MessagesPort`; the adapters hand one to each run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from automations.asl.ports import Clock
from automations.model.base import from_epoch
from automations.model.message import (
    Attachment,
    MessageAuthor,
    MessageDraft,
    MessagePage,
    RecordMessage,
    checked_text,
    parse_mentions,
)
from automations.model.user import User
from automations.ports import (
    AttachmentMissing,
    CatalogNotFound,
    CatalogStore,
    FileStore,
    RecordMessageStore,
    RecordNotFound,
    RecordStore,
)


@dataclass(frozen=True, slots=True)
class MessageDeps:
    """The ports the message use cases need (no file store: no message can carry a file)."""

    catalogs: CatalogStore
    records: RecordStore
    messages: RecordMessageStore
    clock: Clock
    files: FileStore | None = None


def user_author(user: User) -> MessageAuthor:
    """A user as a message's author: their name, or their login when they have none."""
    return MessageAuthor(kind="user", id=user.id, title=user.name or user.login)


def post_message(
    deps: MessageDeps,
    catalog_id: str,
    record_id: str,
    text: str,
    attachments: Sequence[str],
    author: MessageAuthor,
) -> RecordMessage:
    """Write a message on the record; the stored message (with its id)."""
    _existing_record(deps, catalog_id, record_id)
    file_ids = list(dict.fromkeys(attachments))  # the same file twice is one attachment
    checked_text(text, len(file_ids))
    mentions = parse_mentions(text)
    draft = MessageDraft(
        catalog_id=catalog_id,
        record_id=record_id,
        text=text,
        author=author,
        created_at=from_epoch(deps.clock.now()),
        mentions=mentions,
        attachments=[_attachment(deps, file_id) for file_id in file_ids],
    )
    return deps.messages.add(draft)


def messages_of(
    deps: MessageDeps, catalog_id: str, record_id: str, *, limit: int, before: str | None
) -> MessagePage:
    """One page of the record's messages, newest first."""
    _existing_record(deps, catalog_id, record_id)
    return deps.messages.page(catalog_id, record_id, limit=limit, before=before)


def _existing_record(deps: MessageDeps, catalog_id: str, record_id: str) -> None:
    if deps.catalogs.get(catalog_id) is None:
        raise CatalogNotFound(catalog_id)
    if deps.records.get(catalog_id, record_id) is None:
        raise RecordNotFound(catalog_id, record_id)


def _attachment(deps: MessageDeps, file_id: str) -> Attachment:
    stored = None if deps.files is None else deps.files.info(file_id)
    if stored is None:
        raise AttachmentMissing(file_id)
    return Attachment(id=stored.id, name=stored.name, type=stored.type, size=stored.size)


class ProcessMessages:
    """Messages as one running process writes them: it is their author. The author is asked
    for on the first message only (on AWS it reads the process record)."""

    def __init__(self, deps: MessageDeps, author: Callable[[], MessageAuthor]) -> None:
        self._deps = deps
        self._author = author
        self._known: MessageAuthor | None = None

    def send(
        self, catalog_id: str, record_id: str, text: str, attachments: Sequence[str]
    ) -> RecordMessage:
        """Write a message on the record, as this process."""
        if self._known is None:
            self._known = self._author()
        return post_message(self._deps, catalog_id, record_id, text, attachments, self._known)


def process_author(process_id: str, scenario_id: str) -> MessageAuthor:
    """A process as a message's author: its id, its scenario as the title."""
    return MessageAuthor(kind="process", id=process_id, title=scenario_id)
