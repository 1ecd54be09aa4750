"""Subscriptions: which record events of a catalog start which scenario (management use cases)."""

from __future__ import annotations

import uuid

from pydantic import Field

from automations.model.base import CamelModel
from automations.model.event import AFTER_EVENTS, BEFORE_EVENTS, EventType
from automations.model.subscription import Subscription
from automations.ports import CatalogStore, ScenarioStore, SubscriptionStore
from automations.service.errors import BindingInvalid, SubscriptionNotFound

RECORD_EVENTS = AFTER_EVENTS | BEFORE_EVENTS | {EventType.UPDATING}
MAX_FIELDS = 500


class SubscriptionDraft(CamelModel):
    """The body of `POST /api/v1/subscriptions`."""

    catalog_id: str = Field(max_length=18)
    events: list[EventType] = Field(min_length=1, max_length=len(RECORD_EVENTS))
    fields: list[str] = Field(default_factory=list, max_length=MAX_FIELDS)
    scenario_id: str = Field(max_length=100)
    active: bool = True


class SubscriptionPatch(CamelModel):
    """The body of `PATCH /api/v1/subscriptions/{id}`: what is left out stays."""

    events: list[EventType] | None = Field(default=None, min_length=1, max_length=10)
    fields: list[str] | None = Field(default=None, max_length=MAX_FIELDS)
    scenario_id: str | None = Field(default=None, max_length=100)
    active: bool | None = None


def _checked(
    catalogs: CatalogStore, scenarios: ScenarioStore, subscription: Subscription
) -> Subscription:
    catalog = catalogs.get(subscription.catalog_id or "")
    if catalog is None:
        raise BindingInvalid(f"catalog {subscription.catalog_id} not found", field="catalogId")
    wrong = [str(e) for e in subscription.events if e not in RECORD_EVENTS]
    if wrong:
        raise BindingInvalid(
            f"events: {wrong[0]} is not a record event (web requests and schedules have their"
            " own resources)",
            field="events",
        )
    unknown = [f for f in subscription.fields if catalog.field(f) is None]
    if unknown:
        raise BindingInvalid(f"fields: no field {unknown[0][:20]} in the catalog", field="fields")
    if scenarios.latest(subscription.scenario_id) is None:
        raise BindingInvalid(
            f"scenario {subscription.scenario_id} has no saved version", field="scenarioId"
        )
    return subscription.model_copy(update={"events": list(dict.fromkeys(subscription.events))})


def create_subscription(
    store: SubscriptionStore,
    catalogs: CatalogStore,
    scenarios: ScenarioStore,
    draft: SubscriptionDraft,
) -> Subscription:
    """Check and store a new subscription."""
    subscription = _checked(
        catalogs,
        scenarios,
        Subscription(id=uuid.uuid4().hex, **draft.model_dump(by_alias=False)),
    )
    store.put(subscription)
    return subscription


def change_subscription(
    store: SubscriptionStore,
    catalogs: CatalogStore,
    scenarios: ScenarioStore,
    subscription_id: str,
    patch: SubscriptionPatch,
) -> Subscription:
    """Apply a patch (e.g. `{"active": false}` to disable it)."""
    current = store.get(subscription_id)
    if current is None:
        raise SubscriptionNotFound(f"subscription {subscription_id} not found")
    changes = {k: v for k, v in patch.model_dump(by_alias=False).items() if v is not None}
    changed = _checked(catalogs, scenarios, current.model_copy(update=changes))
    store.put(changed)
    return changed
