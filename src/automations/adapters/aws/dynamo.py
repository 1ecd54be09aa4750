"""What every DynamoDB store shares: attribute (de)serialization, error translation, paging.

Documents (record values, process bodies, catalog fields) are stored as compact JSON text, not as
DynamoDB maps: DynamoDB refuses Python floats, normalizes numbers (3.0 comes back as 3) and
cannot hold every JSON value exactly, while JSON text round-trips exactly what the SQLite
adapters store. Only scalar attributes (S, N, BOOL, B) are written, so the small converters here
replace boto3's TypeSerializer (and keep `streams.py` free of boto3 imports).

Expected failures arrive as `ClientError`s with a code, which `client_errors` reads: stores run
conditional writes through `condition_held` and transactions through `transact`, which answers
with `TransactionCancelled(reasons)`, so no store looks inside a ClientError.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from automations.adapters.aws.client_errors import (
    CONFLICT_REASON,
    Meaning,
    meaning,
    transaction_cancelled,
)

TRANSACT_ATTEMPTS = 8
ID_WIDTH = 20  # numeric ids as zero-padded sort keys, so that they sort as numbers

Item = dict[str, dict[str, Any]]


def dumps(value: Any) -> str:
    """JSON text as stored: compact, UTF-8 kept, NaN refused (it is not JSON)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text: str | None) -> Any:
    """Stored JSON text back as Python (None stays None)."""
    return None if text is None else json.loads(text)


def padded(number: str | int) -> str:
    """A numeric id as a sort key that orders like the number."""
    return str(number).zfill(ID_WIDTH)


def item(attributes: Mapping[str, Any]) -> Item:
    """Python scalars as DynamoDB attribute values; None values are left out."""
    return {name: attribute(value) for name, value in attributes.items() if value is not None}


def attribute(value: Any) -> dict[str, Any]:
    """One scalar as an attribute value (str S, bool BOOL, int N, bytes B)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, bytes):
        return {"B": value}
    raise TypeError(f"cannot store {type(value).__name__} as a DynamoDB scalar")


def plain(stored: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A DynamoDB item (or stream image) as plain Python values."""
    return {name: _value(value) for name, value in stored.items()}


def _value(value: Mapping[str, Any]) -> Any:
    kind, raw = next(iter(value.items()))
    match kind:
        case "S" | "B":
            return raw
        case "N":
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        case "BOOL":
            return bool(raw)
        case "NULL":
            return None
        case "L":
            return [_value(v) for v in raw]
        case "M":
            return plain(raw)
    raise ValueError(f"unexpected DynamoDB attribute type {kind}")


def transact(client: Any, actions: Sequence[Mapping[str, Any]]) -> None:
    """TransactWriteItems; retried while another transaction holds an item (TransactionConflict).

    Raises TransactionCancelled when a condition fails.
    """
    for attempt in range(TRANSACT_ATTEMPTS):
        try:
            client.transact_write_items(TransactItems=list(actions))
            return
        except Exception as exc:
            cancelled = transaction_cancelled(exc)
            if cancelled is None:
                raise
            if CONFLICT_REASON not in cancelled.reasons or attempt == TRANSACT_ATTEMPTS - 1:
                raise cancelled from exc
        # Jittered back-off: conflicting writers must not retry in step.
        time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311
    raise AssertionError("unreachable")  # pragma: no cover


def query(client: Any, **arguments: Any) -> Iterator[Item]:
    """Every item a Query returns, page after page."""
    while True:
        page = client.query(**arguments)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        arguments = {**arguments, "ExclusiveStartKey": last}


def count(client: Any, **arguments: Any) -> int:
    """How many items a Query selects (Select=COUNT, every page)."""
    total = 0
    arguments = {**arguments, "Select": "COUNT"}
    while True:
        page = client.query(**arguments)
        total += int(page.get("Count", 0))
        last = page.get("LastEvaluatedKey")
        if not last:
            return total
        arguments = {**arguments, "ExclusiveStartKey": last}


def get(client: Any, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
    """One item by key, strongly consistent, as plain values (None when missing)."""
    found = client.get_item(TableName=table, Key=item(key), ConsistentRead=True).get("Item")
    return None if found is None else plain(found)


def put_new(client: Any, table: str, attributes: Mapping[str, Any], key_attribute: str) -> bool:
    """Put an item unless one with its key exists; False when it does."""
    return condition_held(
        lambda: client.put_item(
            TableName=table,
            Item=item(attributes),
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": key_attribute},
        )
    )


def delete_existing(client: Any, table: str, key: Mapping[str, Any], key_attribute: str) -> bool:
    """Delete an item; False when there was none."""
    return condition_held(
        lambda: client.delete_item(
            TableName=table,
            Key=item(key),
            ConditionExpression="attribute_exists(#k)",
            ExpressionAttributeNames={"#k": key_attribute},
        )
    )


def condition_held(write: Callable[[], object]) -> bool:
    """Run a single-item write that has a ConditionExpression; False when the condition did not
    hold (nothing was written), True when it was written."""
    try:
        write()
    except Exception as exc:
        if meaning(exc) is Meaning.CONDITION_FAILED:
            return False
        raise
    return True


def next_number(client: Any, table: str, counter: str) -> int:
    """The next value of a named counter (1, 2, ...): one atomic ADD, never repeated."""
    answer = client.update_item(
        TableName=table,
        Key=item({"pk": "COUNTER", "sk": counter}),
        UpdateExpression="ADD #v :one",
        ExpressionAttributeNames={"#v": "value"},
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["value"]["N"])


def partition(client: Any, table: str, pk: str) -> Iterator[dict[str, Any]]:
    """Every item of one partition of a pk/sk table, in sort-key order, strongly consistent."""
    for found in query(
        client,
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
        ConsistentRead=True,
    ):
        yield plain(found)


def batch_delete(client: Any, table: str, keys: Sequence[Mapping[str, Any]]) -> None:
    """Delete items by key, 25 per BatchWriteItem, until none is left unprocessed."""
    for start in range(0, len(keys), 25):
        requests: list[dict[str, Any]] = [
            {"DeleteRequest": {"Key": item(key)}} for key in keys[start : start + 25]
        ]
        attempt = 0
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])
            if requests:
                attempt += 1
                time.sleep(min(1.0, 0.02 * 2**attempt))
