"""The DeliveryStore contract (messenger updates remembered once), on SQLite and on DynamoDB
(moto), and the subscriptions of a messenger connection on both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto_env import fake_aws

from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.deliveries import SqliteDeliveryStore
from automations.model.event import EventType
from automations.model.subscription import Subscription
from automations.ports import DeliveryStore, SubscriptionStore

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(params=["sqlite", "dynamodb"])
def deliveries(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeliveryStore]:
    if request.param == "sqlite":
        database = Database(tmp_path / "deliveries.db")
        yield SqliteDeliveryStore(database)
        database.close()
        return
    import boto3
    from moto import mock_aws

    from automations.adapters.aws.deliveries import DynamoDeliveryStore
    from automations.adapters.aws.tables import create_tables

    fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb")
        names = create_tables(client, {"Automations": "automations-t"})
        yield DynamoDeliveryStore(client, names["Automations"])


def test_the_first_delivery_is_new_and_a_redelivery_gets_its_time(
    deliveries: DeliveryStore,
) -> None:
    assert deliveries.first_seen("telegram:bot:1", T, T + DAY) == T
    later = T + timedelta(minutes=5)
    assert deliveries.first_seen("telegram:bot:1", later, later + DAY) == T
    # Another update, or the same id on another connection, is another delivery.
    assert deliveries.first_seen("telegram:bot:2", later, later + DAY) == later
    assert deliveries.first_seen("telegram:other:1", later, later + DAY) == later


def test_a_delivery_remembered_past_its_expiry_is_new_again(deliveries: DeliveryStore) -> None:
    assert deliveries.first_seen("max:bot:mid.1", T, T + DAY) == T
    still = T + DAY - timedelta(seconds=1)
    assert deliveries.first_seen("max:bot:mid.1", still, still + DAY) == T
    after = T + DAY
    assert deliveries.first_seen("max:bot:mid.1", after, after + DAY) == after
    # ... and remembered from then on.
    assert deliveries.first_seen("max:bot:mid.1", after + DAY / 2, after + DAY * 2) == after


def test_of_deliveries_at_once_exactly_one_is_first(deliveries: DeliveryStore) -> None:
    times = [T + timedelta(seconds=i) for i in range(8)]
    seen: list[datetime] = []
    barrier = threading.Barrier(len(times))

    def deliver(at: datetime) -> None:
        barrier.wait()
        seen.append(deliveries.first_seen("whatsapp:wa:wamid.X", at, at + DAY))

    threads = [threading.Thread(target=deliver, args=(at,)) for at in times]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1 and seen[0] in times


def test_a_connection_has_its_active_subscriptions_to_an_event(
    subscription_store: SubscriptionStore,
) -> None:
    def subscription(id_: str, connection: str, event: EventType, active: bool = True) -> None:
        subscription_store.put(
            Subscription(
                id=id_, connection=connection, events=[event], scenario_id="s", active=active
            )
        )

    subscription("a", "bot", EventType.TELEGRAM_MESSAGE)
    subscription("b", "bot", EventType.TELEGRAM_MESSAGE, active=False)
    subscription("c", "other", EventType.TELEGRAM_MESSAGE)
    subscription("d", "bot", EventType.MAX_MESSAGE)
    found = subscription_store.for_connection("bot", EventType.TELEGRAM_MESSAGE)
    assert [s.id for s in found] == ["a"]
    assert found[0].connection == "bot" and found[0].catalog_id is None
    assert subscription_store.get("d") == Subscription(
        id="d", connection="bot", events=[EventType.MAX_MESSAGE], scenario_id="s"
    )
    # A record event's subscription names no connection, and no connection finds it.
    subscription_store.put(
        Subscription(id="e", catalog_id="1", events=[EventType.AFTER_CREATE], scenario_id="s")
    )
    assert subscription_store.get("e").connection is None  # type: ignore[union-attr]
    assert [s.id for s in subscription_store.matching("1", EventType.AFTER_CREATE)] == ["e"]
