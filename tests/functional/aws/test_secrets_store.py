"""Secrets on Secrets Manager (moto): names with the deployment's prefix, cached, None if absent."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from automations.adapters.aws.secrets import SecretsManagerSecrets


@pytest.fixture
def secretsmanager(mocked_aws: None) -> Any:
    client = boto3.client("secretsmanager")
    client.create_secret(Name="prod/automations/db-password", SecretString="hunter2")
    client.create_secret(Name="db-password", SecretString="unprefixed")
    return client


def test_a_name_is_the_secret_under_the_prefix(
    secretsmanager: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRETS_PREFIX", "prod/automations/")
    secrets = SecretsManagerSecrets(secretsmanager)
    assert (secrets.get("db-password"), secrets.get("missing")) == ("hunter2", None)
    assert SecretsManagerSecrets(secretsmanager, prefix="").get("db-password") == "unprefixed"


def test_values_are_cached_for_a_while(secretsmanager: Any) -> None:
    cached = SecretsManagerSecrets(secretsmanager, prefix="")
    uncached = SecretsManagerSecrets(secretsmanager, prefix="", cache_seconds=0)
    assert cached.get("db-password") == uncached.get("db-password") == "unprefixed"
    secretsmanager.put_secret_value(SecretId="db-password", SecretString="rotated")
    assert (cached.get("db-password"), uncached.get("db-password")) == ("unprefixed", "rotated")


def test_a_missing_secret_is_found_once_it_exists(secretsmanager: Any) -> None:
    secrets = SecretsManagerSecrets(secretsmanager, prefix="new/")
    assert secrets.get("token") is None
    secretsmanager.create_secret(Name="new/token", SecretString="t0ken")
    assert secrets.get("token") == "t0ken"
