"""WebRequestStore on DynamoDB: endpoints by id, and a claim item per urlId that keeps it unique.

The claim (`URLID`/<urlId>) holds a copy of its endpoint, so `by_url_id` (every web request
asks it) is one read. Endpoint and claim change together in one transaction.
"""

from __future__ import annotations

from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.errors import TransactionCancelled
from automations.errors import StoreConflict
from automations.model.scenario import WebRequestEndpoint

PARTITION = "WEBREQUEST"
CLAIMS = "URLID"
PUT_ATTEMPTS = 5


class DynamoWebRequestStore:
    """Endpoints in the Automations table.

    endpoints = DynamoWebRequestStore(client, "Automations")
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, endpoint: WebRequestEndpoint) -> None:
        for _ in range(PUT_ATTEMPTS):
            previous = self.get(endpoint.id)
            try:
                dynamo.transact(self._client, self._put_actions(endpoint, previous))
            except TransactionCancelled as exc:
                if exc.failed(1):
                    raise StoreConflict(f"urlId {endpoint.url_id} is taken") from exc
                continue  # the endpoint changed since it was read: read it again
            return
        raise StoreConflict(f"web request endpoint {endpoint.id} keeps changing; try again")

    def _put_actions(
        self, endpoint: WebRequestEndpoint, previous: WebRequestEndpoint | None
    ) -> list[dict[str, Any]]:
        if previous is None:
            unchanged, seen = "attribute_not_exists(pk)", None
        else:
            unchanged, seen = "urlId = :seen", {":seen": {"S": previous.url_id}}
        actions = [
            self._put(_attributes(endpoint, PARTITION, endpoint.id), unchanged, seen),
            # The claim is ours to take when free or already held by this endpoint.
            self._put(
                _attributes(endpoint, CLAIMS, endpoint.url_id),
                "attribute_not_exists(pk) OR endpointId = :id",
                {":id": {"S": endpoint.id}},
            ),
        ]
        if previous is not None and previous.url_id != endpoint.url_id:
            actions.append(self._release(previous))
        return actions

    def _put(
        self, attributes: dict[str, Any], condition: str, values: dict[str, Any] | None
    ) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": dynamo.item(attributes)}
        put["ConditionExpression"] = condition
        if values:
            put["ExpressionAttributeValues"] = values
        return {"Put": put}

    def _release(self, endpoint: WebRequestEndpoint) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._table,
                "Key": dynamo.item({"pk": CLAIMS, "sk": endpoint.url_id}),
                "ConditionExpression": "endpointId = :id",
                "ExpressionAttributeValues": {":id": {"S": endpoint.id}},
            }
        }

    def get(self, endpoint_id: str) -> WebRequestEndpoint | None:
        found = dynamo.get(self._client, self._table, {"pk": PARTITION, "sk": endpoint_id})
        return None if found is None else _endpoint(found)

    def by_url_id(self, url_id: str) -> WebRequestEndpoint | None:
        found = dynamo.get(self._client, self._table, {"pk": CLAIMS, "sk": url_id})
        return None if found is None else _endpoint(found)

    def delete(self, endpoint_id: str) -> bool:
        found = self.get(endpoint_id)
        if found is None:
            return False
        key = dynamo.item({"pk": PARTITION, "sk": endpoint_id})
        try:
            dynamo.transact(
                self._client,
                [
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": key,
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    self._release(found),
                ],
            )
        except TransactionCancelled:
            return False  # deleted (or changed) by someone else meanwhile
        return True

    def all(self) -> list[WebRequestEndpoint]:
        return [_endpoint(i) for i in dynamo.partition(self._client, self._table, PARTITION)]


def _attributes(endpoint: WebRequestEndpoint, pk: str, sk: str) -> dict[str, Any]:
    return {
        "pk": pk,
        "sk": sk,
        "endpointId": endpoint.id,
        "urlId": endpoint.url_id,
        "scenarioId": endpoint.scenario_id,
        "active": endpoint.active,
    }


def _endpoint(found: dict[str, Any]) -> WebRequestEndpoint:
    return WebRequestEndpoint(
        id=found["endpointId"],
        url_id=found["urlId"],
        scenario_id=found["scenarioId"],
        active=found["active"],
    )
