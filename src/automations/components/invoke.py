"""Running one component call: payload -> validated input -> result, with its errors named.

The embedded engine's resolver (`automations.asl.resolvers`) and the Lambda step-runner
(`functions/step-runner`) both run components through here, so a component fails the same way
wherever it runs:

- The compiler's Payload is `{"inputs": {...}, "context": {"executionId", "elementId"}}`; a bare
  object is taken as the inputs (a hand-written Lambda task).
- Inputs the component's model rejects fail with `Component.InvalidInput` and pydantic's message.
- `ComponentFailed(code, message)` fails with `code`; any other exception with its class name
  (what Lambda reports as `errorType` for an unhandled error).
- On Lambda the error name Step Functions sees *is* the exception's class name, so `raise_named`
  raises an exception whose class `__name__` is the code (`http.timeout`, ...).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from automations.components.errors import ComponentError, ComponentFailed, ComponentInputInvalid
from automations.components.registry import ComponentContext, ComponentSpec

INVALID_INPUT = "Component.InvalidInput"


def inputs_of(payload: Any) -> Any:
    """The component inputs inside a task's Payload (the compiler's envelope or bare)."""
    if isinstance(payload, Mapping) and "inputs" in payload:
        return payload["inputs"]
    return payload


def context_of(payload: Any) -> Mapping[str, Any]:
    """The envelope's `context` ({executionId, elementId}); empty when there is none."""
    context = payload.get("context") if isinstance(payload, Mapping) else None
    return context if isinstance(context, Mapping) else {}


def parse_input(spec: ComponentSpec, payload: Any) -> BaseModel:
    """The component's input model built from the payload; ComponentInputInvalid if it does
    not fit."""
    try:
        return spec.input_model.model_validate(inputs_of(payload))
    except ValidationError as err:
        raise ComponentInputInvalid(str(err)) from None


def run(spec: ComponentSpec, model: BaseModel, context: ComponentContext) -> Any:
    """Run the component on validated input; its result as JSON-ready data."""
    result = spec.run(model, context)
    return result.model_dump(mode="json") if isinstance(result, BaseModel) else result


def failure_of(error: BaseException) -> tuple[str, str]:
    """(error name, message) of a failed call, as Step Functions names the error."""
    if isinstance(error, ComponentInputInvalid):
        return INVALID_INPUT, error.message
    if isinstance(error, ComponentFailed):
        return error.code, error.message
    return type(error).__name__, str(error)


def lambda_cause(name: str, message: str, error: BaseException) -> str:
    """The Cause text the Lambda integration gives a failed invocation (JSON)."""
    stack = traceback.format_tb(error.__traceback__)
    return json.dumps({"errorMessage": message, "errorType": name, "stackTrace": stack})


@cache
def error_class(name: str) -> type[ComponentError]:
    """An exception class whose `__name__` is `name` (cached: one class per code)."""
    return type(name, (ComponentError,), {"__doc__": f"Raised on Lambda for error {name}."})


def invoke(spec: ComponentSpec, payload: Any, context: ComponentContext) -> Any:
    """Validate and run in one go (the step-runner): the result, or an exception named by the
    error code (`Component.InvalidInput`, one of the component's codes). An unexpected crash
    propagates as it is, so Lambda names it by its own class."""
    try:
        return run(spec, parse_input(spec, payload), context)
    except (ComponentInputInvalid, ComponentFailed) as known:
        name, message = failure_of(known)
        raise error_class(name)(message) from None
