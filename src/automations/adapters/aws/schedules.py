"""ScheduleStore on DynamoDB: the `SCHEDULE` partition; next runs as UTC text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.model.base import utc_iso
from automations.model.scenario import Schedule

PARTITION = "SCHEDULE"


class DynamoScheduleStore:
    """Schedules in the Automations table; moving a next run is a compare-and-set.

    schedules = DynamoScheduleStore(client, "Automations")
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, schedule: Schedule) -> None:
        self._client.put_item(TableName=self._table, Item=dynamo.item(_attributes(schedule)))

    def get(self, schedule_id: str) -> Schedule | None:
        found = dynamo.get(self._client, self._table, {"pk": PARTITION, "sk": schedule_id})
        return None if found is None else _schedule(found)

    def delete(self, schedule_id: str) -> bool:
        key = {"pk": PARTITION, "sk": schedule_id}
        return dynamo.delete_existing(self._client, self._table, key, "pk")

    def all(self) -> list[Schedule]:
        return [_schedule(i) for i in dynamo.partition(self._client, self._table, PARTITION)]

    def due(self, now: datetime) -> list[Schedule]:
        due = [
            s
            for s in self.all()
            if s.active and s.next_run_at is not None and utc_iso(s.next_run_at) <= utc_iso(now)
        ]
        return sorted(due, key=lambda s: (utc_iso(s.next_run_at or now), s.id))

    def set_next_run(
        self, schedule_id: str, previous: datetime | None, following: datetime
    ) -> bool:
        # Compare-and-set: of two runners that saw the same due time, one moves it.
        condition = "attribute_exists(pk) AND "
        values = {":following": {"S": utc_iso(following)}}
        if previous is None:
            condition += "attribute_not_exists(nextRunAt)"
        else:
            condition += "nextRunAt = :previous"
            values[":previous"] = {"S": utc_iso(previous)}
        return dynamo.condition_held(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=dynamo.item({"pk": PARTITION, "sk": schedule_id}),
                UpdateExpression="SET nextRunAt = :following",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        )


def _attributes(schedule: Schedule) -> dict[str, Any]:
    return {
        "pk": PARTITION,
        "sk": schedule.id,
        "expression": schedule.expression,
        "scenarioId": schedule.scenario_id,
        "active": schedule.active,
        "nextRunAt": None if schedule.next_run_at is None else utc_iso(schedule.next_run_at),
    }


def _schedule(found: dict[str, Any]) -> Schedule:
    next_run = found.get("nextRunAt")
    return Schedule(
        id=found["sk"],
        expression=found["expression"],
        scenario_id=found["scenarioId"],
        active=found["active"],
        next_run_at=None if next_run is None else datetime.fromisoformat(next_run),
    )
