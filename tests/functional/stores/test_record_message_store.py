"""The RecordMessageStore contract, on SQLite and on DynamoDB (moto): ids that grow, a record's
messages newest first, pages continued with `before`, every part of a message kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto_env import fake_aws

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.messages import SqliteRecordMessageStore
from automations.model.message import (
    Attachment,
    MessageAuthor,
    MessageDraft,
    parse_mentions,
)
from automations.ports import RecordMessageStore

T = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
ROBOT = MessageAuthor(kind="process", id="p-1", title="check-order")
ANNA = MessageAuthor(kind="user", id="2", title="Anna")


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RecordMessageStore]:
    if request.param == "sqlite":
        database = Database(tmp_path / "messages.db")
        with database.transaction() as conn:  # the messages' catalogs (their foreign key)
            conn.execute("INSERT INTO catalogs (id, name, fields) VALUES (3, 'a', '[]')")
            conn.execute("INSERT INTO catalogs (id, name, fields) VALUES (4, 'b', '[]')")
        yield SqliteRecordMessageStore(database)
        database.close()
        return
    import boto3
    from moto import mock_aws

    from automations.adapters.aws.messages import DynamoRecordMessageStore
    from automations.adapters.aws.tables import create_tables

    fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb")
        names = create_tables(client, {"Automations": "automations-t"})
        yield DynamoRecordMessageStore(client, names["Automations"])


def draft(text: str, *, catalog: str = "3", record: str = "10", minutes: int = 0) -> MessageDraft:
    return MessageDraft(
        catalog_id=catalog,
        record_id=record,
        text=text,
        author=ROBOT,
        created_at=T + timedelta(minutes=minutes),
    )


def test_a_message_comes_back_whole(store: RecordMessageStore) -> None:
    text = "Done for <@$users:7;Anton/@> — готово"
    written = store.add(
        MessageDraft(
            catalog_id="3",
            record_id="10",
            text=text,
            author=ANNA,
            created_at=T,
            mentions=parse_mentions(text),
            attachments=[Attachment(id="a" * 32, name="Счёт.pdf", type="application/pdf", size=9)],
        )
    )
    [read] = store.page("3", "10", limit=10).messages
    assert read == written
    assert read.model_dump(mode="json") == {
        "catalogId": "3",
        "recordId": "10",
        "text": text,
        "author": {"kind": "user", "id": "2", "title": "Anna"},
        "createdAt": "2026-01-02T03:04:05.678Z",
        "mentions": [{"catalogId": "$users", "recordId": "7", "title": "Anton"}],
        "attachments": [{"id": "a" * 32, "name": "Счёт.pdf", "type": "application/pdf", "size": 9}],
        "id": written.id,
        "type": "COMMENT",
    }


def test_ids_grow_and_a_record_reads_newest_first(store: RecordMessageStore) -> None:
    ids = [store.add(draft(f"m{n}", minutes=n)).id for n in range(3)]
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    assert len(set(ids)) == 3
    page = store.page("3", "10", limit=10)
    assert [m.text for m in page.messages] == ["m2", "m1", "m0"]
    assert page.next_before is None


def test_each_record_has_its_own_messages(store: RecordMessageStore) -> None:
    store.add(draft("on 3/10"))
    store.add(draft("on 3/11", record="11"))
    store.add(draft("on 4/10", catalog="4"))
    assert [m.text for m in store.page("3", "10", limit=10).messages] == ["on 3/10"]
    assert [m.text for m in store.page("4", "10", limit=10).messages] == ["on 4/10"]
    assert store.page("3", "12", limit=10).messages == []


def test_pages_continue_before_the_last_id_until_there_is_no_more(
    store: RecordMessageStore,
) -> None:
    # Ids above 9 compare as numbers, not as text ("10" after "9").
    for n in range(12):
        store.add(draft(f"m{n}", minutes=n))
    seen: list[str] = []
    before: str | None = None
    pages = 0
    while True:
        page = store.page("3", "10", limit=5, before=before)
        seen += [m.text for m in page.messages]
        pages += 1
        if page.next_before is None:
            break
        assert page.next_before == page.messages[-1].id
        before = page.next_before
    assert seen == [f"m{n}" for n in reversed(range(12))]
    assert pages == 3


def test_a_page_of_exactly_the_rest_says_there_is_no_more(store: RecordMessageStore) -> None:
    for n in range(4):
        store.add(draft(f"m{n}"))
    first = store.page("3", "10", limit=2)
    second = store.page("3", "10", limit=2, before=first.next_before)
    assert [m.text for m in second.messages] == ["m1", "m0"]
    assert second.next_before is None
