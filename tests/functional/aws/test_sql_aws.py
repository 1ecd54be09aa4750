"""`sql.query` on AWS (moto): named connections read from Secrets Manager in each of their forms,
the step-runner running a statement on the real PostgreSQL of this machine through one, and a
statement not waited for handed to the function itself as an asynchronous invocation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import handler_support as support
import psycopg
import pytest

from automations.adapters.aws.background import LambdaBackgroundCalls
from automations.adapters.aws.connections import SecretsManagerConnections
from automations.adapters.aws.runtime import _SERVICE_KEYS
from automations.components.connections import SERVICE_KEY as CONNECTIONS_KEY
from automations.components.records_common import SERVICE_KEY as RECORDS_KEY
from automations.components.sql_query import BACKGROUND_KEY
from support.sql_servers import require, unique_name

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
PREFIX = "automations/connections/"
EXECUTION = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:crm-std-0123456789abcdef:p-7"
PG = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def secretsmanager(mocked_aws: None) -> Any:
    client = boto3.client("secretsmanager")
    client.create_secret(Name=f"{PREFIX}crm", SecretString=PG)
    client.create_secret(
        Name=f"{PREFIX}orders",
        SecretString=json.dumps({"url": "mysql://app@db.internal/orders", "password": "p@ss/1"}),
    )
    client.create_secret(
        Name=f"{PREFIX}rds",
        SecretString=json.dumps(
            {
                "engine": "postgres",
                "host": "crm.cluster-x.eu-west-1.rds.amazonaws.com",
                "port": 5432,
                "username": "reader",
                "password": "rotated:secret",
                "dbname": "crm",
            }
        ),
    )
    client.create_secret(Name="admin-password", SecretString="not-a-connection")
    return client


def test_each_secret_form_is_a_url(secretsmanager: Any) -> None:
    connections = SecretsManagerConnections(secretsmanager, prefix=PREFIX)
    assert connections.get("crm") == PG
    assert connections.get("orders") == "mysql://app:p%40ss%2F1@db.internal/orders"
    assert connections.get("rds") == (
        "postgresql://reader:rotated%3Asecret@crm.cluster-x.eu-west-1.rds.amazonaws.com:5432/crm"
    )
    assert connections.get("missing") is None


def test_a_name_cannot_reach_another_secret(secretsmanager: Any) -> None:
    connections = SecretsManagerConnections(secretsmanager, prefix=PREFIX)
    arn = secretsmanager.describe_secret(SecretId="admin-password")["ARN"]
    for name in (arn, "../admin-password", f"x/{PREFIX}crm", ""):
        assert connections.get(name) is None, name


def test_the_prefix_comes_from_the_environment(
    secretsmanager: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTIONS_PREFIX", PREFIX)
    assert SecretsManagerConnections(secretsmanager).get("crm") == PG


def test_the_step_runner_offers_records_connections_and_background() -> None:
    assert {RECORDS_KEY, CONNECTIONS_KEY, BACKGROUND_KEY} <= set(_SERVICE_KEYS)


@pytest.fixture
def table() -> Iterator[str]:
    require("127.0.0.1", 5432, "PostgreSQL")
    name = unique_name()
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as raw:
        raw.execute(f"CREATE TABLE {name} (id integer PRIMARY KEY, note text)")
    yield name
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as raw:
        raw.execute(f"DROP TABLE IF EXISTS {name}")


def step_runner(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in (
        support.HANDLER_ENV
        | {
            "COMPONENT": "sql.query",
            "CONNECTIONS_PREFIX": PREFIX,
            "AWS_LAMBDA_FUNCTION_NAME": "s-sql-query",
        }
    ).items():
        monkeypatch.setenv(name, value)
    support.install_runtime()
    return support.load_handler("step-runner")


def envelope(inputs: dict[str, Any]) -> dict[str, Any]:
    return {"inputs": inputs, "context": {"executionId": EXECUTION, "elementId": "Query"}}


def test_the_step_runner_queries_through_a_named_connection(
    secretsmanager: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = step_runner(monkeypatch).handler
    inserted = handler(
        envelope(
            {
                "connection": "crm",
                "query": f"INSERT INTO {table} VALUES (:id, ${{note}})",
                "parameters": {"id": 1, "note": "from Lambda"},
            }
        ),
        support.LambdaContext(),
    )
    assert inserted == {"rows": [], "rowCount": 1, "truncated": False}
    found = handler(
        envelope({"connection": "crm", "query": f"SELECT * FROM {table}"}), support.LambdaContext()
    )
    assert found["rows"] == [{"id": 1, "note": "from Lambda"}]
    with pytest.raises(Exception) as failed:
        handler(envelope({"connection": "nope", "query": "SELECT 1"}), support.LambdaContext())
    assert type(failed.value).__name__ == "sql.connection"  # the error name Catch matches


class RecordingLambda:
    """A Lambda client that keeps what it was asked to invoke."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **call: Any) -> dict[str, Any]:
        self.calls.append(call)
        return {"StatusCode": 202}


def test_a_statement_not_waited_for_is_this_function_invoked_again(
    secretsmanager: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = step_runner(monkeypatch)
    client = RecordingLambda()
    runtime = support.aws_runtime()
    runtime.__dict__["background"] = LambdaBackgroundCalls(client, "s-sql-query")
    inputs = {
        "connection": "crm",
        "query": f"INSERT INTO {table} VALUES (:id, 'later')",
        "parameters": {"id": 9},
        "wait": False,
    }
    started = module.handler(envelope(inputs), support.LambdaContext())
    assert started == {"rows": [], "rowCount": None, "truncated": False}
    [call] = client.calls
    assert (call["FunctionName"], call["InvocationType"]) == ("s-sql-query", "Event")
    sent = json.loads(call["Payload"])
    assert sent["inputs"]["wait"] is True and sent["inputs"]["query"] == inputs["query"]
    # What Lambda would then run: the same handler on that payload.
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as raw:
        assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    assert module.handler(sent, support.LambdaContext())["rowCount"] == 1
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as raw:
        assert raw.execute(f"SELECT id, note FROM {table}").fetchall() == [(9, "later")]
