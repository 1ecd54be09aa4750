"""Subscriptions: which record events of a catalog, or which messages to a messenger
connection, start which scenario (management use cases)."""

from __future__ import annotations

import uuid

from pydantic import Field

from automations.model.base import CamelModel
from automations.model.event import AFTER_EVENTS, BEFORE_EVENTS, MESSENGER_EVENTS, EventType
from automations.model.subscription import Subscription
from automations.ports import CatalogStore, Connections, ScenarioStore, SubscriptionStore
from automations.service.errors import BindingInvalid, SubscriptionNotFound
from automations.service.messenger_platforms import PLATFORM_OF_EVENT, connection_options

RECORD_EVENTS = AFTER_EVENTS | BEFORE_EVENTS | {EventType.UPDATING}
MAX_FIELDS = 500


class SubscriptionDraft(CamelModel):
    """The body of `POST /api/v1/subscriptions`."""

    # A catalog for record events; a messenger connection (and no catalog) for its messages.
    catalog_id: str | None = Field(default=None, max_length=18)
    connection: str | None = Field(default=None, max_length=128)
    events: list[EventType] = Field(min_length=1, max_length=len(RECORD_EVENTS))
    fields: list[str] = Field(default_factory=list, max_length=MAX_FIELDS)
    scenario_id: str = Field(max_length=100)
    active: bool = True


class SubscriptionPatch(CamelModel):
    """The body of `PATCH /api/v1/subscriptions/{id}`: what is left out stays."""

    events: list[EventType] | None = Field(default=None, min_length=1, max_length=10)
    fields: list[str] | None = Field(default=None, max_length=MAX_FIELDS)
    connection: str | None = Field(default=None, max_length=128)
    scenario_id: str | None = Field(default=None, max_length=100)
    active: bool | None = None


def _checked(
    catalogs: CatalogStore,
    scenarios: ScenarioStore,
    subscription: Subscription,
    connections: Connections | None = None,
) -> Subscription:
    if any(e in MESSENGER_EVENTS for e in subscription.events):
        _check_messenger(connections, subscription)
        return _scenario_checked(scenarios, subscription)
    if subscription.connection is not None:
        raise BindingInvalid(
            "connection: only messenger events ($telegram.message...) name a connection",
            field="connection",
        )
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
    return _scenario_checked(scenarios, subscription)


def _check_messenger(connections: Connections | None, subscription: Subscription) -> None:
    """A messenger subscription: one platform's events, its connection, no catalog."""
    platforms = {PLATFORM_OF_EVENT.get(e) for e in subscription.events}
    if None in platforms or len(platforms) > 1:
        raise BindingInvalid(
            "events: a messenger subscription has the events of one messenger only",
            field="events",
        )
    if subscription.catalog_id is not None or subscription.fields:
        raise BindingInvalid(
            "catalogId: a messenger subscription names a connection, not a catalog",
            field="catalogId",
        )
    name = subscription.connection
    if not name:
        raise BindingInvalid("connection: name the messenger connection", field="connection")
    url = None if connections is None else connections.get(name)
    if url is None:
        raise BindingInvalid(
            f"connection: there is no connection {name[:100]!r}", field="connection"
        )
    [platform] = platforms
    scheme, _ = connection_options(url)
    if scheme != platform:
        raise BindingInvalid(
            f"connection: {name[:100]!r} is not a {platform}:// connection", field="connection"
        )


def _scenario_checked(scenarios: ScenarioStore, subscription: Subscription) -> Subscription:
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
    connections: Connections | None = None,
) -> Subscription:
    """Check and store a new subscription (a messenger's connection is looked up in
    `connections`)."""
    subscription = _checked(
        catalogs,
        scenarios,
        Subscription(id=uuid.uuid4().hex, **draft.model_dump(by_alias=False)),
        connections,
    )
    store.put(subscription)
    return subscription


def change_subscription(
    store: SubscriptionStore,
    catalogs: CatalogStore,
    scenarios: ScenarioStore,
    subscription_id: str,
    patch: SubscriptionPatch,
    connections: Connections | None = None,
) -> Subscription:
    """Apply a patch (e.g. `{"active": false}` to disable it)."""
    current = store.get(subscription_id)
    if current is None:
        raise SubscriptionNotFound(f"subscription {subscription_id} not found")
    changes = {k: v for k, v in patch.model_dump(by_alias=False).items() if v is not None}
    changed = _checked(catalogs, scenarios, current.model_copy(update=changes), connections)
    store.put(changed)
    return changed
