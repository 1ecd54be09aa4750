"""Errors of the automation use cases (events, processes, management); the API maps them by type.

What the records port raises (CatalogNotFound, WriteRefused...) is part of that port, in
`automations.ports`: the components catch it, and they do not import this package.
"""

from __future__ import annotations

from automations.errors import AutomationsError


class ServiceError(AutomationsError):
    """Base class of the errors below; `message` is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ScenarioNotFound(ServiceError):
    """Raised when a request names a scenario that has no saved version."""


class ScenarioInUse(ServiceError):
    """Raised when deleting a scenario that a subscription, endpoint, schedule or another
    scenario's call activity still starts; `uses` lists each as (kind, id, label)."""

    def __init__(self, message: str, *, uses: list[tuple[str, str, str]]) -> None:
        self.uses = uses
        super().__init__(message)


class SubscriptionNotFound(ServiceError):
    """Raised when a request names a subscription that does not exist."""


class EndpointNotFound(ServiceError):
    """Raised when a web request's urlId names no active endpoint (or an id names none)."""


class MessengerNotFound(ServiceError):
    """Raised when `/api/messengers/{connection}` names no connection, or one that is not a
    messenger's (nothing about it is revealed either way)."""


class MessengerUnverified(ServiceError):
    """Raised when a messenger delivery does not carry the connection's secret or signature,
    or the connection has none configured to check it with (nothing starts)."""


class HandshakeRefused(ServiceError):
    """Raised when a webhook verification request (Meta's `hub.*` query) is not for this
    connection: a wrong `hub.verify_token`, another `hub.mode`, or no challenge."""


class DeliveryInvalid(ServiceError):
    """Raised when a verified messenger delivery's body is not a JSON object (nothing starts)."""

    field = "body"


class ScheduleNotFound(ServiceError):
    """Raised when a request names a schedule that does not exist."""


class ProcessNotFound(ServiceError):
    """Raised when a request names a process that does not exist."""


class ProcessAlreadyFinished(ServiceError):
    """Raised when stopping a process that is already completed, failed or aborted."""


class ProcessNotRetryable(ServiceError):
    """Raised when retrying a process that did not end in error, is being retried, or whose
    run cannot go on from where it failed (the message says which)."""


class BindingInvalid(ServiceError):
    """Raised when a subscription, endpoint or schedule cannot be saved as given (bad event type,
    unknown catalog, schedule expression that does not parse...)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class TooManyProcesses(ServiceError):
    """Raised when a synchronous run finds every process slot taken (the caller cannot queue)."""


class ProcessDataTooLarge(ServiceError):
    """Raised when a synchronous run's start variables exceed the process data limit."""


class BodyTooDeep(ServiceError):
    """Raised when a JSON request body nests deeper than the JSON depth limit (nothing runs)."""

    field = "body"


class SyncRunTimedOut(ServiceError):
    """Raised when a synchronous run outlives its time limit; the process ends `aborted`."""

    def __init__(self, message: str, process_id: str) -> None:
        self.process_id = process_id
        super().__init__(message)


class ProcessFailed(ServiceError):
    """Raised when a synchronous run whose result the caller needs ends in error."""

    def __init__(self, message: str, process_id: str) -> None:
        self.process_id = process_id
        super().__init__(message)


class HookAnswerInvalid(ServiceError):
    """Raised when a `$record.updating` scenario answers values the catalog refuses."""

    def __init__(self, message: str, process_id: str) -> None:
        self.process_id = process_id
        super().__init__(message)


class HeaderRefused(AutomationsError):
    """Raised when a response header a scenario set cannot be sent; the message names it."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.message = f"response header {name[:100]!r} {reason}"
        super().__init__(self.message)


class ExpressionInvalid(AutomationsError):
    """Raised when a schedule expression is not a rate or cron expression this server runs."""
