"""Errors of the AWS adapters: preparing and calling Step Functions, DynamoDB transactions.

`client_errors` makes the ones that translate an AWS answer (`StepFunctionsFailed`,
`TransactionCancelled`); the rest are raised by the adapters themselves.
"""

from __future__ import annotations

from collections.abc import Collection

from automations.errors import AutomationsError


class MachineError(AutomationsError):
    """Base class of the errors raised while preparing or calling Step Functions."""


class CalledScenarioMissing(MachineError):
    """Raised when a definition calls a scenario (`${Scenario.<id>}`) that has no saved
    STANDARD version to run."""


class MachineVersionGone(MachineError):
    """Raised when a process is to start on a scenario version whose Step Functions version
    was pruned (not among the newest kept, no execution used it) and is not the newest."""


class MachineSetupInvalid(MachineError):
    """Raised when the role ARN or the component prefix cannot name machines (a deployment
    mistake: the environment variable is missing or malformed)."""


class StepFunctionsFailed(MachineError):
    """Raised when Step Functions refuses a call for a reason we cannot handle here (access
    denied, an invalid definition, throttling after botocore's retries); the AWS error code is
    in `code`."""

    def __init__(self, action: str, code: str, message: str) -> None:
        super().__init__(f"{action}: {code}: {message}")
        self.code = code


class ProcessUnknown(MachineError):
    """Raised when the executor is asked to run a process that is not stored (the service
    stores every process before it starts it)."""


class ExecutionNotEnded(MachineError):
    """Raised by `execution_end` for a status-change event of a run that has not ended
    (RUNNING, PENDING_REDRIVE): such events carry nothing to record."""


class TransactionCancelled(AutomationsError):
    """Raised by `dynamo.transact` when DynamoDB cancels a transaction: `reasons[i]` is the
    code of action i ("None" when that action was fine)."""

    def __init__(self, reasons: list[str], condition_failed: Collection[int] = ()) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons
        self._condition_failed = frozenset(condition_failed)

    def failed(self, index: int) -> bool:
        """Whether action `index`'s condition failed."""
        return index in self._condition_failed
