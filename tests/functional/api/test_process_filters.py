"""`GET /api/v1/processes` filters and `GET /api/v1/processes/stats` (docs/web-api.md
"Processes"), through the dev server's resolver on a virtual clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automations.adapters.local.runtime import LocalRuntime
from automations.model.process import EventRef, Initiator, ProcessRecord, ProcessStatus
from automations.model.user import Role
from automations.ports import ProcessStore
from support.api import Api
from support.runtime_api import runtime_api

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # support.runtime_api.START


@dataclass
class Site:
    api: Api
    store: ProcessStore

    def add(
        self,
        number: int,
        *,
        minutes_ago: float = 0,
        status: ProcessStatus = ProcessStatus.COMPLETED,
        duration_ms: int | None = 10,
        scenario: str = "s1",
        event_type: str = "$manual",
        user: str | None = None,
    ) -> str:
        ident = f"p{number:04d}"
        self.store.create(
            ProcessRecord(
                id=ident,
                scenario_id=scenario,
                scenario_version=1,
                event=EventRef(id=f"e{number}", type=event_type),
                initiator=Initiator(user_id=user),
                status=status,
                queued_at=NOW - timedelta(minutes=minutes_ago),
                duration_ms=duration_ms if status is not ProcessStatus.RUNNING else None,
            )
        )
        return ident

    def listed(self, auth: str | None = None, **query: str) -> list[str]:
        answer = (
            self.api.call("GET", "/api/v1/processes", query=query)
            if auth is None
            else self.api.call("GET", "/api/v1/processes", query=query, auth=auth)
        )
        assert answer.status == 200, answer.body
        return [p["id"] for p in answer.body]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    runtime: LocalRuntime
    with runtime_api(tmp_path / "app.db") as (api, runtime):
        assert runtime.automation is not None
        yield Site(api, runtime.automation.processes.deps.processes)


def test_each_filter_and_their_combination(site: Site) -> None:
    site.add(1, minutes_ago=50, status=ProcessStatus.ERROR, event_type="$webRequest")
    site.add(2, minutes_ago=40, scenario="s2", event_type="$record.after.create")
    site.add(3, minutes_ago=30, status=ProcessStatus.ERROR, scenario="s2")
    site.add(4, minutes_ago=20, status=ProcessStatus.RUNNING)
    assert site.listed() == ["p0004", "p0003", "p0002", "p0001"]
    assert site.listed(status="error") == ["p0003", "p0001"]
    assert site.listed(scenarioId="s2") == ["p0003", "p0002"]
    assert site.listed(eventType="$record.after.create") == ["p0002"]
    assert site.listed(eventType="$manual", status="error", scenarioId="s2") == ["p0003"]


def test_from_and_to_bound_when_it_was_queued(site: Site) -> None:
    for number in range(1, 6):
        site.add(number, minutes_ago=10 * (6 - number))  # p0005 newest, 10 min ago
    since = (NOW - timedelta(minutes=40)).isoformat()
    until = (NOW - timedelta(minutes=20)).isoformat()
    assert site.listed(**{"from": since, "to": until}) == ["p0004", "p0003", "p0002"]
    # The same instant written in another zone: 02:24:05Z is 05:24:05+03:00.
    assert site.listed(**{"from": "2026-01-02T05:24:05+03:00"}) == [
        "p0005",
        "p0004",
        "p0003",
        "p0002",
    ]


def test_pages_follow_offset_plus_limit_and_the_short_one_is_last(site: Site) -> None:
    for number in range(7):
        site.add(number, minutes_ago=7 - number)
    pages, offset = [], 0
    while True:
        page = site.listed(limit="3", offset=str(offset))
        pages.append(page)
        if len(page) < 3:
            break
        offset += 3
    assert [len(p) for p in pages] == [3, 3, 1]
    flat = [ident for page in pages for ident in page]
    assert flat == [f"p{n:04d}" for n in range(6, -1, -1)]


def test_bad_filters_say_which_and_why(site: Site) -> None:
    for query, field in (
        ({"status": "done"}, "status"),
        ({"limit": "1001"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"eventType": "x" * 101}, "eventType"),
    ):
        answer = site.api.call("GET", "/api/v1/processes", query=query)
        assert (answer.status, answer.body["code"]) == (400, "request_invalid"), query
        assert field in str(answer.body), query


def test_a_member_sees_only_their_own_whatever_the_filters(site: Site) -> None:
    member = site.api.user("member@example.com", role=Role.MEMBER)
    found = site.api.local.services.users.by_login("member@example.com")
    assert found is not None
    site.add(1, user=found.id, event_type="$manual")
    site.add(2, user="999", event_type="$manual")
    site.add(3, user=None, event_type="$manual")
    site.add(4, user=found.id, event_type="$webRequest", status=ProcessStatus.ERROR)
    assert site.listed(auth=member) == ["p0004", "p0001"]
    assert site.listed(auth=member, eventType="$manual") == ["p0001"]
    assert site.listed(auth=member, status="error") == ["p0004"]
    assert site.listed(auth=member, limit="1", offset="1") == ["p0001"]


def stats(site: Site, auth: str | None = None, **query: str) -> dict[str, object]:
    answer = (
        site.api.call("GET", "/api/v1/processes/stats", query=query)
        if auth is None
        else site.api.call("GET", "/api/v1/processes/stats", query=query, auth=auth)
    )
    assert answer.status == 200, answer.body
    body: dict[str, object] = answer.body
    return body


def test_stats_give_every_hour_oldest_first_counted_by_status_now(site: Site) -> None:
    site.add(1, minutes_ago=2, status=ProcessStatus.RUNNING)  # 03:02
    site.add(2, minutes_ago=3, duration_ms=100)  # 03:01
    site.add(3, minutes_ago=70, status=ProcessStatus.ERROR, duration_ms=300)  # 01:54
    site.add(4, minutes_ago=200, duration_ms=5)  # 23:44 the day before: outside 3 hours
    body = stats(site, hours="3")
    assert (body["from"], body["to"]) == ("2026-01-02T01:00:00.000Z", "2026-01-02T03:04:05.000Z")
    assert body["hours"] == [
        {
            "hour": "2026-01-02T01:00:00Z",
            "total": 1,
            "queued": 0,
            "running": 0,
            "completed": 0,
            "error": 1,
            "aborted": 0,
        },
        {
            "hour": "2026-01-02T02:00:00Z",
            "total": 0,
            "queued": 0,
            "running": 0,
            "completed": 0,
            "error": 0,
            "aborted": 0,
        },
        {
            "hour": "2026-01-02T03:00:00Z",
            "total": 2,
            "queued": 0,
            "running": 1,
            "completed": 1,
            "error": 0,
            "aborted": 0,
        },
    ]
    assert body["durations"] == {"p50": 100, "p90": 300, "p99": 300, "count": 2}
    assert body["complete"] is True


def test_stats_default_to_24_hours_and_follow_the_scenario(site: Site) -> None:
    site.add(1, scenario="s1", duration_ms=10)
    site.add(2, scenario="s2", duration_ms=20)
    every = stats(site)
    hours = every["hours"]
    assert isinstance(hours, list) and len(hours) == 24
    assert hours[0]["hour"] == "2026-01-01T04:00:00Z"
    only = stats(site, scenarioId="s2")
    assert only["durations"] == {"p50": 20, "p90": 20, "p99": 20, "count": 1}


def test_stats_without_ended_processes_have_null_durations(site: Site) -> None:
    site.add(1, status=ProcessStatus.RUNNING)
    assert stats(site, hours="1")["durations"] == {
        "p50": None,
        "p90": None,
        "p99": None,
        "count": 0,
    }


def test_stats_are_for_admins_and_hours_are_bounded(site: Site) -> None:
    member = site.api.user("member@example.com", role=Role.MEMBER)
    refused = site.api.call("GET", "/api/v1/processes/stats", auth=member)
    assert (refused.status, refused.body["code"]) == (403, "forbidden")
    for hours in ("0", "169", "many"):
        answer = site.api.call("GET", "/api/v1/processes/stats", query={"hours": hours})
        assert (answer.status, answer.body["code"]) == (400, "request_invalid"), hours
        assert "hours" in str(answer.body)
    assert len(stats(site, hours="168")["hours"]) == 168  # type: ignore[arg-type]
