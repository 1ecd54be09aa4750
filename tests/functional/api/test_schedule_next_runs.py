"""`GET /api/v1/schedules` gives each schedule's next five run times, computed by the code that
fires them (the web app shows them; it never parses cron itself)."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.model.user import Role
from automations.settings import Settings
from support.api import proxy_event

LOGIN, PASSWORD = "admin@example.com", "pw"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()}
DEMO = Path(__file__).parents[3] / "src" / "automations" / "demo" / "demo-quote.bpmn"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    built = build_runtime(tmp_path / "app.db", Settings(demo=False))
    built.services.users.create(LOGIN, PASSWORD, role=Role.ADMIN)
    app = built.app()
    saved = app.resolve(
        proxy_event(
            "PUT",
            "/api/v1/scenarios/quote",
            raw_body=DEMO.read_text(encoding="utf-8"),
            headers=AUTH | {"Content-Type": "application/xml"},
        ),
        None,
    )
    assert saved["statusCode"] == 200, saved["body"]
    yield built
    built.close()


def call(runtime: LocalRuntime, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    answer = runtime.app().resolve(proxy_event(method, path, body, headers=AUTH), None)
    return answer["statusCode"], json.loads(answer["body"])


def times(texts: list[str]) -> list[datetime]:
    return [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in texts]


def test_a_cron_schedule_lists_its_next_five_days(runtime: LocalRuntime) -> None:
    status, created = call(
        runtime,
        "POST",
        "/api/v1/schedules",
        {"expression": "cron(30 9 * * ? *)", "scenarioId": "quote"},
    )
    assert status == 200, created
    runs = times(created["nextRuns"])
    assert len(runs) == 5
    assert created["nextRuns"][0] == created["nextRunAt"]
    assert all((r.hour, r.minute) == (9, 30) for r in runs)
    assert [b - a for a, b in itertools.pairwise(runs)] == [timedelta(days=1)] * 4

    status, listed = call(runtime, "GET", "/api/v1/schedules")
    assert status == 200
    assert [s["nextRuns"] for s in listed] == [created["nextRuns"]]


def test_a_rate_schedule_steps_by_its_rate_and_an_inactive_one_has_none(
    runtime: LocalRuntime,
) -> None:
    _, hourly = call(
        runtime, "POST", "/api/v1/schedules", {"expression": "rate(2 hours)", "scenarioId": "quote"}
    )
    runs = times(hourly["nextRuns"])
    assert [b - a for a, b in itertools.pairwise(runs)] == [timedelta(hours=2)] * 4

    _, paused = call(
        runtime,
        "POST",
        "/api/v1/schedules",
        {"expression": "rate(5 minutes)", "scenarioId": "quote", "active": False},
    )
    assert paused["nextRuns"] == []
