"""Events: the change-feed (outbox) row a record write leaves, and a before-hook's decision."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import Field

from automations.model.base import CamelModel, UtcDateTime


class EventType(StrEnum):
    """The product's event types (`$event.type`)."""

    AFTER_CREATE = "$record.after.create"
    AFTER_UPDATE = "$record.after.update"
    AFTER_DELETE = "$record.after.delete"
    BEFORE_CREATE = "$record.before.create"
    BEFORE_UPDATE = "$record.before.update"
    BEFORE_DELETE = "$record.before.delete"
    UPDATING = "$record.updating"
    WEB_REQUEST = "$webRequest"
    SCHEDULE = "$schedule"
    MANUAL = "$manual"
    # A message to the bot of a messenger connection (`/api/messengers/{connection}`).
    TELEGRAM_MESSAGE = "$telegram.message"
    WHATSAPP_MESSAGE = "$whatsapp.message"
    MAX_MESSAGE = "$max.message"


# The notification that follows each kind of write, and the hook that precedes it.
AFTER_EVENTS = frozenset({EventType.AFTER_CREATE, EventType.AFTER_UPDATE, EventType.AFTER_DELETE})
BEFORE_EVENTS = frozenset(
    {EventType.BEFORE_CREATE, EventType.BEFORE_UPDATE, EventType.BEFORE_DELETE}
)
# Events of a messenger connection rather than of a catalog: their subscriptions name the
# connection (`Subscription.connection`) and no catalog.
MESSENGER_EVENTS = frozenset(
    {EventType.TELEGRAM_MESSAGE, EventType.WHATSAPP_MESSAGE, EventType.MAX_MESSAGE}
)


class ChangeEvent(CamelModel):
    """An outbox row: written in the same transaction as the record change it reports.

    `values` are the record's values after a create, the changed fields after an update, the last
    values before a delete; `prev_values` are all values before an update. `depth` counts how many
    processes led to this write (0 = a person or an API client), so chains can be cut off.
    """

    id: str
    type: EventType
    catalog_id: str
    record_id: str
    values: dict[str, Any] = Field(default_factory=dict)
    prev_values: dict[str, Any] | None = None
    user_id: str | None = None
    depth: int = 0
    created_at: UtcDateTime
    delivered_at: UtcDateTime | None = None

    @property
    def delivered(self) -> bool:
        """Whether the dispatcher has taken this event (it is then no longer pending)."""
        return self.delivered_at is not None


@dataclass(frozen=True, slots=True)
class HookDecision:
    """What before-hooks answer: go ahead (maybe with replaced values) or refuse with a message."""

    allowed: bool = True
    message: str | None = None
    values: dict[str, Any] | None = None
