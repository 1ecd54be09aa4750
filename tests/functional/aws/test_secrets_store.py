"""Secrets on Secrets Manager (moto): names with the deployment's prefix, cached, None if absent;
the admin password read through them."""

from __future__ import annotations

from typing import Any

import boto3
import handler_support as support
import pytest

from automations.adapters.aws.runtime import AwsRuntime
from automations.adapters.aws.secrets import SecretsManagerSecrets
from automations.errors import SettingsInvalid


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


def test_a_secret_named_by_its_arn_is_found_whatever_the_prefix(secretsmanager: Any) -> None:
    arn = secretsmanager.describe_secret(SecretId="db-password")["ARN"]
    assert (
        SecretsManagerSecrets(secretsmanager, prefix="prod/automations/").get(arn) == "unprefixed"
    )


def test_the_runtime_reads_the_admin_password_through_the_secrets_port(
    secretsmanager: Any, tables: dict[str, str]
) -> None:
    arn = secretsmanager.describe_secret(SecretId="prod/automations/db-password")["ARN"]
    runtime = _runtime(tables, AUTOMATIONS_ADMIN_PASSWORD_SECRET=arn, SECRETS_PREFIX="prod/")
    assert runtime.secrets.get("automations/db-password") == "hunter2"  # the deployment's prefix
    assert runtime.ensure_admin()
    users = runtime.services.users
    assert users.authenticate("boss@example.com", "hunter2") is not None
    assert users.authenticate("boss@example.com", "not-the-secret") is None


def test_a_missing_admin_secret_stops_the_start_naming_the_variable(
    secretsmanager: Any, tables: dict[str, str]
) -> None:
    runtime = _runtime(tables, AUTOMATIONS_ADMIN_PASSWORD_SECRET="gone")
    with pytest.raises(SettingsInvalid, match=r"AUTOMATIONS_ADMIN_PASSWORD_SECRET: .*'gone'"):
        runtime.ensure_admin()
    assert runtime.services.users.all() == []  # never the default password instead


def _runtime(tables: dict[str, str], **environ: str) -> AwsRuntime:
    """A runtime as deployed (the handlers' environment), its admin password in a secret."""
    deployed = support.HANDLER_ENV | {
        "RECORDS_TABLE": tables["Records"],
        "AUTOMATIONS_TABLE": tables["Automations"],
        "AUTOMATIONS_ADMIN_EMAIL": "boss@example.com",
        "AUTOMATIONS_ADMIN_PASSWORD": "not-the-secret",
    }
    return AwsRuntime(deployed | environ, session=boto3.session.Session())
