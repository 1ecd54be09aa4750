"""RecordMessageStore on DynamoDB: one item per message in the Automations table, a partition
per record (`MESSAGE#<catalog id>#<record id>`, sort key the id zero-padded), ids from the
`messages` counter.

Not in the Records table: its stream is the change feed, and a message is no change of the
record (the dispatcher would read every message as a record event to ignore). A record's page
is one Query read backwards from `before`; nothing is scanned.
"""

from __future__ import annotations

from typing import Any

from automations.adapters.aws import dynamo
from automations.model.message import MessageDraft, MessagePage, RecordMessage

COUNTER = "messages"


def partition_of(catalog_id: str, record_id: str) -> str:
    """The partition key of a record's messages."""
    return f"MESSAGE#{catalog_id}#{record_id}"


class DynamoRecordMessageStore:
    """Messages in the Automations table.

    messages = DynamoRecordMessageStore(client, "Automations")
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def add(self, draft: MessageDraft) -> RecordMessage:
        message_id = str(dynamo.next_number(self._client, self._table, COUNTER))
        body = draft.model_dump(mode="json", exclude={"catalog_id", "record_id"})
        attributes = {
            "pk": partition_of(draft.catalog_id, draft.record_id),
            "sk": dynamo.padded(message_id),
            "body": dynamo.dumps(body),
        }
        # The counter never repeats a number: the condition only guards against a bug.
        if not dynamo.put_new(self._client, self._table, attributes, "pk"):
            raise AssertionError(f"message id {message_id} was taken")
        return RecordMessage(id=message_id, **draft.model_dump())

    def page(
        self, catalog_id: str, record_id: str, *, limit: int, before: str | None = None
    ) -> MessagePage:
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": {"S": partition_of(catalog_id, record_id)}}
        if before is not None:
            condition += " AND sk < :before"
            values[":before"] = {"S": dynamo.padded(before)}
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ScanIndexForward=False,  # newest (largest id) first
            Limit=limit + 1,  # one more says whether there is a next page
            ConsistentRead=True,
        )
        messages = [
            _message(dynamo.plain(item), catalog_id, record_id)
            for item in answer.get("Items", [])[:limit]
        ]
        more = len(answer.get("Items", [])) > limit and bool(messages)
        return MessagePage(messages=messages, next_before=messages[-1].id if more else None)


def _message(found: dict[str, Any], catalog_id: str, record_id: str) -> RecordMessage:
    return RecordMessage(
        id=found["sk"].lstrip("0") or "0",
        catalog_id=catalog_id,
        record_id=record_id,
        **dynamo.loads(found["body"]),
    )
