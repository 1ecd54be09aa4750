"""SubscriptionStore on DynamoDB: the `SUBSCRIPTION` partition, read whole and filtered here."""

from __future__ import annotations

from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.dynamo import dumps, loads
from automations.model.event import EventType
from automations.model.subscription import Subscription

PARTITION = "SUBSCRIPTION"


class DynamoSubscriptionStore:
    """Subscriptions in the Automations table; event types and watched fields as JSON.

    subscriptions = DynamoSubscriptionStore(client, "Automations")
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, subscription: Subscription) -> None:
        self._client.put_item(TableName=self._table, Item=dynamo.item(_attributes(subscription)))

    def get(self, subscription_id: str) -> Subscription | None:
        found = dynamo.get(self._client, self._table, {"pk": PARTITION, "sk": subscription_id})
        return None if found is None else _subscription(found)

    def delete(self, subscription_id: str) -> bool:
        key = {"pk": PARTITION, "sk": subscription_id}
        return dynamo.delete_existing(self._client, self._table, key, "pk")

    def all(self, catalog_id: str | None = None) -> list[Subscription]:
        every = [_subscription(i) for i in dynamo.partition(self._client, self._table, PARTITION)]
        return [s for s in every if catalog_id is None or s.catalog_id == catalog_id]

    def matching(self, catalog_id: str, event_type: EventType) -> list[Subscription]:
        return [s for s in self.all(catalog_id) if s.active and event_type in s.events]

    def for_connection(self, connection: str, event_type: EventType) -> list[Subscription]:
        return [
            s
            for s in self.all()
            if s.connection == connection and s.active and event_type in s.events
        ]


def _attributes(subscription: Subscription) -> dict[str, Any]:
    return {
        "pk": PARTITION,
        "sk": subscription.id,
        "catalogId": subscription.catalog_id,
        "connection": subscription.connection,
        "events": dumps([str(e) for e in subscription.events]),
        "fields": dumps(subscription.fields),
        "scenarioId": subscription.scenario_id,
        "active": subscription.active,
    }


def _subscription(found: dict[str, Any]) -> Subscription:
    return Subscription(
        id=found["sk"],
        catalog_id=found.get("catalogId"),
        connection=found.get("connection"),
        events=[EventType(e) for e in loads(found["events"])],
        fields=loads(found["fields"]),
        scenario_id=found["scenarioId"],
        active=found["active"],
    )
