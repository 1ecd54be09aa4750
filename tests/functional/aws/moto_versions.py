"""State machine versions in moto 5.2.5, as Step Functions documents them.

moto publishes a version on CreateStateMachine / UpdateStateMachine with `publish` and
describes a version ARN, but its HTTP surface has no ListStateMachineVersions,
DeleteStateMachineVersion or PublishStateMachineVersion, and StartExecution on a version ARN
fails (the version has no backend to copy). `versions_in_moto()` fills exactly those gaps:

`sfn_support.world` and the `mocked_aws` fixture turn it on.

- StartExecution on a version runs the version's definition; the execution belongs to the
  machine (its ARN is `execution:<machine>:<name>`, as AWS names it) and remembers its version;
- ListExecutions of a version lists the machine's executions started on it (with
  `stateMachineVersionArn`, as AWS does);
- ListStateMachineVersions (newest first), DeleteStateMachineVersion (running executions go
  on) and PublishStateMachineVersion (the current revision's version if it has one).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.stepfunctions.models import StateMachine, StateMachineVersion, StepFunctionBackend
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.responses import StepFunctionResponse

_LOCK = threading.RLock()  # a start on a version borrows the machine's definition a moment
_ACTIVE: list[bool] = []  # entered already (a fixture and a test both asking): patch once


class _Versions:
    def __init__(self) -> None:
        self.of_execution: dict[str, str] = {}  # execution ARN -> version ARN


def _source(backend: Any, version: StateMachineVersion) -> StateMachine:
    machine: StateMachine = backend.describe_state_machine(version.source_arn)
    return machine


@contextmanager
def versions_in_moto() -> Iterator[None]:
    """Patch moto's Step Functions (parser backend) with versions, for the `with` block."""
    if _ACTIVE:
        yield
        return
    known = _Versions()
    # What is there now: moto_support has patched the start already (call it, not moto's own).
    original_list = StepFunctionResponse.list_executions

    def starting(original_start: Any) -> Any:
        return lambda self, arn, *args, **kwargs: start_execution(
            original_start, self, arn, *args, **kwargs
        )

    def start_execution(
        original_start: Any, self: Any, state_machine_arn: str, *args: Any, **kwargs: Any
    ) -> Any:
        with _LOCK:
            target = self.describe_state_machine(state_machine_arn)
            if not isinstance(target, StateMachineVersion):
                return original_start(self, state_machine_arn, *args, **kwargs)
            machine = _source(self, target)
            current = machine.definition
            machine.definition = target.definition  # the execution copies it at its start
            try:
                execution = original_start(self, machine.arn, *args, **kwargs)
            finally:
                machine.definition = current
            known.of_execution[execution.execution_arn] = target.arn
            return execution

    def list_executions(self: StepFunctionResponse) -> ActionResult:
        arn = self._get_param("stateMachineArn")
        backend = self.stepfunction_backend
        target = backend.describe_state_machine(arn)
        if not isinstance(target, StateMachineVersion):
            return original_list(self)
        status = self._get_param("statusFilter")
        found = []
        executions, _ = backend.list_executions(target.source_arn, status_filter=status)
        for execution in executions:
            if known.of_execution.get(execution.execution_arn) != arn:
                continue
            item = {
                "executionArn": execution.execution_arn,
                "name": execution.name,
                "startDate": execution.start_date,
                "stateMachineArn": target.source_arn,
                "stateMachineVersionArn": arn,
                "status": execution.status,
            }
            if execution.status != "RUNNING" and execution.stop_date is not None:
                item["stopDate"] = execution.stop_date
            found.append(item)
        return ActionResult({"executions": found})

    def list_state_machine_versions(self: StepFunctionResponse) -> ActionResult:
        machine = self.stepfunction_backend.describe_state_machine(
            self._get_param("stateMachineArn")
        )
        listed = [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date}
            for _, v in sorted(machine.versions.items(), reverse=True)
        ]
        return ActionResult({"stateMachineVersions": listed})

    def delete_state_machine_version(self: StepFunctionResponse) -> ActionResult:
        arn = self._get_param("stateMachineVersionArn")
        backend = self.stepfunction_backend
        version = backend.describe_state_machine(arn)
        if isinstance(version, StateMachineVersion):
            _source(backend, version).versions.pop(version.version, None)
        return ActionResult({})

    def publish_state_machine_version(self: StepFunctionResponse) -> ActionResult:
        machine = self.stepfunction_backend.describe_state_machine(
            self._get_param("stateMachineArn")
        )
        latest = machine.latest_version
        if latest is None or latest.definition != machine.definition:
            machine.publish(self._get_param("description"))
            latest = machine.latest_version
        assert latest is not None
        return ActionResult(
            {"stateMachineVersionArn": latest.arn, "creationDate": latest.creation_date}
        )

    with ExitStack() as patches:
        for backend in (StepFunctionsParserBackend, StepFunctionBackend):  # with execution, without
            start = starting(backend.__dict__.get("start_execution", backend.start_execution))
            patches.enter_context(mock.patch.object(backend, "start_execution", start))
        for name, method in {
            "list_executions": list_executions,
            "list_state_machine_versions": list_state_machine_versions,
            "delete_state_machine_version": delete_state_machine_version,
            "publish_state_machine_version": publish_state_machine_version,
        }.items():
            patches.enter_context(
                mock.patch.object(StepFunctionResponse, name, method, create=True)
            )
        _ACTIVE.append(True)
        try:
            yield
        finally:
            _ACTIVE.clear()
