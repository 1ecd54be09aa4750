"""The dev server's app (automation side included) over a fresh SQLite file, on a virtual
clock, called in process as `support.api.Api` calls the records-only one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.asl.clock import VirtualClock
from automations.model.user import Role
from automations.settings import Settings
from support.api import LOGIN, PASSWORD, Api
from support.bootstrap import LocalServices

START = 1_767_323_045.0  # 2026-01-02T03:04:05Z


@contextmanager
def runtime_api(path: Path, settings: Settings | None = None) -> Iterator[tuple[Api, LocalRuntime]]:
    """An admin-authenticated `Api` over `build_runtime` (nothing started: no loops run)."""
    clock = VirtualClock(start=START)
    runtime = build_runtime(path, settings or Settings(demo=False), clock=clock)
    try:
        runtime.services.users.create(LOGIN, PASSWORD, name="Admin", role=Role.ADMIN)
        local = LocalServices(services=runtime.services, db=runtime.db)
        yield Api(local=local, app=runtime.app(), clock=clock), runtime
    finally:
        runtime.close()
