"""Validating a definition as CreateStateMachine / ValidateStateMachineDefinition do.

Each problem is a Diagnostic worded as AWS words it (`SCHEMA_VALIDATION_FAILED`, location such as
`/States/Wait/Timestamp`); `validate_definition` returns them all, `Definition.parse` raises the
first as InvalidDefinition. State-type rules are rows of a table, one small function each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from automations.asl.errors import InvalidDefinition, JsonTextError
from automations.asl.json_text import parse_json_text
from automations.asl.timestamps import parse_timestamp
from automations.expressions import is_expression

QueryLanguage = Literal["JSONPath", "JSONata"]
StateMachineType = Literal["STANDARD", "EXPRESS"]

JSONPATH: QueryLanguage = "JSONPath"
JSONATA: QueryLanguage = "JSONata"

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
# Fields only the JSONPath query language has, and only JSONata has.
JSONPATH_ONLY = (
    "InputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "ItemsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
)
JSONATA_ONLY = ("Arguments", "Output", "Items")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One validation problem, as ValidateStateMachineDefinition reports it."""

    code: str
    location: str
    message: str


def validate_definition(
    source: Mapping[str, Any] | str, *, state_machine_type: StateMachineType = "STANDARD"
) -> list[Diagnostic]:
    """Every problem found (empty when the definition is valid)."""
    try:
        raw = load_definition(source)
    except InvalidDefinition as err:
        return [Diagnostic(err.code, err.where, err.detail)]
    return check_definition(raw, state_machine_type)


def check_definition(
    raw: Mapping[str, Any], state_machine_type: StateMachineType
) -> list[Diagnostic]:
    """The problems of a definition already read into a dict."""
    return _Validator(state_machine_type).check(raw)


def load_definition(source: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """The definition as a dict; JSON text that does not parse is worded as Jackson words it."""
    if isinstance(source, str):
        if not source.strip():
            raise InvalidDefinition("Definition must be a valid JSON object")
        try:
            source = parse_json_text(source)
        except JsonTextError as err:
            raise InvalidDefinition(str(err), err.location, "INVALID_JSON_DESCRIPTION") from None
    if not isinstance(source, Mapping):
        raise InvalidDefinition("Definition must be a valid JSON object")
    return source


# --- the rules --------------------------------------------------------------------------------

# Optimised integrations Step Functions knows: service -> actions. `*` accepts any action.
KNOWN_INTEGRATIONS: dict[str, frozenset[str]] = {
    "lambda": frozenset({"invoke"}),
    "states": frozenset({"startExecution"}),
    "dynamodb": frozenset({"getItem", "putItem", "updateItem", "deleteItem"}),
    "sns": frozenset({"publish"}),
    "sqs": frozenset({"sendMessage"}),
    "events": frozenset({"putEvents"}),
    "ecs": frozenset({"runTask"}),
    "batch": frozenset({"submitJob"}),
    "glue": frozenset({"startJobRun"}),
    "http": frozenset({"invoke"}),
    "apigateway": frozenset({"invoke"}),
    "bedrock": frozenset({"invokeModel", "createModelCustomizationJob"}),
    "codebuild": frozenset({"startBuild", "stopBuild", "batchGetReports", "startBuildBatch"}),
    "athena": frozenset({"startQueryExecution", "stopQueryExecution", "getQueryExecution"}),
    "eks": frozenset({"runJob", "call", "createCluster", "deleteCluster"}),
    "emr-serverless": frozenset({"startJobRun", "createApplication"}),
    "sagemaker": frozenset({"createTrainingJob", "createTransformJob", "createEndpoint"}),
    "aws-sdk": frozenset({"*"}),
}
CALLBACK_SUFFIXES = (".sync:2", ".sync", ".waitForTaskToken")


@dataclass
class _Validator:
    """Collects the problems of one definition (the rules are the functions below)."""

    machine_type: StateMachineType
    problems: list[Diagnostic] = field(default_factory=list)
    top_language: QueryLanguage = JSONPATH

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Diagnostic("SCHEMA_VALIDATION_FAILED", location, message))

    def check(self, raw: Mapping[str, Any]) -> list[Diagnostic]:
        missing = [key for key in ("States", "StartAt") if key not in raw]
        if missing:
            self.problem("/", f"These fields are required: [{', '.join(missing)}]")
            return self.problems
        language = raw.get("QueryLanguage", JSONPATH)
        if language not in (JSONPATH, JSONATA):
            self.problem("/QueryLanguage", f"Value is not one of [JSONPath, JSONata]: {language}")
            return self.problems
        self.top_language = language
        timeout = raw.get("TimeoutSeconds")
        if timeout is not None and not _is_int(timeout, minimum=0):
            self.problem("/TimeoutSeconds", "Expected value of type: Integer")
        self.machine(raw, "", language)
        return self.problems

    def machine(self, raw: Any, where: str, default: QueryLanguage) -> None:
        if not isinstance(raw, Mapping) or "States" not in raw or "StartAt" not in raw:
            self.problem(where or "/", "These fields are required: [States, StartAt]")
            return
        states = raw["States"]
        if not isinstance(states, Mapping) or not states:
            self.problem(f"{where}/States", "At least one state is required")
            return
        if raw["StartAt"] not in states:
            self.problem(
                f"{where}/StartAt",
                f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {raw['StartAt']}",
            )
        for name, body in states.items():
            self.state(name, body, f"{where}/States/{name}", states, default)

    def state(
        self,
        name: str,
        body: Any,
        where: str,
        siblings: Mapping[str, Any],
        default: QueryLanguage,
    ) -> None:
        if not isinstance(body, Mapping):
            self.problem(where, "Expected value of type: Object")
            return
        kind = body.get("Type")
        if kind not in STATE_TYPES:
            self.problem(f"{where}/Type", f"Unknown state type: {kind}")
            return
        language = body.get("QueryLanguage", default)
        if self.top_language == JSONATA and language == JSONPATH:
            self.problem(
                where,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            )
            return
        forbidden = JSONPATH_ONLY if language == JSONATA else JSONATA_ONLY
        for key in forbidden:
            if key in body and not (kind == "Choice" and key == "Output" and language == JSONATA):
                self.problem(
                    f"{where}/{key}", f"The field '{key}' is not supported for {language} states"
                )
        self.transitions(kind, body, where, siblings)
        for index, catcher in enumerate(body.get("Catch", ())):
            if catcher.get("Next") not in siblings:
                self.problem(
                    f"{where}/Catch[{index}]/Next",
                    f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {catcher.get('Next')}",
                )
            if not catcher.get("ErrorEquals"):
                self.problem(f"{where}/Catch[{index}]", "These fields are required: [ErrorEquals]")
        for index, retrier in enumerate(body.get("Retry", ())):
            if not retrier.get("ErrorEquals"):
                self.problem(f"{where}/Retry[{index}]", "These fields are required: [ErrorEquals]")
        _STATE_CHECKS.get(kind, _no_check)(self, body, where, language)

    def transitions(
        self, kind: str, body: Mapping[str, Any], where: str, siblings: Mapping[str, Any]
    ) -> None:
        if kind in ("Choice", "Succeed", "Fail"):
            return
        has_next, has_end = "Next" in body, body.get("End") is True
        if has_next == has_end:
            self.problem(where, "Exactly one of 'Next' or 'End' is required")
        elif has_next and body["Next"] not in siblings:
            self.problem(
                f"{where}/Next", f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {body['Next']}"
            )


