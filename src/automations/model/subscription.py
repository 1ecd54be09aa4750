"""Subscriptions: which events of which catalog start which scenario."""

from __future__ import annotations

from pydantic import Field

from automations.model.base import CamelModel
from automations.model.event import EventType


class Subscription(CamelModel):
    """Starts `scenario_id` on `events` in `catalog_id`; `fields` empty means any field. A
    messenger event's subscription names its `connection` instead of a catalog."""

    id: str
    catalog_id: str | None = None
    connection: str | None = None
    events: list[EventType] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)
    scenario_id: str
    active: bool = True

    def watches(self, changed_fields: list[str]) -> bool:
        """Whether a change of these fields concerns this subscription."""
        return not self.fields or any(f in self.fields for f in changed_fields)
