"""functions/webhook fed API Gateway proxy events: a web request runs its endpoint's scenario
while the caller waits, and the scenario's `$response` is the answer.

The scenario really runs: moto's Step Functions interpreter with the differential test's patches
(JSONata evaluated, components in-process), StartSyncExecution replaced by the executor tests'
`MotoSyncCall` (moto lacks it: it starts the EXPRESS machine and polls).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import handler_support as support
import iam_support as iam
import pytest
import sfn_support

from automations.adapters.aws.tables import create_tables
from automations.demo import bpmn_text
from automations.model.process import ProcessStatus
from automations.ports import ProcessQuery
from automations.service.scenarios import save_scenario
from automations.service.webrequests import create_endpoint

# powertools warns when an invocation added no metric but the cold-start one (as on Lambda).
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
TABLES = {"Records": "test-records", "Automations": "test-automations"}


class Webhook:
    """The webhook handler over a runtime whose executions run in moto."""

    def __init__(self, moto: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in sfn_support.registry.names():
            moto._function_arn(name)  # the harness's component functions
        account = moto._role.split(":")[4]
        region = sfn_support.REGION
        prefix = f"arn:aws:lambda:{region}:{account}:function:{sfn_support.FUNCTION_PREFIX}"
        support.handler_env(
            monkeypatch, TABLES, STATE_MACHINE_ROLE_ARN=moto._role, COMPONENT_FUNCTION_PREFIX=prefix
        )
        create_tables(boto3.client("dynamodb", region_name=region), TABLES)
        self.sync_call = sfn_support.MotoSyncCall(moto.sfn)
        self.recorder = iam.Recorder(TABLES)
        self.runtime = support.install_runtime(
            sync_call=self.sync_call, session=self.recorder.session
        )
        automation = self.runtime.automation
        save_scenario(automation.scenarios, "demo-quote", bpmn_text("demo-quote"))
        create_endpoint(automation.webrequests, automation.scenarios, "quote", "demo-quote")
        self.handler = support.load_handler("webhook").handler
        self.sfn = moto.sfn

    def request(self, method: str, query: dict[str, str], body: str | None = None) -> Any:
        event = support.proxy_event(
            method,
            "/api/webrequest/quote",
            query=query,
            body=body,
            headers={"Content-Type": "application/json"},
            resource="/api/webrequest/{urlId}",
        )
        event["pathParameters"] = {"urlId": "quote"}
        with self.recorder.recording():
            return self.handler(event, support.LambdaContext())


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    with sfn_support.moto_support.moto_step_functions() as moto:
        deployment = Webhook(moto, monkeypatch)
        try:
            yield deployment
        finally:
            deployment.runtime.executor.close()
        # (StartSyncExecution goes through the test double, outside the recorded session.)
        assert iam.denied("WebhookFunction", deployment.recorder.requests) == []


def test_a_web_request_is_answered_from_response(webhook: Webhook) -> None:
    answer = webhook.request("GET", {"total": "1500"})

    assert answer["statusCode"] == 200, answer["body"]
    assert support.json_body(answer) == {
        "total": 1500,
        "rate": 10,
        "discount": 150,
        "payable": 1350,
    }
    headers = answer.get("multiValueHeaders") or {}
    assert headers.get("X-Quote") == ["demo"]
    # It ran on the EXPRESS machine (synchronously), and its process is recorded completed.
    assert [
        c["stateMachineArn"].split(":")[-2].split("-")[-1] for c in webhook.sync_call.calls
    ] == ["exp"]
    processes = webhook.runtime.process_store.find(ProcessQuery())
    assert [p.status for p in processes] == [ProcessStatus.COMPLETED]
    assert webhook.runtime.process_store.count(ProcessStatus.RUNNING) == 0


def test_the_scenario_decides_the_status(webhook: Webhook) -> None:
    answer = webhook.request("POST", {}, body='{"total": "lots"}')

    assert answer["statusCode"] == 400
    assert "total" in support.json_body(answer)["message"]


def test_an_unknown_url_id_is_404_without_running_anything(webhook: Webhook) -> None:
    event = support.proxy_event("GET", "/api/webrequest/nope", resource="/api/webrequest/{urlId}")

    answer = webhook.handler(event, support.LambdaContext())

    assert answer["statusCode"] == 404
    assert webhook.sync_call.calls == []


def test_deep_and_oversized_bodies_are_refused_before_anything_runs(webhook: Webhook) -> None:
    deep = webhook.request("POST", {}, body='{"total": ' + "[" * 1000 + "]" * 1000 + "}")
    large = webhook.request("POST", {}, body='{"pad": "' + "x" * 1024 * 1024 + '"}')

    assert (deep["statusCode"], support.json_body(deep)["code"]) == (400, "body.too_deep")
    assert "(1001 levels; AUTOMATIONS_MAX_JSON_DEPTH)" in support.json_body(deep)["message"]
    assert (large["statusCode"], support.json_body(large)["code"]) == (413, "body.too_large")
    assert webhook.sync_call.calls == []
    assert webhook.runtime.process_store.find(ProcessQuery()) == []
