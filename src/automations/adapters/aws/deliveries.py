"""DeliveryStore on DynamoDB: one item per remembered messenger update in the Automations
table, `DELIVERY#<key>`/`DELIVERY`, with `expiresAt` for the table's TTL.

A key gets a partition of its own: webhooks of a busy bot write side by side without one hot
partition. TTL deletes an item up to days after it expired, so the conditional put treats an
expired item as absent rather than trusting TTL to have removed it.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.tables import TTL_ATTRIBUTE
from automations.model.base import from_epoch

PARTITION = "DELIVERY#"
SORT = "DELIVERY"


class DynamoDeliveryStore:
    """Delivered updates in the Automations table.

    deliveries = DynamoDeliveryStore(client, "Automations")
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def first_seen(self, key: str, at: datetime, expires_at: datetime) -> datetime:
        seen = int(at.timestamp())  # (the use case gives whole seconds)
        attributes = {
            "pk": PARTITION + key,
            "sk": SORT,
            "firstSeen": seen,
            TTL_ATTRIBUTE: math.ceil(expires_at.timestamp()),
        }
        if dynamo.condition_held(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=dynamo.item(attributes),
                ConditionExpression="attribute_not_exists(pk) OR #ttl <= :now",
                ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={":now": {"N": str(seen)}},
            )
        ):
            return at
        found = dynamo.get(self._client, self._table, {"pk": PARTITION + key, "sk": SORT})
        # (Gone between the two calls only if TTL took it: then this delivery is as good as new.)
        return at if found is None else from_epoch(found["firstSeen"])
