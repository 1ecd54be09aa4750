"""functions/api fed API Gateway proxy events on moto: the same API as `automations dev`, on
the DynamoDB stores, with scenarios provisioned as state machines when saved."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import handler_support as support
import iam_support as iam
import pytest

from automations.demo import bpmn_text

# powertools warns when an invocation added no metric but the cold-start one (as on Lambda).
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
SECRET_PASSWORD = "from-secrets-manager-7Qx"  # not the AUTOMATIONS_ADMIN_PASSWORD of the env
AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(f"{support.ADMIN}:{SECRET_PASSWORD}".encode()).decode()
}
ENV_PASSWORD_AUTH = {"Authorization": support.BASIC}


@pytest.fixture
def admin_secret() -> str:
    """The admin password as deployed: a Secrets Manager secret the API reads by reference."""
    client = boto3.client("secretsmanager", region_name=support.REGION)
    return str(client.create_secret(Name="admin-password", SecretString=SECRET_PASSWORD)["ARN"])


@pytest.fixture
def api(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str], admin_secret: str
) -> Iterator[Any]:
    support.handler_env(monkeypatch, tables, AUTOMATIONS_ADMIN_PASSWORD_SECRET=admin_secret)
    recorder = iam.Recorder(tables, secrets={admin_secret: "AdminPasswordSecret"})
    support.install_runtime(session=recorder.session)
    handler = support.load_handler("api").handler

    def call(event: dict[str, Any]) -> Any:
        with recorder.recording():
            return handler(event, support.LambdaContext())

    yield call
    assert recorder.requests
    assert iam.denied("ApiFunction", recorder.requests) == []


def test_catalogs_are_listed_for_the_admin_the_first_start_created(api: Any) -> None:
    anonymous = api(support.proxy_event("GET", "/api/v1/catalogs"))
    created = api(
        support.proxy_event(
            "POST",
            "/api/v1/catalogs",
            body='{"name": "Deals", "fields": [{"name": "Title", "type": "text"}]}',
            headers=AUTH | {"Content-Type": "application/json"},
        )
    )
    listed = api(support.proxy_event("GET", "/api/v1/catalogs", headers=AUTH))
    with_env_password = api(
        support.proxy_event("GET", "/api/v1/catalogs", headers=ENV_PASSWORD_AUTH)
    )

    assert anonymous["statusCode"] == 401
    assert with_env_password["statusCode"] == 401  # the secret's password, not the variable's
    assert created["statusCode"] == 200, created["body"]
    assert listed["statusCode"] == 200
    assert [c["name"] for c in support.json_body(listed)] == ["Deals"]


def test_the_first_start_makes_the_configured_user_an_admin(api: Any) -> None:
    listed = api(support.proxy_event("GET", "/api/v1/users", headers=AUTH))
    member = api(
        support.proxy_event(
            "POST",
            "/api/v1/users",
            body='{"email": "ann@example.com", "password": "long enough"}',
            headers=AUTH | {"Content-Type": "application/json"},
        )
    )
    assert listed["statusCode"] == 200
    assert [(u["email"], u["role"]) for u in support.json_body(listed)] == [
        (support.ADMIN, "admin")
    ]
    assert support.json_body(member)["role"] == "member"


def test_a_scenario_saved_twice_unchanged_has_one_machine_per_flavour(api: Any) -> None:
    put = support.proxy_event(
        "PUT",
        "/api/v1/scenarios/demo-quote",
        body=bpmn_text("demo-quote"),
        headers=AUTH | {"Content-Type": "application/xml"},
    )

    first = api(put)
    machines = support.aws_runtime().stepfunctions.list_state_machines()["stateMachines"]
    second = api(put)
    again = support.aws_runtime().stepfunctions.list_state_machines()["stateMachines"]

    assert first["statusCode"] in (200, 201), first["body"]
    assert support.json_body(first)["version"] == 1
    assert support.json_body(second)["version"] == 2
    assert sorted(m["name"] for m in machines) == [
        f"{support.STACK}-demo-quote-exp",
        f"{support.STACK}-demo-quote-std",
    ]
    assert [m["stateMachineArn"] for m in again] == [m["stateMachineArn"] for m in machines]


def test_an_invalid_scenario_is_refused_with_its_problems(api: Any) -> None:
    answer = api(
        support.proxy_event(
            "PUT",
            "/api/v1/scenarios/broken",
            body="<definitions/>",
            headers=AUTH | {"Content-Type": "application/xml"},
        )
    )

    assert answer["statusCode"] == 422
    assert support.aws_runtime().stepfunctions.list_state_machines()["stateMachines"] == []
