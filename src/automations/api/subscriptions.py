"""`/api/v1/subscriptions`: which record events of a catalog (or messages to a messenger
connection) start which scenario."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from automations.model.subscription import Subscription
from automations.service.automation import Automation
from automations.service.errors import SubscriptionNotFound
from automations.service.subscriptions import (
    SubscriptionDraft,
    SubscriptionPatch,
    change_subscription,
    create_subscription,
)

PATHS = ("/api/v1/subscriptions", "/api/v1/subscriptions/<subscriptionId>")
TAGS = ["subscriptions"]


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    return subscription.model_dump(mode="json")


def router(automation: Automation) -> Router:
    """The subscription routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    store = automation.subscriptions

    def existing(subscription_id: str) -> Subscription:
        found = store.get(subscription_id)
        if found is None:
            raise SubscriptionNotFound(f"subscription {subscription_id[:100]} not found")
        return found

    @routes.post(PATHS[0], tags=TAGS, summary="Subscribe a scenario to record events")
    def post_subscription(draft: Annotated[SubscriptionDraft, Body()]) -> dict[str, Any]:
        created = create_subscription(
            store, automation.catalogs, automation.scenarios, draft, automation.connections
        )
        return {"id": created.id}

    @routes.get(PATHS[0], tags=TAGS, summary="List subscriptions")
    def list_subscriptions(
        catalog_id: Annotated[str | None, Query(alias="catalogId", max_length=18)] = None,
    ) -> list[dict[str, Any]]:
        return [subscription_json(s) for s in store.all(catalog_id)]

    @routes.get(PATHS[1], tags=TAGS, summary="Get a subscription")
    def get_subscription(subscriptionId: str) -> dict[str, Any]:
        return subscription_json(existing(subscriptionId))

    @routes.patch(PATHS[1], tags=TAGS, summary="Change a subscription (e.g. disable it)")
    def patch_subscription(
        subscriptionId: str, patch: Annotated[SubscriptionPatch, Body()]
    ) -> dict[str, Any]:
        changed = change_subscription(
            store,
            automation.catalogs,
            automation.scenarios,
            subscriptionId,
            patch,
            automation.connections,
        )
        return subscription_json(changed)

    @routes.delete(PATHS[1], tags=TAGS, summary="Delete a subscription")
    def delete_subscription(subscriptionId: str) -> dict[str, Any]:
        if not store.delete(subscriptionId):
            raise SubscriptionNotFound(f"subscription {subscriptionId[:100]} not found")
        return {"id": subscriptionId}

    return routes
