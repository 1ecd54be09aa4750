"""Scenario versions, subscriptions, web-request endpoints and schedules, on every adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from automations.errors import StoreConflict
from automations.model.event import EventType
from automations.model.scenario import Schedule, WebRequestEndpoint
from automations.model.subscription import Subscription
from automations.ports import (
    ScenarioStore,
    ScheduleStore,
    SubscriptionStore,
    WebRequestStore,
)

T = datetime(2026, 1, 2, tzinfo=UTC)


def test_scenario_versions_count_from_one(scenario_store: ScenarioStore) -> None:
    store = scenario_store
    first = store.add_version("order", "<a/>", {"STANDARD": {"StartAt": "A"}})
    second = store.add_version("order", "<b/>", {"STANDARD": {}, "EXPRESS": {}})
    other = store.add_version("invoice", "<c/>", {})
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert store.get_version("order", 1) == first
    assert store.latest("order") == second
    assert (store.versions("order"), store.latest("nope"), store.get_version("order", 9)) == (
        [1, 2],
        None,
        None,
    )


def test_a_deleted_scenario_is_gone_but_its_versions_stay_readable(
    scenario_store: ScenarioStore,
) -> None:
    store = scenario_store
    first = store.add_version("order", "<a/>", {"STANDARD": {}})
    second = store.add_version("order", "<b/>", {"STANDARD": {}})
    store.add_version("invoice", "<c/>", {})

    assert store.delete("order") is True
    assert (store.latest("order"), store.delete("order"), store.delete("nope")) == (
        None,
        False,
        False,
    )
    assert [v.scenario_id for v in store.all()] == ["invoice"]
    assert (store.get_version("order", 1), store.get_version("order", 2)) == (first, second)
    assert store.versions("order") == [1, 2]

    third = store.add_version("order", "<d/>", {"STANDARD": {}})  # saved again: it is back
    assert (third.version, store.latest("order")) == (3, third)
    assert [v.scenario_id for v in store.all()] == ["invoice", "order"]


def test_subscriptions_match_catalog_event_and_activity(
    subscription_store: SubscriptionStore,
) -> None:
    store = subscription_store
    store.put(
        Subscription(
            id="1",
            catalog_id="15",
            events=[EventType.AFTER_CREATE, EventType.AFTER_UPDATE],
            scenario_id="s",
        )
    )
    store.put(
        Subscription(
            id="2", catalog_id="15", events=[EventType.AFTER_UPDATE], fields=["3"], scenario_id="t"
        )
    )
    store.put(
        Subscription(
            id="3", catalog_id="15", events=[EventType.AFTER_UPDATE], scenario_id="u", active=False
        )
    )
    store.put(
        Subscription(id="4", catalog_id="16", events=[EventType.AFTER_UPDATE], scenario_id="v")
    )
    assert [s.id for s in store.matching("15", EventType.AFTER_UPDATE)] == ["1", "2"]
    assert [s.id for s in store.matching("15", EventType.AFTER_CREATE)] == ["1"]
    assert [s.id for s in store.all("15")] == ["1", "2", "3"]


def test_subscription_put_replaces_and_delete(subscription_store: SubscriptionStore) -> None:
    store = subscription_store
    store.put(
        Subscription(id="1", catalog_id="15", events=[EventType.AFTER_CREATE], scenario_id="s")
    )
    store.put(
        Subscription(id="1", catalog_id="15", events=[EventType.AFTER_DELETE], scenario_id="s2")
    )
    replaced = store.get("1")
    assert replaced is not None and (replaced.events, replaced.scenario_id) == (
        [EventType.AFTER_DELETE],
        "s2",
    )
    assert (store.delete("1"), store.delete("1"), store.get("1")) == (True, False, None)


def test_web_request_url_ids_are_unique(web_request_store: WebRequestStore) -> None:
    store = web_request_store
    store.put(WebRequestEndpoint(id="1", url_id="new-order", scenario_id="s"))
    with pytest.raises(StoreConflict):
        store.put(WebRequestEndpoint(id="2", url_id="new-order", scenario_id="t"))
    found = store.by_url_id("new-order")
    assert found is not None and found.id == "1"
    assert ([e.id for e in store.all()], store.delete("1"), store.get("1")) == (["1"], True, None)


def test_a_url_id_lookup_sees_every_write_after_it(web_request_store: WebRequestStore) -> None:
    store = web_request_store
    missing_before = store.by_url_id("quote")
    store.put(WebRequestEndpoint(id="1", url_id="quote", scenario_id="s"))
    first = store.by_url_id("quote")
    store.put(WebRequestEndpoint(id="1", url_id="quote", scenario_id="t", active=False))
    changed = store.by_url_id("quote")
    store.put(WebRequestEndpoint(id="1", url_id="quote-2", scenario_id="t"))
    moved = (store.by_url_id("quote"), store.by_url_id("quote-2"))
    store.delete("1")

    assert missing_before is None
    assert first is not None and (first.scenario_id, first.active) == ("s", True)
    assert changed is not None and (changed.scenario_id, changed.active) == ("t", False)
    assert moved[0] is None and moved[1] is not None and moved[1].id == "1"
    assert store.by_url_id("quote-2") is None


def test_schedules_due_and_next_run_compare_and_set(schedule_store: ScheduleStore) -> None:
    store = schedule_store
    store.put(Schedule(id="a", expression="rate(5 minutes)", scenario_id="s", next_run_at=T))
    store.put(
        Schedule(
            id="b",
            expression="cron(0 9 * * ? *)",
            scenario_id="s",
            next_run_at=T + timedelta(hours=1),
        )
    )
    store.put(
        Schedule(id="c", expression="rate(1 minute)", scenario_id="s", next_run_at=T, active=False)
    )
    assert [s.id for s in store.due(T)] == ["a"]
    following = T + timedelta(minutes=5)
    assert store.set_next_run("a", T, following)
    assert not store.set_next_run("a", T, following + timedelta(minutes=5))
    moved = store.get("a")
    assert moved is not None and moved.next_run_at == following
    assert ([s.id for s in store.all()], store.delete("c")) == (["a", "b", "c"], True)
