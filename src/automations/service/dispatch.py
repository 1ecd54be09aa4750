"""Dispatch: record events -> matching subscriptions -> one process each.

Events come from the outbox (`dispatch_pending`, the embedded server) or from the Records
table's stream (`dispatch_event` per stream record, the AWS dispatcher).

Delivery is at least once (an event is marked delivered only after its processes are stored),
and each (event, subscription) pair gets the same process id every time, so a redelivered event
finds its processes already there and starts nothing twice. One event whose processes cannot be
stored stays pending and is retried; it never holds up the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from automations.model.event import AFTER_EVENTS, ChangeEvent
from automations.model.process_ids import process_id_for
from automations.model.subscription import Subscription
from automations.ports import ChangeFeed, SubscriptionStore
from automations.service.processes import Processes, Start
from automations.service.variables import Trigger

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True, slots=True)
class DispatchDeps:
    """The ports dispatching needs."""

    feed: ChangeFeed
    subscriptions: SubscriptionStore
    processes: Processes


def dispatch_pending(deps: DispatchDeps, batch: int = BATCH) -> int:
    """Deliver one batch of pending events; how many were delivered."""
    events = deps.feed.pending(batch)
    delivered: list[str] = []
    for event in events:
        try:
            dispatch_event(deps, event)
        except Exception:
            logger.exception("event %s could not be dispatched; it stays pending", event.id)
            continue
        delivered.append(event.id)
    if delivered:
        deps.feed.mark_delivered(delivered)
        deps.processes.pump()  # (an empty poll leaves the queue to those who filled it)
    return len(delivered)


def dispatch_event(deps: DispatchDeps, event: ChangeEvent) -> int:
    """Store the processes one event starts, one per interested subscription (queued: `pump`
    starts them); how many were new. Safe to repeat: a redelivery stores nothing twice. Used by
    the outbox loop here and by the stream handler on AWS."""
    stored = 0
    for subscription in interested(deps.subscriptions, event):
        if deps.processes.enqueue(start_for(event, subscription)) is not None:
            stored += 1
    return stored


def interested(subscriptions: SubscriptionStore, event: ChangeEvent) -> list[Subscription]:
    """Active subscriptions to this event whose watched fields (if any) it changed."""
    if event.type not in AFTER_EVENTS:
        return []
    changed = list(event.values)
    return [s for s in subscriptions.matching(event.catalog_id, event.type) if s.watches(changed)]


def start_for(event: ChangeEvent, subscription: Subscription) -> Start:
    """The process an event starts for a subscription (its id fixed by the pair)."""
    facts = {"catalogId": event.catalog_id, "recordId": event.record_id, "values": event.values}
    if event.prev_values is not None:
        facts["prevValues"] = event.prev_values
    return Start(
        scenario_id=subscription.scenario_id,
        trigger=Trigger(event.type, subscription.id, event.user_id, sync=False, facts=facts),
        process_id=process_id_for(event.created_at, "event", event.id, subscription.id),
        subscription_id=subscription.id,
        depth=event.depth,
    )
