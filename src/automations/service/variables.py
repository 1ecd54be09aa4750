"""Start variables of a process, per event type, as the product's documentation lists them.

Every process sees `$event {id, type, async}`, `$script {id}` and `$user {id}`; each event type
adds its own facts (`VARIABLES`: which facts become variables, in the documented order).
`$manual` passes the caller's input as it is, under the three common variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automations.model.event import EventType

RECORD = ("catalogId", "recordId", "values")
VARIABLES: dict[EventType, tuple[str, ...]] = {
    EventType.AFTER_CREATE: RECORD,
    EventType.AFTER_UPDATE: (*RECORD, "prevValues"),
    EventType.AFTER_DELETE: RECORD,
    # No recordId before a create: the record has no id yet (the documentation says so).
    # Every before-event has $prevValues, so one check serves all three: {} before a create,
    # the record as stored before an update or a delete.
    EventType.BEFORE_CREATE: ("catalogId", "values", "prevValues"),
    EventType.BEFORE_UPDATE: (*RECORD, "prevValues"),
    EventType.BEFORE_DELETE: (*RECORD, "prevValues"),
    # recordId is absent while a new card is edited.
    EventType.UPDATING: (*RECORD, "allValues"),
    EventType.WEB_REQUEST: ("url", "method", "headers", "cookies", "query", "body"),
    EventType.SCHEDULE: ("schedule",),
    # One variable named after the platform: {connection, update, message, chatId, text, from}
    # (Max's is not `$max`: that would hide JSONata's $max function from the scenario).
    EventType.TELEGRAM_MESSAGE: ("telegram",),
    EventType.WHATSAPP_MESSAGE: ("whatsapp",),
    EventType.MAX_MESSAGE: ("maxMessenger",),
}


@dataclass(frozen=True, slots=True)
class Trigger:
    """What happened: the event type, its source (subscription, endpoint, schedule), who caused
    it, whether the caller waits, and the facts of its kind (named as the variables are)."""

    type: EventType
    source_id: str
    user_id: str | None = None
    sync: bool = False
    facts: dict[str, Any] = field(default_factory=dict)


def start_variables(trigger: Trigger, scenario_id: str) -> dict[str, Any]:
    """The process's input: its event's facts and the three common variables."""
    names = VARIABLES.get(trigger.type)
    if names is None:  # $manual: the caller's input is the start variables
        kind = dict(trigger.facts)
    else:
        kind = {name: trigger.facts[name] for name in names if name in trigger.facts}
    common = {
        "event": {"id": trigger.source_id, "type": str(trigger.type), "async": not trigger.sync},
        "script": {"id": scenario_id},
        "user": {"id": trigger.user_id},
    }
    return kind | common
