"""RecordStore on DynamoDB: one item per record in the Records table, its event inside it.

There is no outbox: each write puts the whole item with the event it causes, and the table's
stream carries it to the dispatcher (`streams.change_event`). Creates are conditional on the
record not existing and on its catalog existing (one transaction over both tables); updates and
deletes on the stored revision. A delete leaves a tombstone (with a TTL) whose stream image
carries the delete event; every read skips tombstones.

Limitation: `find` and `count` read the catalog's whole partition and filter, sort and page in
Python with `automations.model.filters.matches` (the reference the SQLite compiler agrees with).
DynamoDB cannot evaluate these filters itself; this suits catalogs of up to some tens of
thousands of records, and each call costs a read of the whole catalog.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.catalogs import catalog_key
from automations.adapters.aws.dynamo import dumps, loads
from automations.adapters.aws.errors import TransactionCancelled
from automations.adapters.aws.tables import TTL_ATTRIBUTE
from automations.errors import StoreConflict
from automations.model.base import utc_iso
from automations.model.event import ChangeEvent
from automations.model.filters import FilterExpr, matches
from automations.model.record import Record, RecordQuery

TOMBSTONE_DAYS = 2  # longer than the stream keeps records (24 h), so redeliveries still read it
RECORD_COUNTER = "records"
_LIVE = "revision = :expected AND attribute_not_exists(deleted)"


class DynamoRecordStore:
    """Records in the Records table; ids from a counter per catalog in the Automations table
    (`COUNTER` / `records#<catalog id>`; the global `records` counter of older deployments is
    no longer read).

    records = DynamoRecordStore(client, "Records", automations_table="Automations")
    """

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        automations_table: str,
        tombstone_days: int = TOMBSTONE_DAYS,
    ) -> None:
        self._client = client
        self._table = table
        self._automations = automations_table
        self._tombstone_days = tombstone_days

    def next_id(self, catalog_id: str) -> str:
        counter = {"pk": "COUNTER", "sk": f"{RECORD_COUNTER}#{catalog_id}"}
        while True:
            added = self._add_one(counter)
            if added is not None:
                return str(added)
            # No counter yet: a new catalog, or one of a deployment from when ids were global.
            # The writer that seeds it (after the catalog's largest id) takes that id; one that
            # loses the race to seed finds the counter on its next turn and adds one.
            first = self._largest_id(catalog_id) + 1
            if dynamo.put_new(self._client, self._automations, {**counter, "value": first}, "pk"):
                return str(first)

    def _add_one(self, counter: dict[str, str]) -> int | None:
        """The counter plus one (one atomic ADD), or None when it does not exist yet."""
        answers: list[dict[str, Any]] = []
        written = dynamo.condition_held(
            lambda: answers.append(
                self._client.update_item(
                    TableName=self._automations,
                    Key=dynamo.item(counter),
                    UpdateExpression="ADD #v :one",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames={"#v": "value"},
                    ExpressionAttributeValues={":one": {"N": "1"}},
                    ReturnValues="UPDATED_NEW",
                )
            )
        )
        return int(answers[0]["Attributes"]["value"]["N"]) if written else None

    def _largest_id(self, catalog_id: str) -> int:
        """The largest record id of the catalog, tombstones included (ids are sort keys as text,
        so the order of the table is not theirs: every key of the partition is read, once)."""
        ids = (
            int(found["recordId"]["S"])
            for found in dynamo.query(
                self._client,
                TableName=self._table,
                KeyConditionExpression="catalogId = :c",
                ExpressionAttributeValues={":c": {"S": catalog_id}},
                ProjectionExpression="recordId",
                ConsistentRead=True,
            )
        )
        return max(ids, default=0)

    def get(self, catalog_id: str, record_id: str) -> Record | None:
        if not (catalog_id.isdigit() and record_id.isdigit()):
            return None
        found = dynamo.get(
            self._client, self._table, {"catalogId": catalog_id, "recordId": record_id}
        )
        return None if found is None or found.get("deleted") else _record(found)

    def find(self, catalog_id: str, query: RecordQuery) -> list[Record]:
        selected = self._matching(catalog_id, query.where)
        field_id = query.sort.field_id
        selected.sort(key=lambda r: _sort_key(r, field_id), reverse=query.sort.descending)
        return selected[query.offset : query.offset + query.limit]

    def count(self, catalog_id: str, where: FilterExpr | None = None) -> int:
        return len(self._matching(catalog_id, where))

    def _matching(self, catalog_id: str, where: FilterExpr | None) -> list[Record]:
        if not catalog_id.isdigit():
            return []
        live = (
            _record(found)
            for found in map(
                dynamo.plain,
                dynamo.query(
                    self._client,
                    TableName=self._table,
                    KeyConditionExpression="catalogId = :c",
                    ExpressionAttributeValues={":c": {"S": catalog_id}},
                    ConsistentRead=True,
                ),
            )
            if not found.get("deleted")
        )
        return [r for r in live if where is None or matches(where, r.id, r.values)]

    def create(self, record: Record, event: ChangeEvent) -> None:
        try:
            dynamo.transact(
                self._client,
                [
                    {
                        "ConditionCheck": {
                            "TableName": self._automations,
                            "Key": dynamo.item(catalog_key(record.catalog_id)),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": dynamo.item(_attributes(record, event)),
                            "ConditionExpression": "attribute_not_exists(recordId)",
                        }
                    },
                ],
            )
        except TransactionCancelled as exc:
            why = "its catalog is gone" if exc.failed(0) else "the id is taken"
            raise StoreConflict(f"record {record.id} cannot be created: {why}") from exc

    def update(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        return self._put_if(_attributes(record, event), expected_revision)

    def delete(self, record: Record, event: ChangeEvent, *, expected_revision: int) -> bool:
        expires = event.created_at + timedelta(days=self._tombstone_days)
        tombstone = {
            **_attributes(record.model_copy(update={"revision": expected_revision + 1}), event),
            "deleted": True,
            TTL_ATTRIBUTE: int(expires.timestamp()),
        }
        return self._put_if(tombstone, expected_revision)

    def _put_if(self, attributes: dict[str, Any], expected_revision: int) -> bool:
        return dynamo.condition_held(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=dynamo.item(attributes),
                ConditionExpression=_LIVE,
                ExpressionAttributeValues={":expected": {"N": str(expected_revision)}},
            )
        )


def _attributes(record: Record, event: ChangeEvent) -> dict[str, Any]:
    """The item: the record, and the event this write causes (see `streams.change_event`)."""
    return {
        "catalogId": record.catalog_id,
        "recordId": record.id,
        "values": dumps(record.values),
        "revision": record.revision,
        "createdAt": utc_iso(record.created_at),
        "updatedAt": utc_iso(record.updated_at),
        "eventId": event.id,
        "eventType": str(event.type),
        "eventUserId": event.user_id,
        "eventDepth": event.depth,
        "eventAt": utc_iso(event.created_at),
        # Left out when the event's values are the item's own (a create, a delete's last values).
        "eventValues": None if event.values == record.values else dumps(event.values),
        "eventPrevValues": None if event.prev_values is None else dumps(event.prev_values),
    }


def _record(found: dict[str, Any]) -> Record:
    return Record(
        id=found["recordId"],
        catalog_id=found["catalogId"],
        values=loads(found["values"]),
        revision=found["revision"],
        created_at=datetime.fromisoformat(found["createdAt"]),
        updated_at=datetime.fromisoformat(found["updatedAt"]),
    )


def _sort_key(record: Record, field_id: str | None) -> tuple[Any, ...]:
    """SQLite's order of `json_extract(values, field)` then id: NULL < numbers < text, where a
    list or an object compares as its JSON text and true/false as 1/0."""
    if field_id is None:
        return (int(record.id),)
    value = record.values.get(field_id)
    if value is None:
        rank: tuple[int, Any] = (0, 0)
    elif isinstance(value, bool | int | float):
        rank = (1, int(value) if isinstance(value, bool) else value)
    elif isinstance(value, str):
        rank = (2, value)
    else:
        rank = (2, dumps(value))
    return (*rank, int(record.id))
