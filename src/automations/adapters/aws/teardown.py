"""Deleting the state machines a deployment made at run time, when its stack is deleted.

CloudFormation deletes what the template declares; the scenarios' machines are made by the
functions, so a custom resource (functions/teardown) calls `delete_machines` on stack
delete. A machine is this deployment's when its name starts with the deployment's prefix *and*
it runs with the deployment's own role: the prefix alone would also match a stack whose name
merely begins with this one's (`app-` and `app-2-...`). Running STANDARD executions are stopped
first (their functions are being deleted: they could only fail later); DeleteStateMachine takes
the versions with the machine.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from automations.adapters.aws.client_errors import Meaning, meaning, step_functions_failed
from automations.adapters.aws.errors import MachineSetupInvalid

STOPPED = ("Automations.StackDeleted", "the stack that ran this process was deleted")


def delete_machines(client: Any, prefix: str, role_arn: str) -> list[str]:
    """Stop the executions of, and delete, every machine named `<prefix>...` that runs with
    `role_arn`; their names."""
    if not prefix:
        raise MachineSetupInvalid("the teardown needs the machines' prefix (Prefix): none given")
    deleted = []
    for listed in _listed(client, "list_state_machines", "stateMachines"):
        arn = str(listed["stateMachineArn"])
        if not str(listed["name"]).startswith(prefix) or _role(client, arn) != role_arn:
            continue
        if listed.get("type", "STANDARD") == "STANDARD":
            _stop_running(client, arn)
        try:
            client.delete_state_machine(stateMachineArn=arn)
        except ClientError as exc:
            raise step_functions_failed("DeleteStateMachine", exc) from exc
        deleted.append(str(listed["name"]))
    return deleted


def _role(client: Any, arn: str) -> str | None:
    try:
        return str(client.describe_state_machine(stateMachineArn=arn)["roleArn"])
    except ClientError as exc:
        if meaning(exc) is Meaning.NOT_FOUND:
            return None  # deleted meanwhile
        raise step_functions_failed("DescribeStateMachine", exc) from exc


def _stop_running(client: Any, arn: str) -> None:
    running = _listed(
        client, "list_executions", "executions", stateMachineArn=arn, statusFilter="RUNNING"
    )
    for execution in running:
        try:
            client.stop_execution(
                executionArn=execution["executionArn"], error=STOPPED[0], cause=STOPPED[1]
            )
        except ClientError as exc:
            if meaning(exc) is not Meaning.NOT_FOUND:
                raise step_functions_failed("StopExecution", exc) from exc


def _listed(client: Any, operation: str, key: str, **arguments: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**arguments):
        found += page.get(key, [])
    return found
