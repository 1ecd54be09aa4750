"""`$telegram.message`, `$whatsapp.message`, `$max.message`: a messenger delivers an update to
`/api/messengers/{connection}` and each subscription of that connection to the event starts a
process (queued: the platform is answered 200 at once, as it wants within seconds).

The order matters: the delivery is verified before its body is even parsed (a forged one
starts nothing and learns nothing but 401), then each message is remembered under the
platform's id (`ports.DeliveryStore`). Platforms deliver at least once and retry whatever was
not answered 2xx, so a message's processes take their ids from the time it was first seen:
a redelivery, even one racing the first, finds the same ids and stores nothing twice, and a
first delivery that failed halfway is completed by the next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from automations.asl.ports import Clock
from automations.json_depth import text_depth_over, too_deep_message
from automations.model.base import from_epoch
from automations.model.process_ids import process_id_for
from automations.model.subscription import Subscription
from automations.ports import Connections, DeliveryStore, SubscriptionStore
from automations.service.errors import (
    BodyTooDeep,
    DeliveryInvalid,
    HandshakeRefused,
    MessengerNotFound,
    MessengerUnverified,
)
from automations.service.messenger_platforms import (
    PLATFORMS,
    Delivery,
    Platform,
    connection_options,
    handshake_answer,
)
from automations.service.processes import Processes, Start
from automations.service.variables import Trigger
from automations.service.webrequests import WebAnswer, json_answer

# Meta retries a notification for up to seven days, Telegram keeps an update for a day: a
# message is remembered for longer than either.
DELIVERY_MEMORY = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class MessengerDeps:
    """The ports messenger webhooks need."""

    connections: Connections
    deliveries: DeliveryStore
    subscriptions: SubscriptionStore
    processes: Processes
    clock: Clock


def receive_delivery(
    deps: MessengerDeps, connection: str, headers: dict[str, str], body: bytes
) -> WebAnswer:
    """Verify a delivery to `connection` and queue the processes of its new messages; 200.
    MessengerNotFound (404), MessengerUnverified (401), DeliveryInvalid or BodyTooDeep (400)."""
    platform, options = _platform_of(deps, connection)
    problem = platform.verify(connection, options, headers, body)
    if problem is not None:
        raise MessengerUnverified(problem)
    update = _update_of(body, deps.processes.deps.settings.max_json_depth)
    started = sum(
        _start(deps, connection, message) for message in platform.messages(connection, update)
    )
    if started:
        deps.processes.pump()
    return json_answer(200, {"ok": True})


def handshake(deps: MessengerDeps, connection: str, query: dict[str, str]) -> WebAnswer:
    """Meta's webhook verification (a GET): the challenge echoed as text when the verify
    token is this connection's; HandshakeRefused (403) when not."""
    _, options = _platform_of(deps, connection)
    challenge = handshake_answer(connection, options, query)
    if challenge is None:
        raise HandshakeRefused(
            f"this is no verification request for connection {connection!r}"
            " (hub.mode=subscribe with its verifyToken and a hub.challenge)"
        )
    return WebAnswer(200, {"Content-Type": "text/plain; charset=utf-8"}, challenge.encode())


def _platform_of(deps: MessengerDeps, connection: str) -> tuple[Platform, dict[str, str]]:
    missing = MessengerNotFound(f"no messenger connection {connection[:100]!r}")
    url = deps.connections.get(connection)
    if url is None:
        raise missing
    scheme, options = connection_options(url)
    platform = PLATFORMS.get(scheme)
    if platform is None:
        raise missing
    return platform, options


def _update_of(body: bytes, max_depth: int) -> dict[str, Any]:
    depth = text_depth_over(body, max_depth)
    if depth is not None:
        raise BodyTooDeep(too_deep_message("the update", max_depth, f"{depth} levels"))
    try:
        update = json.loads(body)
    except ValueError:  # (UnicodeDecodeError is one)
        raise DeliveryInvalid(
            "the body is not JSON: a messenger sends its update as JSON"
        ) from None
    if not isinstance(update, dict):
        raise DeliveryInvalid("the body is not a JSON object: a messenger's update is one")
    return update


def _start(deps: MessengerDeps, connection: str, message: Delivery) -> int:
    """Queue the processes one message starts; how many were new."""
    subscribers = deps.subscriptions.for_connection(connection, message.event)
    if not subscribers:
        return 0  # (nothing to remember either: no process could be started twice)
    # Whole seconds: the time is stored and read back, and the ids must come out the same.
    now = from_epoch(int(deps.clock.now()))
    first = deps.deliveries.first_seen(message.key, now, now + DELIVERY_MEMORY)
    started = 0
    for subscription in subscribers:
        start = _start_for(
            message, subscription, process_id_for(first, "messenger", message.key, subscription.id)
        )
        if deps.processes.enqueue(start) is not None:
            started += 1
    return started


def _start_for(message: Delivery, subscription: Subscription, process_id: str) -> Start:
    return Start(
        scenario_id=subscription.scenario_id,
        trigger=Trigger(message.event, subscription.id, None, sync=False, facts=message.facts),
        process_id=process_id,
        subscription_id=subscription.id,
    )
