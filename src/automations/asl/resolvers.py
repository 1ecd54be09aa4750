"""The default resource resolver: Lambda invocations run components in-process, and
`states:startExecution.sync:2` runs another scenario's machine as a child execution.

Choices made (and why):
- `FunctionName` is `${Component.<name>}`, or a function name/ARN ending in the component name
  (dots may appear as `-` or `_`, since Lambda names cannot hold dots).
- A Payload the component's input model rejects fails the task with error
  `Component.InvalidInput` and pydantic's message as cause: the scenario can catch it by name.
- `ComponentFailed(code, message)` fails the task with `code` as error and, as the Lambda
  integration does, a cause that is the JSON text
  `{"errorMessage": ..., "errorType": ..., "stackTrace": [...]}`. Any other exception from a
  component is reported the same way with its class name as errorType (an unhandled Lambda error).
- Components are plain functions; they run in a worker thread (asyncio.to_thread) so one waiting
  on I/O does not hold up the other branches.
- The result has the Lambda integration's shape: Payload, StatusCode, ExecutedVersion and small
  SdkHttpMetadata / SdkResponseMetadata.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from automations.asl import errors
from automations.asl.errors import TaskError, UnknownResource
from automations.asl.json_text import to_json_text
from automations.asl.nested_starts import NestedStarts
from automations.asl.ports import TaskContext
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH

INVALID_INPUT = "Component.InvalidInput"  # = automations.components.invoke.INVALID_INPUT
UNKNOWN_COMPONENT = "Component.Unknown"
PROCESSES_KEY = "processes"  # = automations.components.process_start.SERVICE_KEY

# `${Component.http.request}` / `${Scenario.abc}` placeholders of the compiled templates.
_PLACEHOLDER = re.compile(r"^\$\{(Component|Scenario)\.(.+)\}$")

Handler = Callable[["ComponentResolver", str, Any, TaskContext], Awaitable[Any]]
DefinitionLookup = Callable[[str], Any]


class ComponentResolver:
    """Resolves `arn:aws:states:::lambda:invoke` and `states:startExecution.sync:2` tasks."""

    def __init__(
        self,
        definitions: DefinitionLookup | None = None,
        *,
        services: Mapping[str, Any] | None = None,
        max_json_depth: int = DEFAULT_MAX_JSON_DEPTH,
    ) -> None:
        self.definitions = definitions
        self.services = dict(services or {})
        self.max_json_depth = max_json_depth

    async def __call__(self, resource: str, arguments: Any, context: TaskContext) -> Any:
        handler = _HANDLERS.get(_integration(resource))
        if handler is None:
            raise UnknownResource(resource)
        return await handler(self, resource, arguments, context)


def _integration(resource: str) -> str:
    """`arn:aws:states:::lambda:invoke` -> `lambda:invoke`; a Lambda ARN -> `lambda:function`."""
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "states" and not parts[3]:
        return ":".join(parts[5:])
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return "lambda:function"
    return resource


# --- Lambda: components --------------------------------------------------------------------------


async def _invoke_component(
    resolver: ComponentResolver, resource: str, arguments: Any, context: TaskContext
) -> Any:
    if not isinstance(arguments, Mapping):
        raise TaskError(errors.TASK_FAILED, "The lambda:invoke parameters must be an object.")
    function_name = str(arguments.get("FunctionName", ""))
    body = await _run_component(resolver, function_name, arguments.get("Payload", {}), context)
    return _lambda_response(body)


async def _invoke_function(
    resolver: ComponentResolver, resource: str, arguments: Any, context: TaskContext
) -> Any:
    """A Lambda function ARN as Resource (the older form): input is the payload, result bare."""
    return await _run_component(resolver, resource, arguments, context)


async def _run_component(
    resolver: ComponentResolver, function_name: str, payload: Any, context: TaskContext
) -> Any:
    from automations.components import invoke
    from automations.components.errors import ComponentInputInvalid
    from automations.components.registry import ComponentContext

    spec = _component(function_name)
    try:
        model = invoke.parse_input(spec, payload)
    except ComponentInputInvalid as err:
        raise TaskError(INVALID_INPUT, err.message) from None
    services = {**resolver.services, **context.services}
    if (
        PROCESSES_KEY not in services
        and resolver.definitions is not None
        and context.run_child is not None
    ):
        # No runtime gave a process starter: `process.start` runs nested (nested_starts.py).
        services[PROCESSES_KEY] = NestedStarts(
            resolver.definitions,
            context.run_child,
            asyncio.get_running_loop(),
            context.execution_id,
        )
    component_context = ComponentContext(
        process_id=context.execution_id,
        element_id=context.state_name,
        services=services,
        max_json_depth=resolver.max_json_depth,
    )
    try:
        return await asyncio.to_thread(invoke.run, spec, model, component_context)
    except Exception as crash:  # a declared failure, or an unhandled error as Lambda reports it
        name, message = invoke.failure_of(crash)
        raise TaskError(name, invoke.lambda_cause(name, message, crash)) from None


def _component(function_name: str) -> Any:
    from automations.components import registry
    from automations.components.errors import UnknownComponent

    match = _PLACEHOLDER.match(function_name)
    wanted = match.group(2) if match else function_name.split(":function:")[-1].split(":")[0]
    try:
        return registry.get(wanted)
    except UnknownComponent:
        pass
    best = None
    for name in registry.names():
        for form in {name, name.replace(".", "-"), name.replace(".", "_")}:
            if wanted.endswith(form) and (best is None or len(name) > len(best)):
                best = name
    if best is None:
        raise TaskError(UNKNOWN_COMPONENT, f"No component is called {wanted!r}.")
    return registry.get(best)


def _lambda_response(payload: Any) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "HttpHeaders": {
                "Content-Type": "application/json",
                "X-Amz-Executed-Version": "$LATEST",
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


# --- nested executions -------------------------------------------------------------------------


async def _start_execution_sync2(
    resolver: ComponentResolver, resource: str, arguments: Any, context: TaskContext
) -> Any:
    if not isinstance(arguments, Mapping) or "StateMachineArn" not in arguments:
        raise TaskError(errors.TASK_FAILED, "startExecution needs a StateMachineArn.")
    if resolver.definitions is None or context.run_child is None:
        raise TaskError(errors.TASK_FAILED, "No scenario lookup is configured for nested runs.")
    arn = str(arguments["StateMachineArn"])
    match = _PLACEHOLDER.match(arn)
    key = match.group(2) if match else arn
    definition = resolver.definitions(key)
    if definition is None:
        raise TaskError(
            "StepFunctions.StateMachineDoesNotExistException",
            f"State Machine Does Not Exist: '{arn}'",
        )
    child_input = arguments.get("Input", {})
    if isinstance(child_input, str):
        child_input = json.loads(child_input) if child_input.strip() else {}
    name = str(arguments.get("Name") or uuid.uuid4())
    result = await context.run_child(definition, child_input, name)
    description = {
        "ExecutionArn": f"{arn}:{name}",
        "Input": child_input,
        "InputDetails": {"Included": True},
        "Name": name,
        "StateMachineArn": arn,
        "Status": result.status,
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
    }
    if result.status == "SUCCEEDED":
        return {**description, "Output": result.output, "OutputDetails": {"Included": True}}
    failed = {**description, "Error": result.error, "Cause": result.cause}
    raise TaskError(errors.TASK_FAILED, to_json_text(failed))


_HANDLERS: dict[str, Handler] = {
    "lambda:invoke": _invoke_component,
    "lambda:function": _invoke_function,
    "states:startExecution.sync:2": _start_execution_sync2,
}
