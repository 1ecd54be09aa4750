"""Fixtures: an API resolver over a fresh SQLite database (tests/support/api.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from automations.api.app import build_app
from automations.api.services import ApiConfig
from automations.asl.clock import VirtualClock
from automations.model.user import Role
from automations.ports import BeforeHooks
from support.api import LOGIN, PASSWORD, Api, MakeApi
from support.bootstrap import LocalServices, bootstrap


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[MakeApi]:
    opened: list[LocalServices] = []

    def make(hooks: BeforeHooks | None = None, config: ApiConfig | None = None) -> Api:
        clock = VirtualClock(start=1_767_323_045.0)
        local = bootstrap(
            tmp_path / f"api{len(opened)}.db", clock=clock, hooks=hooks, config=config
        )
        opened.append(local)
        local.services.users.create(LOGIN, PASSWORD, name="Admin", role=Role.ADMIN)
        return Api(local=local, app=build_app(local.services), clock=clock)

    yield make
    for local in opened:
        local.db.close()


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()
