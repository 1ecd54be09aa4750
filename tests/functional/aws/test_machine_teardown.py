"""The teardown custom resource (functions/teardown) in moto: on stack delete it stops
and deletes this deployment's machines, and no one else's, and answers CloudFormation."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import handler_support as support
import pytest
import sfn_support as sfn
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from automations.adapters.aws.errors import MachineSetupInvalid
from automations.adapters.aws.machines import Machines
from automations.adapters.aws.teardown import delete_machines

WAITING = {
    "QueryLanguage": "JSONata",
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}},
}
PASSING = {
    "QueryLanguage": "JSONata",
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "End": True}},
}


@contextmanager
def cloudformation() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local ResponseURL: the answers PUT to it, parsed."""
    answers: list[dict[str, Any]] = []

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            answers.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/answer?signed", answers
    finally:
        server.shutdown()
        server.server_close()


def event(kind: str, url: str, role: str, prefix: str = "stack-") -> dict[str, Any]:
    return {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/stack/1",
        "RequestId": "r-1",
        "LogicalResourceId": "MachineTeardown",
        "ResourceType": "Custom::MachineTeardown",
        "ResourceProperties": {"ServiceToken": "arn:fn", "Prefix": prefix, "RoleArn": role},
    }


def machines(world: Any, prefix: str, role: str | None = None) -> Machines:
    return Machines(
        world.sfn,
        role_arn=role or world.moto._role,
        component_arn=lambda name: name,
        children=lambda sid: None,
        prefix=prefix,
    )


def names(world: Any) -> list[str]:
    return sorted(m["name"] for m in world.sfn.list_state_machines()["stateMachines"])


def test_stack_delete_stops_and_deletes_this_deployments_machines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sfn.world(tmp_path) as world, cloudformation() as (url, answers):
        other_role = boto3.client("iam").create_role(
            RoleName="other-stack-machines", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        ours = machines(world, "stack-")
        version = ours.publish("order", "STANDARD", WAITING)
        ours.publish("order", "STANDARD", PASSING)  # a second version goes with the machine
        ours.publish("order", "EXPRESS", PASSING)
        machines(world, "stack-2-", other_role).publish("order", "STANDARD", PASSING)
        machines(world, "other-").publish("order", "STANDARD", PASSING)
        running = world.sfn.start_execution(stateMachineArn=version, name="p-1")["executionArn"]
        sfn.entered(world.sfn, running, "W")
        # moto forgets a deleted machine's executions: hold on to this one's model.
        backend = stepfunctions_parser_backends[running.split(":")[4]][sfn.REGION]
        machine = backend.describe_state_machine(ours.machine_arn("order", "STANDARD"))
        (execution,) = machine.executions
        app = support.load_handler("teardown")
        app.handler(event("Update", url, world.moto._role), support.LambdaContext())
        after_update = names(world)
        app.handler(event("Delete", url, world.moto._role), support.LambdaContext())
        left = names(world)

    assert after_update == [
        "other-order-std",
        "stack-2-order-std",
        "stack-order-exp",
        "stack-order-std",
    ]
    # "stack-2-" starts with "stack-" too: its other role keeps it out.
    assert left == ["other-order-std", "stack-2-order-std"]
    assert execution.status == "ABORTED"
    assert [a["Status"] for a in answers] == ["SUCCESS", "SUCCESS"]
    assert answers[1]["Reason"] == "deleted 2 state machines"
    assert answers[1]["LogicalResourceId"] == "MachineTeardown"
    assert answers[1]["RequestId"] == "r-1"


def test_a_failed_teardown_answers_failed_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sfn.world(tmp_path) as world, cloudformation() as (url, answers):
        app = support.load_handler("teardown")

        def broken(*args: Any) -> list[str]:
            raise MachineSetupInvalid("Step Functions said no")

        monkeypatch.setattr(app, "delete_machines", broken)
        app.handler(event("Delete", url, world.moto._role), support.LambdaContext())

    assert answers[0]["Status"] == "FAILED"
    assert "Step Functions said no" in answers[0]["Reason"]


def test_the_teardown_refuses_an_empty_prefix(tmp_path: Path) -> None:
    with sfn.world(tmp_path) as world, pytest.raises(MachineSetupInvalid, match="Prefix"):
        delete_machines(world.sfn, "", world.moto._role)