def _is_int(value: Any, *, minimum: int | None = None) -> bool:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return ok and (minimum is None or value >= minimum)


def _no_check(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    return None


def _check_wait(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    given = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in body]
    if len(given) != 1:
        v.problem(
            where,
            "Exactly one of 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath' is required",
        )
        return
    stamp = body.get("Timestamp")
    dynamic = language == JSONATA and is_expression(stamp)
    if stamp is not None and not dynamic and not _is_timestamp(stamp):
        v.problem(f"{where}/Timestamp", "String does not match RFC3339 timestamp")
    seconds = body.get("Seconds")
    dynamic = language == JSONATA and is_expression(seconds)
    if seconds is not None and not dynamic and not _is_int(seconds, minimum=0):
        v.problem(f"{where}/Seconds", "Expected value of type: Integer")


def _is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and parse_timestamp(value) is not None


def _check_task(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    resource = body.get("Resource")
    if not isinstance(resource, str):
        v.problem(where, "These fields are required: [Resource]")
        return
    credentials = body.get("Credentials")
    if credentials is not None and not (
        isinstance(credentials, Mapping) and ({"RoleArn", "RoleArn.$"} & credentials.keys())
    ):
        v.problem(f"{where}/Credentials", "The field 'RoleArn' is required but was missing")
    if not _resource_known(resource):
        v.problem(
            f"{where}/Resource",
            f"The resource provided {resource} is not recognized. The value is not a valid "
            "resource ARN, or the resource is not available in this region.",
        )
        return
    if v.machine_type == "EXPRESS":
        for suffix, message in (
            (".sync", "'.sync' service integration"),
            (".waitForTaskToken", "'.waitForTaskToken' service integration "),
        ):
            if resource.split(":::")[-1].split(".", 1)[-1].startswith(suffix[1:]):
                v.problem(f"{where}/Resource", f"Express state machine does not support {message}")


def _resource_known(resource: str) -> bool:
    if is_expression(resource):
        return True
    parts = resource.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service = parts[2]
    if service in ("lambda", "states") and len(parts) >= 7 and parts[5] in ("function", "activity"):
        return True  # a Lambda function ARN or an activity ARN
    if service != "states" or parts[3] or parts[4]:
        return service == "lambda"
    integration = parts[5]
    action = ":".join(parts[6:])
    for suffix in CALLBACK_SUFFIXES:
        if action.endswith(suffix):
            action = action[: -len(suffix)]
            break
    known = KNOWN_INTEGRATIONS.get(integration)
    if known is None:
        return False
    return "*" in known or action in known


def _check_fail(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    for plain, path in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        if plain in body and path in body:
            v.problem(where, f"Only one of '{plain}' or '{path}' may be set")


def _check_choice(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    choices = body.get("Choices")
    if not isinstance(choices, list) or not choices:
        v.problem(f"{where}/Choices", "At least one choice rule is required")


def _check_parallel(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    branches = body.get("Branches")
    if not isinstance(branches, list) or not branches:
        v.problem(f"{where}/Branches", "At least one branch is required")
        return
    for index, branch in enumerate(branches):
        v.machine(branch, f"{where}/Branches[{index}]", v.top_language)


def _check_map(v: _Validator, body: Mapping[str, Any], where: str, language: str) -> None:
    key = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
    processor = body.get(key)
    if processor is None:
        v.problem(where, "These fields are required: [ItemProcessor]")
        return
    if "ItemReader" in body or "ResultWriter" in body:
        v.problem(where, "ItemReader and ResultWriter are not supported by the embedded engine")
    v.machine(processor, f"{where}/{key}", v.top_language)


_STATE_CHECKS: dict[str, Callable[[_Validator, Mapping[str, Any], str, str], None]] = {
    "Wait": _check_wait,
    "Task": _check_task,
    "Fail": _check_fail,
    "Choice": _check_choice,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
