"""Run compiled scenarios in moto's Step Functions interpreter, with our components and JSONata.

moto 5.2.5 ships a port of LocalStack's ASL interpreter (`moto.stepfunctions.parser`). Out of the
box it cannot run our machines, so `moto_step_functions()` patches these PRIVATE moto APIs for
the duration of its `with` block (hence the version pin below):

JSONata
  moto composes one text per evaluation, `($states:={...};$name:=<value>;...<expression>)`, and
  hands it to `moto.stepfunctions.parser.asl.jsonata.jsonata._eval_jsonata`, which it leaves
  unset. We put `automations.expressions` there. Two fixes make the composed text right:
  `encode_jsonata_variable_declarations` writes a string value as `"` + value + `"`, unescaped
  (a variable holding JSON text such as `{"a": 1}` breaks the expression), so we write JSON
  string literals; and `string_expression.get_intrinsic_functions_declarations` prepends moto's
  own `$parse`/`$uuid`/`$hash`/... stubs (`$uuid` returns "not supported"), which would hide the
  Step Functions functions `automations.expressions` registers, so it declares none.
Lambda
  `moto.awslambda_simple.models.LambdaSimpleBackend.invoke` (what `lambda:invoke` reaches with
  `config={"lambda": {"use_docker": False}}`) runs the component in-process and answers as
  Lambda does: the result as the payload, or for `ComponentFailed` a function error
  (`X-Amz-Function-Error: Unhandled`, payload `{"errorMessage": ..., "errorType": code}`).
states:startExecution.sync:2
  `StateTaskServiceSfn._normalise_parameters` / `_normalise_response` are no-ops in moto (LocalStack
  maps the Step Functions casing `StateMachineArn`/`Input` to boto's `stateMachineArn`/`input`
  and the answer back to `ExecutionArn`/`Output`), so every call activity failed with
  `KeyError: 'StateMachineArn'` inside botocore; we do the mapping with botocore's models.
  `StepFunctionsParserBackend.start_execution` names an execution started without `Name` "None"
  (AWS gives it a UUID), so a second child of the same machine clashed; we give it a UUID.
Time
  moto waits in real seconds. `TIME_SCALE` compresses every duration rather than skipping it,
  so concurrent timers keep their order (a 30-minute timeout on a call whose child waits two
  hours still fires first): `WaitFunction._wait_interval` (Wait states), `retrier_decl.time`
  (Retry back-off sleeps), `Timeout._eval_body` (a Task's TimeoutSeconds) and
  `_DELAY_SECONDS_SYNC_CONDITION_CHECK` (a `.sync` task polls its child every 0.5 s). Limit: a
  scaled TimeoutSeconds also bounds the task's real work (a 30-minute timeout leaves 90 ms), so
  a task that really takes longer times out here; in the examples only call activities with a
  timer boundary carry TimeoutSeconds, and their child start takes a few milliseconds.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import moto

PINNED_MOTO = "5.2.5"
if moto.__version__ != PINNED_MOTO:
    raise RuntimeError(
        f"tests/functional/differential patches private moto {PINNED_MOTO} APIs but moto "
        f"{moto.__version__} is installed: re-read each patched function in moto_support.py "
        "against the new moto source, then update PINNED_MOTO"
    )

# ruff: noqa: E402 (the pin check must run before the private imports below)
import boto3
import botocore.session
import pytest
from botocore import xform_name
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.config import DefaultConfig
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import Timeout
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)
from moto.stepfunctions.parser.asl.eval import states as moto_states
from moto.stepfunctions.parser.asl.eval import variable_store
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.parser.utils import TMP_THREADS
from moto_versions import versions_in_moto  # tests/functional/aws: on the pythonpath

from automations.components import registry
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext
from automations.expressions import (
    UNDEFINED,
    JsonataEvaluationError,
    JsonataExpression,
    JsonataSyntaxError,
)
from automations.model.process import ProcessError, ProcessStatus
from automations.ports import StartedProcess

REGION = "eu-west-1"
# Real seconds per second of state-machine time: two hours pass in 360 ms, 30 minutes in 90 ms.
TIME_SCALE = 5e-5
POLL_SECONDS = 0.01
DEADLINE_SECONDS = 20.0
FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


# --- the patches ------------------------------------------------------------------------------


def _eval_jsonata(text: str) -> Any:
    """moto's evaluator slot; moto reads `None` as "null or undefined" and asks `$exists` next."""
    try:
        value = JsonataExpression(text).evaluate(None)  # not compile_jsonata: texts never repeat
    except (JsonataSyntaxError, JsonataEvaluationError) as err:
        raise moto_jsonata.JSONataException(err.code or "UNKNOWN", err.message) from None
    return None if value is UNDEFINED else value


