"""ScenarioStore on DynamoDB: immutable numbered versions, plus an index of scenario ids.

A version's BPMN and compiled machines are stored zlib-compressed (binary attributes): BPMN XML
shrinks about tenfold, which keeps large scenarios well inside DynamoDB's 400 KB item limit.

Deleting a scenario writes a marker `V#<latest>#DELETED` (it sorts between that version and the
next) and drops the scenario from the index: the newest `V#` item of a deleted scenario is the
marker, so `latest` finds none, while every version stays readable by number.
"""

from __future__ import annotations

import threading
import uuid
import zlib
from collections import OrderedDict
from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.dynamo import dumps, loads
from automations.adapters.aws.errors import TransactionCancelled
from automations.asl.ports import Clock
from automations.errors import StoreConflict
from automations.model.base import from_epoch, utc_iso
from automations.model.scenario import ScenarioVersion

INDEX = "SCENARIOS"
CACHED_VERSIONS = 256
SAVE_ATTEMPTS = 10
VERSION_WIDTH = 10


def _pk(scenario_id: str) -> str:
    return f"SCENARIO#{scenario_id}"


def _sk(version: int) -> str:
    return "V#" + str(version).zfill(VERSION_WIDTH)


DELETED = "#DELETED"


class DynamoScenarioStore:
    """Versions under `SCENARIO#<id>`; parsed versions are cached (they never change).

    scenarios = DynamoScenarioStore(client, "Automations", RealClock())
    """

    def __init__(self, client: Any, table: str, clock: Clock) -> None:
        self._client = client
        self._table = table
        self._clock = clock
        self._parsed: OrderedDict[tuple[str, int], ScenarioVersion] = OrderedDict()
        self._lock = threading.Lock()

    def add_version(
        self, scenario_id: str, bpmn: str, compiled: dict[str, dict[str, Any]]
    ) -> ScenarioVersion:
        for _ in range(SAVE_ATTEMPTS):
            numbers = self.versions(scenario_id)
            saved = ScenarioVersion(
                id=uuid.uuid4().hex,
                scenario_id=scenario_id,
                version=(numbers[-1] if numbers else 0) + 1,
                bpmn=bpmn,
                compiled=compiled,
                created_at=from_epoch(self._clock.now()),
            )
            try:
                self._save(saved)
            except TransactionCancelled:
                continue  # another save took this number: count again
            return saved
        raise StoreConflict(f"scenario {scenario_id} is being saved by others; try again")

    def _save(self, saved: ScenarioVersion) -> None:
        version = {":v": {"N": str(saved.version)}}
        dynamo.transact(
            self._client,
            [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": dynamo.item(_attributes(saved)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": dynamo.item({"pk": INDEX, "sk": saved.scenario_id}),
                        "UpdateExpression": "SET latest = :v",
                        "ConditionExpression": "attribute_not_exists(latest) OR latest < :v",
                        "ExpressionAttributeValues": version,
                    }
                },
            ],
        )

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None:
        with self._lock:
            cached = self._parsed.get((scenario_id, version))
        if cached is not None:
            return cached
        found = dynamo.get(self._client, self._table, {"pk": _pk(scenario_id), "sk": _sk(version)})
        if found is None:
            return None
        parsed = _version(found)
        with self._lock:
            self._parsed[(scenario_id, version)] = parsed
            while len(self._parsed) > CACHED_VERSIONS:
                self._parsed.popitem(last=False)
        return parsed

    def latest(self, scenario_id: str) -> ScenarioVersion | None:
        numbers = self._numbers(scenario_id, newest_only=True)
        return None if not numbers else self.get_version(scenario_id, numbers[0])

    def versions(self, scenario_id: str) -> list[int]:
        return self._numbers(scenario_id, newest_only=False)

    def delete(self, scenario_id: str) -> bool:
        for _ in range(SAVE_ATTEMPTS):
            numbers = self._numbers(scenario_id, newest_only=True)
            if not numbers:
                return False
            try:
                self._mark_deleted(scenario_id, numbers[0])
            except TransactionCancelled:
                continue  # a version was saved (or the scenario deleted) meanwhile: look again
            return True
        raise StoreConflict(f"scenario {scenario_id} is being saved by others; try again")

    def _mark_deleted(self, scenario_id: str, version: int) -> None:
        marker = {
            "pk": _pk(scenario_id),
            "sk": _sk(version) + DELETED,
            "deletedAt": utc_iso(from_epoch(self._clock.now())),
        }
        dynamo.transact(
            self._client,
            [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": dynamo.item(marker),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": dynamo.item({"pk": INDEX, "sk": scenario_id}),
                        "ConditionExpression": "latest = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(version)}},
                    }
                },
            ],
        )

    def _numbers(self, scenario_id: str, *, newest_only: bool) -> list[int]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :v)",
            "ExpressionAttributeValues": {":pk": {"S": _pk(scenario_id)}, ":v": {"S": "V#"}},
            "ProjectionExpression": "version",
            "ConsistentRead": True,
        }
        # A deletion marker has no `version`: newest, it means the scenario is deleted.
        if newest_only:
            page = self._client.query(**arguments, ScanIndexForward=False, Limit=1)
            return [int(i["version"]["N"]) for i in page.get("Items", []) if "version" in i]
        found = dynamo.query(self._client, **arguments)
        return [int(i["version"]["N"]) for i in found if "version" in i]

    def all(self) -> list[ScenarioVersion]:
        found = (
            self.get_version(entry["sk"], entry["latest"])
            for entry in dynamo.partition(self._client, self._table, INDEX)
        )
        return [version for version in found if version is not None]


def _attributes(saved: ScenarioVersion) -> dict[str, Any]:
    return {
        "pk": _pk(saved.scenario_id),
        "sk": _sk(saved.version),
        "id": saved.id,
        "scenarioId": saved.scenario_id,
        "version": saved.version,
        "bpmn": zlib.compress(saved.bpmn.encode("utf-8")),
        "compiled": zlib.compress(dumps(saved.compiled).encode("utf-8")),
        "createdAt": utc_iso(saved.created_at),
    }


def _version(found: dict[str, Any]) -> ScenarioVersion:
    return ScenarioVersion(
        id=found["id"],
        scenario_id=found["scenarioId"],
        version=found["version"],
        bpmn=zlib.decompress(found["bpmn"]).decode("utf-8"),
        compiled=loads(zlib.decompress(found["compiled"]).decode("utf-8")),
        created_at=datetime.fromisoformat(found["createdAt"]),
    )
