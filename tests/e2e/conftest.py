"""Fixtures starting a real `automations dev` (tests/support/devserver.py says how)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.devserver import Dev, StartDev, starter, stop_all


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[StartDev]:
    """Start servers for one test (each killed at its end)."""
    started: list[Dev] = []
    yield starter(tmp_path, started)
    stop_all(started)


@pytest.fixture(scope="module")
def shared_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """One server for a whole module (tests there use catalogs of their own)."""
    started: list[Dev] = []
    folder = tmp_path_factory.mktemp("dev")
    yield starter(folder, started)(sync_timeout_seconds=5, max_chain_depth=5)
    stop_all(started)
