"""Errors of the ASL interpreter, and the Step Functions error names it reports.

Two kinds live here: exceptions callers see (`InvalidDefinition`, `TaskError`, ...) and
`StatesFailure`, the signal a failing state raises inside the interpreter; Retry and Catch match
on its `error` name exactly as Step Functions does.
"""

from __future__ import annotations

import json

from automations.errors import AutomationsError

# Error names Step Functions itself reports (the `States.` prefix is reserved for them).
ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
RUNTIME = "States.Runtime"
QUERY_EVALUATION = "States.QueryEvaluationError"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
ITEM_READER_FAILED = "States.ItemReaderFailed"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
PERMISSIONS = "States.Permissions"

# Step Functions' hard quota of events in a STANDARD execution's history, and what it says when
# an execution reaches it (its event 25,000 is then ExecutionFailed, unless it is the success).
MAX_HISTORY_EVENTS = 25_000
HISTORY_LIMIT_CAUSE = "The execution reached the maximum number of history events ({limit})."

# Terminal errors: no Retry or Catch may handle them, not even States.ALL (AWS documents this).
TERMINAL_ERRORS = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED})


class AslError(AutomationsError):
    """Base class of what the ASL interpreter raises to its callers."""


class InvalidDefinition(AslError):
    """Raised by Definition.parse when a state machine definition is not valid ASL."""

    def __init__(
        self, message: str, where: str = "/", code: str = "SCHEMA_VALIDATION_FAILED"
    ) -> None:
        self.where = where
        self.detail = message
        self.code = code
        super().__init__(f"Invalid State Machine Definition: '{code}: {message} at {where}'")


class InvalidExecutionInput(AslError):
    """Raised when the execution input is not JSON text (as StartExecution rejects it)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"Invalid State Machine Execution Input: '{detail}'")


class JsonTextError(ValueError):
    """Raised by `json_text.parse_json_text` when text is not JSON; `message` and `location`
    follow Jackson's wording (as Step Functions words such errors)."""

    def __init__(self, message: str, line: int, column: int, source: str) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.location = f"[Source: (String){json.dumps(source)}; line: {line}, column: {column}]"
        super().__init__(f"{message}\n at {self.location}")


class ExecutionNotFound(AslError):
    """Raised by Engine.resume when no checkpoint exists for the execution id."""


class ExecutionAlreadyExists(AslError):
    """Raised by Engine.start when the execution id is taken by a run with another input."""


class CheckpointMismatch(AslError):
    """Raised by Engine.resume when a checkpoint does not belong to the given definition."""


class CheckpointStop(AslError):
    """Raised by StopAfter once it has saved N checkpoints: simulates a crash in tests."""


class TaskError(AslError):
    """Raised by a resource resolver when a task fails; `error` and `cause` reach Retry/Catch."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else error)


class UnknownResource(TaskError):
    """Raised when no resolver handles a Task's Resource ARN."""

    def __init__(self, resource: str) -> None:
        super().__init__(TASK_FAILED, f"No resolver handles the resource '{resource}'.")


class StatesFailure(Exception):
    """Raised inside the interpreter when a state fails with a Step Functions error name.

    `evaluation` marks failures AWS records with an EvaluationFailed event (JSONata states);
    `location` is the field that failed, e.g. "Output/result".
    """

    def __init__(
        self,
        error: str | None,
        cause: str | None = None,
        *,
        evaluation: bool = False,
        location: str | None = None,
    ) -> None:
        self.error = error
        self.cause = cause
        self.evaluation = evaluation
        self.location = location
        self.recorded = False  # its EvaluationFailed event is in the history already
        super().__init__(f"{error}: {cause}")

    @property
    def terminal(self) -> bool:
        return self.error in TERMINAL_ERRORS


class ExecutionNotRedrivable(AslError):
    """Raised by `redrive.redriven` when a checkpoint's execution did not end unsuccessfully."""


class HistoryLimitReached(Exception):
    """Raised by `History.add` when an event other than the success would be the last one the
    history may hold; the execution then fails with States.Runtime (nothing may catch it)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(HISTORY_LIMIT_CAUSE.format(limit=limit))
