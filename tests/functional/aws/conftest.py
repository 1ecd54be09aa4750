"""moto fixtures for the AWS adapter tests: fake credentials, `mock_aws`, the tables of
`automations.adapters.aws.tables`. None is autouse: tests ask for what they need."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto_env import fake_aws
from moto_versions import versions_in_moto

from automations.adapters.aws.tables import create_tables


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region, so nothing can reach a real account."""
    fake_aws(monkeypatch)


@pytest.fixture
def mocked_aws(aws_env: None) -> Iterator[None]:
    """Every AWS call inside the test answered by moto (state machine versions included)."""
    with mock_aws(), versions_in_moto():
        yield


@pytest.fixture
def dynamodb(mocked_aws: None) -> Any:
    """A DynamoDB client of the moto account."""
    return boto3.client("dynamodb")


@pytest.fixture
def tables(dynamodb: Any) -> dict[str, str]:
    """Every table created, by logical name (`Records`, `Automations`, `Sessions`) -> name."""
    names = {"Records": "test-records", "Automations": "test-automations"}
    return create_tables(dynamodb, names | {"Sessions": "test-sessions"})


@pytest.fixture
def one_request_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto is not thread-safe (its backends copy dicts other threads change: "dictionary
    changed size during iteration"), so each request is answered under a lock, as DynamoDB
    applies each request atomically. Only moto's handling of one request is serialized: the
    store's read-then-write steps of different threads still interleave freely."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    answer = BotocoreStubber.__call__

    def serialized(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return answer(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", serialized)
