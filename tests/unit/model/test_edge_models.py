from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from automations.model.event import ChangeEvent, EventType
from automations.model.process import ProcessRecord, ProcessStatus, TraceStep
from automations.model.scenario import ScenarioVersion
from automations.model.subscription import Subscription

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_change_event_json_is_camel_case_with_product_dates() -> None:
    event = ChangeEvent(
        id="e1",
        type=EventType.AFTER_UPDATE,
        catalog_id="15",
        record_id="1234",
        values={"2": "Title"},
        prev_values={"2": "Old"},
        created_at=T0,
    )
    data = event.model_dump(mode="json")
    assert data["type"] == "$record.after.update"
    assert data["prevValues"] == {"2": "Old"}
    assert data["createdAt"] == "2026-01-02T03:04:05.000Z"
    assert not event.delivered


def test_process_record_round_trips_with_async_key() -> None:
    process = ProcessRecord.model_validate(
        {
            "id": "p1",
            "scenarioId": "s",
            "scenarioVersion": 2,
            "event": {"id": "1", "type": "$record.after.create", "async": True},
            "queuedAt": "2026-01-02T03:04:05.000Z",
            "error": {"code": "http.timeout", "message": "slow", "element": "Fetch"},
            "trace": [{"element": "Start", "enteredAt": "2026-01-02T03:04:05.000Z"}],
        }
    )
    assert process.status is ProcessStatus.QUEUED
    assert process.model_dump(mode="json")["event"] == {
        "id": "1",
        "type": "$record.after.create",
        "async": True,
    }
    assert ProcessRecord.model_validate(process.model_dump(mode="json")) == process


def test_subscription_watches_fields() -> None:
    everything = Subscription(id="1", scenario_id="s", events=[EventType.AFTER_UPDATE])
    some = everything.model_copy(update={"fields": ["3"]})
    assert everything.watches(["9"]) and some.watches(["3", "4"]) and not some.watches(["4"])


def test_scenario_version_keeps_asl_per_flavour() -> None:
    version = ScenarioVersion(
        id="v",
        scenario_id="s",
        version=1,
        bpmn="<x/>",
        compiled={"STANDARD": {}, "EXPRESS": {}},
        created_at=T0,
    )
    assert set(version.model_dump(mode="json")["compiled"]) == {"STANDARD", "EXPRESS"}


def test_utc_iso_is_the_products_format_for_any_time_and_zone() -> None:
    import random
    from datetime import UTC, datetime, timedelta, timezone

    from automations.model.base import utc_iso

    rng = random.Random(7)
    moments = [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999)]
    for _ in range(20_000):
        moment = datetime.fromtimestamp(rng.uniform(-6e10, 2.5e11), tz=UTC)
        kind = rng.random()
        if kind < 0.3:
            zone = timezone(timedelta(hours=rng.randint(-12, 12), minutes=rng.choice([0, 30])))
            moment = moment.astimezone(zone)
        elif kind < 0.4:
            moment = moment.replace(tzinfo=None)  # naive: taken as UTC
        moments.append(moment)
    for moment in moments:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        expected = aware.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
        assert utc_iso(moment) == expected, moment


def test_trace_times_are_the_products_text_or_refused() -> None:
    step = TraceStep.model_validate({"element": "A", "enteredAt": "2026-01-02T03:04:05.678Z"})
    assert step.model_dump(by_alias=True)["enteredAt"] == "2026-01-02T03:04:05.678Z"
    with pytest.raises(ValidationError, match="enteredAt"):
        TraceStep.model_validate({"element": "A", "enteredAt": "2026-01-02 03:04:05"})