def _encode_declarations(bindings: dict[str, Any]) -> str:
    """`$name:=<JSON>;` per binding, strings included (JSON string literals are JSONata's)."""
    return "".join(
        f"{name}:={to_json_str(v, separators=(',', ':'))};" for name, v in bindings.items()
    )


def _scaled_wait(self: WaitFunction, env: Any, wait_seconds: float) -> None:
    if wait_seconds > 0:
        env.program_state_event.wait(wait_seconds * TIME_SCALE)  # returns early if stopped


def _scaled_timeout(self: Timeout, env: Any) -> None:
    env.stack.append(self._eval_seconds(env=env) * TIME_SCALE)


@cache
def _operation_model(service: str, action: str) -> Any:
    """botocore's model of `service`'s operation `action` (snake_case, as moto names it)."""
    model = botocore.session.get_session().get_service_model(service)
    name = next(n for n in model.operation_names if xform_name(n) == action)
    return model.operation_model(name)


_sfn_parameters_unpatched = StateTaskServiceSfn._normalise_parameters


def _sfn_parameters(
    self: StateTaskServiceSfn,
    parameters: dict[str, Any],
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    _sfn_parameters_unpatched(self, parameters, boto_service_name, service_action_name)
    operation = _operation_model(
        self._get_boto_service_name(boto_service_name),
        self._get_boto_service_action(service_action_name),
    )
    self._to_boto_request(parameters, operation.input_shape)


def _sfn_response(
    self: StateTaskServiceSfn,
    response: Any,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    operation = _operation_model(
        self._get_boto_service_name(boto_service_name),
        self._get_boto_service_action(service_action_name),
    )
    self._from_boto_response(response, operation.output_shape)


_start_execution_unpatched = StepFunctionsParserBackend.start_execution


def _start_execution(
    self: StepFunctionsParserBackend,
    state_machine_arn: str,
    name: Any = None,
    execution_input: Any = None,
    trace_header: Any = None,
) -> Any:
    return _start_execution_unpatched(
        self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header
    )


def _component_invoker(
    components: dict[str, str], services: dict[str, Any]
) -> Callable[..., bytes]:
    """A `LambdaSimpleBackend.invoke` running the component a function name stands for, with
    `services` as the components' ports (`processes`: see `MotoStarts`)."""

    def invoke(
        self: LambdaSimpleBackend,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: dict[str, Any],
    ) -> bytes:
        name = function_name.split(":")[6] if function_name.startswith("arn:") else function_name
        event = json.loads(body)
        context = event.get("context", {})
        spec = registry.get(components[name])
        try:
            result = spec.run(
                spec.input_model.model_validate(event.get("inputs", {})),
                ComponentContext(
                    process_id=context.get("executionId", ""),
                    element_id=context.get("elementId", ""),
                    services=services,
                ),
            )
        except ComponentFailed as failed:
            return _function_error(response_headers, failed.code, failed.message)
        except Exception as err:  # what the Lambda Python runtime reports for an unhandled one
            return _function_error(response_headers, type(err).__name__, str(err))
        return json.dumps(result.model_dump(mode="json")).encode()

    return invoke


def _function_error(response_headers: dict[str, Any], error_type: str, message: str) -> bytes:
    response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def _patch_moto(
    mp: pytest.MonkeyPatch, components: dict[str, str], services: dict[str, Any]
) -> None:
    mp.setattr(moto_jsonata, "_eval_jsonata", _eval_jsonata)
    for module in (moto_jsonata, moto_states, variable_store):  # each imported it by name
        mp.setattr(module, "encode_jsonata_variable_declarations", _encode_declarations)
    mp.setattr(string_expression, "get_intrinsic_functions_declarations", lambda **_: "")
    mp.setattr(LambdaSimpleBackend, "invoke", _component_invoker(components, services))
    mp.setattr(StateTaskServiceSfn, "_normalise_parameters", _sfn_parameters)
    mp.setattr(StateTaskServiceSfn, "_normalise_response", _sfn_response)
    mp.setattr(StepFunctionsParserBackend, "start_execution", _start_execution)
    mp.setattr(WaitFunction, "_wait_interval", _scaled_wait)
    mp.setattr(Timeout, "_eval_body", _scaled_timeout)
    mp.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda s: time.sleep(s * TIME_SCALE)))
    mp.setattr(state_task_service_callback, "_DELAY_SECONDS_SYNC_CONDITION_CHECK", POLL_SECONDS)
    mp.setattr(variable_store.VariableStore, "get_assigned_variables", _assigned_variables)


