"""Stream records -> ChangeEvents: the events the DynamoDB record store's stream carries are the
ones the SQLite outbox holds for the same writes (records written through the record use cases
on both adapters, the stream read from moto and shaped as Lambda delivers it)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from automations.adapters.aws.catalogs import DynamoCatalogStore
from automations.adapters.aws.records import DynamoRecordStore
from automations.adapters.aws.streams import change_event
from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.asl.clock import VirtualClock
from automations.model.catalog import (
    CatalogDraft,
    CatalogPatch,
    FieldDraft,
    FieldType,
    patched_catalog,
)
from automations.model.event import ChangeEvent
from automations.service import records as use_cases
from automations.service.records import RecordDeps, Writer

T0 = 1_767_323_045.0


def lambda_records(table: str) -> list[dict[str, Any]]:
    """Every record of the table's stream, as a Lambda DynamoDB event carries it."""
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"][
        "LatestStreamArn"
    ]
    streams = boto3.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    found: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        found += streams.get_records(ShardIterator=iterator)["Records"]
    return [_as_lambda(record, stream_arn) for record in found]


def _as_lambda(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    # The API gives a datetime and no source ARN; Lambda gives epoch seconds and the ARN.
    images = dict(record["dynamodb"])
    moment = images.get("ApproximateCreationDateTime")
    if moment is not None and not isinstance(moment, int | float):
        images["ApproximateCreationDateTime"] = moment.timestamp()
    return {**record, "dynamodb": images, "eventSourceARN": stream_arn}


def _writes(deps: RecordDeps) -> None:
    """Creates, updates (one with nothing changed), a write by a process, deletes, and a
    catalog field deleted in between, so that hidden old values are in play."""
    catalog = deps.catalogs.create(
        CatalogDraft(
            name="Orders",
            fields=[
                FieldDraft(name="Title", type=FieldType.TEXT),
                FieldDraft(name="Total", type=FieldType.NUMBER),
                FieldDraft(name="Note", type=FieldType.TEXT),
            ],
        )
    )
    first = use_cases.create_record(deps, catalog.id, {"1": "A", "2": 1.5, "3": "n"})
    second = use_cases.create_record(deps, catalog.id, {"1": "B"}, Writer(user_id="7"))
    use_cases.update_record(deps, catalog.id, first.id, {"2": 3.0}, Writer(user_id="7", depth=2))
    use_cases.update_record(deps, catalog.id, first.id, {"2": 3.0})  # no change: no event
    kept = [f for f in catalog.fields if f.id != "3"]
    deps.catalogs.save(
        patched_catalog(
            catalog,
            CatalogPatch(fields=[FieldDraft(id=f.id, name=f.name, type=f.type) for f in kept]),
        )
    )
    use_cases.update_record(deps, catalog.id, first.id, {"1": "A2"})
    use_cases.delete_record(deps, catalog.id, second.id, Writer(depth=1))
    use_cases.delete_record(deps, catalog.id, first.id)


def _deps(catalogs: Any, records: Any, clock: VirtualClock) -> RecordDeps:
    ids = itertools.count(1)
    return RecordDeps(
        catalogs=catalogs, records=records, clock=clock, new_event_id=lambda: f"ev{next(ids)}"
    )


@pytest.fixture
def ticking() -> Callable[[], VirtualClock]:
    """A new clock at T0 that moves one second each time it is read (distinct event times)."""

    def make() -> VirtualClock:
        clock = VirtualClock(start=T0)
        original = clock.now

        def now() -> float:
            moment = original()
            clock.advance_to(moment + 1)
            return moment

        clock.now = now  # type: ignore[method-assign]
        return clock

    return make


@pytest.fixture
def sqlite_events(
    tmp_path: Path, ticking: Callable[[], VirtualClock]
) -> Iterator[list[ChangeEvent]]:
    db = Database(tmp_path / "a.db")
    clock = ticking()
    _writes(_deps(SqliteCatalogStore(db), SqliteRecordStore(db), clock))
    yield SqliteChangeFeed(db, clock).pending()
    db.close()


def test_stream_events_are_the_outbox_events(
    tables: dict[str, str],
    dynamodb: Any,
    ticking: Callable[[], VirtualClock],
    sqlite_events: list[ChangeEvent],
) -> None:
    records_table = tables["Records"]
    catalogs = DynamoCatalogStore(dynamodb, tables["Automations"], records_table=records_table)
    records = DynamoRecordStore(dynamodb, records_table, automations_table=tables["Automations"])
    _writes(_deps(catalogs, records, ticking()))
    from_stream = [change_event(r) for r in lambda_records(records_table)]
    assert [e for e in from_stream if e is not None] == sqlite_events
    assert len(sqlite_events) == 6
    assert {e.prev_values is not None for e in sqlite_events} == {True, False}


def test_a_tombstone_expiring_is_no_event(tables: dict[str, str], dynamodb: Any) -> None:
    records_table = tables["Records"]
    catalogs = DynamoCatalogStore(dynamodb, tables["Automations"], records_table=records_table)
    records = DynamoRecordStore(dynamodb, records_table, automations_table=tables["Automations"])
    deps = _deps(catalogs, records, VirtualClock(start=T0))
    catalog = catalogs.create(CatalogDraft(name="C", fields=[FieldDraft(name="T", type="text")]))
    record = use_cases.create_record(deps, catalog.id, {"1": "x"})
    use_cases.delete_record(deps, catalog.id, record.id)
    # What TTL does later: the tombstone goes, and the stream says REMOVE.
    dynamodb.delete_item(
        TableName=records_table,
        Key={"catalogId": {"S": catalog.id}, "recordId": {"S": record.id}},
    )
    kinds = [(r["eventName"], change_event(r) is None) for r in lambda_records(records_table)]
    assert kinds == [("INSERT", False), ("MODIFY", False), ("REMOVE", True)]


def _image(event_id: str | None) -> dict[str, Any]:
    image: dict[str, Any] = {
        "catalogId": {"S": "1"},
        "recordId": {"S": "2"},
        "values": {"S": '{"1":"x"}'},
        "revision": {"N": "1"},
        "eventType": {"S": "$record.after.create"},
        "eventDepth": {"N": "0"},
        "eventAt": {"S": "2026-01-02T00:00:00.000Z"},
    }
    if event_id is not None:
        image["eventId"] = {"S": event_id}
    return image


@pytest.mark.parametrize(
    ("name", "images", "wanted"),
    [
        ("INSERT", {"NewImage": _image("e1")}, "e1"),
        ("MODIFY", {"NewImage": _image("e2"), "OldImage": _image("e1")}, "e2"),
        ("MODIFY", {"NewImage": _image("e1"), "OldImage": _image("e1")}, None),
        ("INSERT", {"NewImage": _image(None)}, None),
        ("INSERT", {"Keys": {}}, None),
        ("REMOVE", {"OldImage": _image("e1")}, None),
    ],
)
def test_only_writes_that_carry_a_new_event_give_one(
    name: str, images: dict[str, Any], wanted: str | None
) -> None:
    event = change_event({"eventName": name, "dynamodb": images, "eventSourceARN": "arn"})
    assert (event.id if event is not None else None) == wanted