def _assigned_variables(self: Any) -> dict[str, str]:
    # moto writes a text variable as f'"{value}"', unescaped: a newline or quote in it makes
    # `assignedVariables` invalid JSON, where AWS writes JSON text.
    return {
        name: to_json_str(self.get(name), separators=(",", ":"))
        for name in self._declaration_tracing
    }


def _fake_aws_environment(mp: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        mp.delenv(name, raising=False)
    mp.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_SESSION_TOKEN", "testing")
    mp.setenv("AWS_DEFAULT_REGION", REGION)


# --- the harness ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MotoRun:
    """One finished execution, as `describe_execution` and its history tell it."""

    status: str  # SUCCEEDED / FAILED / TIMED_OUT / ABORTED
    output: Any  # parsed; None unless SUCCEEDED
    error: str | None
    cause: str | None
    entered: list[str]  # state names, in StateEntered order
    logged: list[str]  # the starts of the errors moto's interpreter logged meanwhile


class MotoStepFunctions:
    """Component functions and state machines in one moto account (see `moto_step_functions`)."""

    def __init__(self, components: dict[str, str], services: dict[str, Any]) -> None:
        self._components = components  # function name -> component, read by the patched invoke
        services["processes"] = MotoStarts(self)  # what process.start reaches in moto's Lambda
        self._definition_of: Callable[[str], dict[str, Any]] = example_definition
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self._lambda = boto3.client("lambda", region_name=REGION)
        self._role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="automations-differential", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        self._function_arns: dict[str, str] = {}
        self._machine_arns: dict[str, str] = {}
        self._called: set[str] = set()  # machines that call activities start (children)
        self._runs = 0
        self._threads_before = {id(t) for t in TMP_THREADS}  # other tests' moto threads

    def machine_arn(self, name: str, definition_of: Callable[[str], dict[str, Any]]) -> str:
        """The machine `name` (created on first use from `definition_of(name)`, with every
        `${Component.x}` / `${Scenario.x}` replaced by the ARN of a function / machine)."""
        self._definition_of = definition_of
        if name not in self._machine_arns:
            text = json.dumps(definition_of(name))
            text = _replace_placeholders(text, "${Component.", self._function_arn)
            text = _replace_placeholders(
                text, "${Scenario.", lambda c: self._child(c, definition_of)
            )
            self._machine_arns[name] = self.sfn.create_state_machine(
                name=name, definition=text, roleArn=self._role
            )["stateMachineArn"]
        return self._machine_arns[name]

    def _child(self, name: str, definition_of: Callable[[str], dict[str, Any]]) -> str:
        arn = self.machine_arn(name, definition_of)
        self._called.add(arn)
        return arn

    def _function_arn(self, component: str) -> str:
        if component not in self._function_arns:
            name = "automations-" + component.replace(".", "-")
            self._components[name] = component
            self._function_arns[component] = self._lambda.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=self._role,
                Handler="handler.handle",
                Code={"ZipFile": _stub_zip()},
            )["FunctionArn"]
        return self._function_arns[component]

    def run(self, machine_arn: str, execution_input: Any) -> MotoRun:
        """Start an execution and wait (bounded) until it has finished."""
        self._runs += 1
        with _errors_logged() as logged:
            execution_arn = self.sfn.start_execution(
                stateMachineArn=machine_arn,
                name=f"run-{self._runs}",
                input=json.dumps(execution_input),
            )["executionArn"]
            described = self._finished(execution_arn)
        pages = self.sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        events = [event for page in pages for event in page["events"]]
        output = described.get("output")
        return MotoRun(
            status=described["status"],
            output=None if output is None else json.loads(output),
            error=described.get("error"),
            cause=described.get("cause"),
            entered=[
                e["stateEnteredEventDetails"]["name"]
                for e in events
                if "stateEnteredEventDetails" in e
            ],
            logged=logged,
        )

    def _finished(self, execution_arn: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            described: dict[str, Any] = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] in FINISHED:
                return described
            if time.monotonic() > deadline:
                pytest.fail(f"{execution_arn} is still RUNNING after {DEADLINE_SECONDS} s")
            time.sleep(POLL_SECONDS)

    def _wait_for_all_executions(self) -> None:
        # A child outlives a parent whose call timed out (slow-approval): it ends before close.
        for machine_arn in sorted(self._called):
            running = self.sfn.list_executions(stateMachineArn=machine_arn, statusFilter="RUNNING")
            for execution in running["executions"]:
                self._finished(execution["executionArn"])

    def close(self) -> None:
        """Wait for every execution and for moto's worker threads (bounded), then forget them."""
        self._wait_for_all_executions()
        deadline = time.monotonic() + DEADLINE_SECONDS
        threads = [
            t
            for t in TMP_THREADS
            if isinstance(t, threading.Thread) and id(t) not in self._threads_before
        ]
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in threads if t.is_alive()]
        TMP_THREADS[:] = [t for t in TMP_THREADS if t not in threads]
        assert not alive, f"moto worker threads outlived every execution: {alive}"


EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
_ENDED_AS = {
    "SUCCEEDED": ProcessStatus.COMPLETED,
    "FAILED": ProcessStatus.ERROR,
    "TIMED_OUT": ProcessStatus.ERROR,
    "ABORTED": ProcessStatus.ABORTED,
}


def example_definition(stem: str) -> dict[str, Any]:
    """The compiled example `stem` (what a started scenario is when no test said otherwise)."""
    from automations.service.scenarios import compile_bpmn, sibling_scenarios

    path = EXAMPLES / f"{stem}.bpmn"
    return compile_bpmn(path, file=path.name, known_scenarios=sibling_scenarios(path))[1]


class MotoStarts:
    """`process.start`'s port inside moto's Lambda: the scenario runs as an execution of its
    own machine in the same moto account, polled to its end when waited for (what the step
    runner's starter does on AWS, without the process store)."""

    def __init__(self, harness: MotoStepFunctions) -> None:
        self._harness = harness

    def start(self, scenario_id: str, variables: Any, *, wait: bool) -> StartedProcess:
        arn = self._harness._child(scenario_id, self._harness._definition_of)
        name = f"start-{uuid.uuid4().hex}"
        execution = self._harness.sfn.start_execution(
            stateMachineArn=arn, name=name, input=json.dumps(dict(variables))
        )["executionArn"]
        if not wait:
            return StartedProcess(process_id=name, status=ProcessStatus.RUNNING)
        described = self._harness._finished(execution)
        status = _ENDED_AS[described["status"]]
        if status is not ProcessStatus.COMPLETED:
            error = ProcessError(
                code=described.get("error") or "", message=described.get("cause") or ""
            )
            return StartedProcess(process_id=name, status=status, error=error)
        output = json.loads(described.get("output") or "{}")
        return StartedProcess(process_id=name, status=status, variables=output)


class _ErrorList(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:500])  # moto appends whole state reprs


@contextmanager
def _errors_logged() -> Iterator[list[str]]:
    """What moto's interpreter logs at ERROR level (the only place some causes appear: a
    failed Parallel branch reaches describe_execution as an unrelated ValueError)."""
    handler = _ErrorList()
    logger = logging.getLogger("moto.stepfunctions.parser")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


@contextmanager
def moto_step_functions() -> Iterator[MotoStepFunctions]:
    """A moto account whose Step Functions executions run our components and JSONata.

    Before the mock stops, every execution and moto's worker threads have ended (a leftover
    thread would call localhost:5000 once the mock is gone).
    """
    components: dict[str, str] = {}
    services: dict[str, Any] = {}
    config: DefaultConfig = {
        "stepfunctions": {"execute_state_machine": True},
        "lambda": {"use_docker": False},
    }
    with pytest.MonkeyPatch.context() as mp:
        _fake_aws_environment(mp)
        _patch_moto(mp, components, services)
        # Versions (tests/functional/aws/moto_versions.py): the AWS adapter starts on them.
        with mock_aws(config=config), versions_in_moto():
            harness = MotoStepFunctions(components, services)
            try:
                yield harness
            finally:
                harness.close()


def _replace_placeholders(text: str, prefix: str, arn_of: Callable[[str], str]) -> str:
    start = text.find(prefix)
    while start != -1:
        end = text.index("}", start)
        text = text[:start] + arn_of(text[start + len(prefix) : end]) + text[end + 1 :]
        start = text.find(prefix, start)
    return text


def _stub_zip() -> bytes:
    """Any code will do: the patched invoke runs the component in-process."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()
