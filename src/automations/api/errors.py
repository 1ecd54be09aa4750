"""Typed errors -> the documented status codes, as JSON `{"statusCode", "code", "message", ...}`.

The product's documentation lists the codes (400 bad request or failed validation, 401, 403,
404, 405, 500, 501) but not the bodies; ours always carry `message`, and `fieldId` (plus every
problem in `errors`) when one field is at fault. Handlers map by type, never by message text, and
nothing from a traceback or the request's raw input is ever echoed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from automations.bpmn.errors import ScenarioInvalid
from automations.errors import AutomationsError, LastAdmin, StoreConflict
from automations.model.errors import CatalogInvalid, FilterInvalid, RoleTooHigh, ValuesInvalid
from automations.model.message import MessageInvalid
from automations.ports import (
    AttachmentMissing,
    CatalogNotFound,
    RecordNotFound,
    WriteConflict,
    WriteRefused,
)
from automations.service.errors import (
    BindingInvalid,
    BodyTooDeep,
    DeliveryInvalid,
    EndpointNotFound,
    HandshakeRefused,
    HookAnswerInvalid,
    MessengerNotFound,
    MessengerUnverified,
    ProcessAlreadyFinished,
    ProcessDataTooLarge,
    ProcessFailed,
    ProcessNotFound,
    ProcessNotRetryable,
    ScenarioInUse,
    ScenarioNotFound,
    ScheduleNotFound,
    ServiceError,
    SubscriptionNotFound,
    SyncRunTimedOut,
    TooManyProcesses,
)

logger = logging.getLogger(__name__)


class ApiError(AutomationsError):
    """Base class: raised by the API layer itself with the status it answers."""

    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"

    def __init__(self, message: str, *, field_id: str | None = None) -> None:
        self.message = message
        self.field_id = field_id
        super().__init__(message)


class BadRequest(ApiError):
    """Raised when a parameter or the body cannot be understood (malformed JSON, bad value)."""


class BodyTooLarge(ApiError):
    """Raised when a request body is larger than the configured limit (nothing is read of it)."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "body.too_large"


class UnsupportedMediaType(ApiError):
    """Raised when a request body comes as a form (multipart or urlencoded) where JSON is read."""

    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_content_type"


class Unauthorized(ApiError):
    """Raised when a request has no valid credentials (Basic or API key)."""

    status = HTTPStatus.UNAUTHORIZED
    code = "unauthorized"


class Forbidden(ApiError):
    """Raised when the caller's role does not allow the route (a member on a management one)."""

    status = HTTPStatus.FORBIDDEN
    code = "forbidden"


class CsrfRefused(ApiError):
    """Raised when a request authenticated by the session cookie changes something without
    the session's CSRF token (it may come from another site's page)."""

    status = HTTPStatus.FORBIDDEN
    code = "csrf"


class TooManyAttempts(ApiError):
    """Raised when sign-in for a login is paused after repeated failures."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class NotFound(ApiError):
    """Raised when a path names nothing (an unknown route, view or object)."""

    status = HTTPStatus.NOT_FOUND
    code = "not_found"


class Conflict(ApiError):
    """Raised when a request clashes with what is stored (an email another user has)."""

    status = HTTPStatus.CONFLICT
    code = "conflict"


class MethodNotAllowed(ApiError):
    """Raised when the path exists but not with this HTTP method."""

    status = HTTPStatus.METHOD_NOT_ALLOWED
    code = "method_not_allowed"


def error_body(
    status: int, code: str, message: str, field_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The JSON body of every error answer."""
    body: dict[str, Any] = {"statusCode": status, "code": code, "message": message}
    if field_id is not None:
        body["fieldId"] = field_id
    return body | extra


def error_response(
    status: int, code: str, message: str, field_id: str | None = None, **extra: Any
) -> Response[str]:
    """An error as a powertools Response."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(error_body(status, code, message, field_id, **extra), ensure_ascii=False),
    )


def _api_error(exc: Exception) -> Response[str]:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field_id)


def _too_many_attempts(exc: Exception) -> Response[str]:
    assert isinstance(exc, TooManyAttempts)
    answer = error_response(
        exc.status, exc.code, exc.message, retryAfterSeconds=exc.retry_after_seconds
    )
    answer.headers["Retry-After"] = str(exc.retry_after_seconds)
    return answer


def _values_invalid(exc: Exception) -> Response[str]:
    assert isinstance(exc, ValuesInvalid)
    problems = [{"fieldId": p.field_id, "code": p.code, "message": p.message} for p in exc.problems]
    return error_response(400, "values_invalid", str(exc), exc.field_id, errors=problems)


def _named_field(code: str) -> Callable[[Exception], Response[str]]:
    def respond(exc: Exception) -> Response[str]:
        return error_response(400, code, str(exc), getattr(exc, "field_id", None))

    return respond


def _request_invalid(exc: Exception) -> Response[str]:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        # "body.values" / "query.limit": where the problem is, which the client can act on.
        where = ".".join(str(part) for part in error.get("loc", ()))
        text = error.get("msg", "")
        if error.get("type") == "json_invalid":  # its location is a character offset
            where, text = "body", _malformed_json(error, exc.body)
        problems.append({"location": where, "code": error.get("type", ""), "message": text})
    first = problems[0] if problems else {"location": "request", "message": "invalid"}
    message = f"{first['location']}: {first['message']}"
    return error_response(400, "request_invalid", message, errors=problems)


def _malformed_json(error: Mapping[str, Any], body: Any) -> str:
    """`malformed JSON at line 2, column 13: Expecting ',' delimiter`: where, as editors count."""
    loc = error.get("loc", ())
    offset = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = (error.get("ctx") or {}).get("error")
    if offset is None or not isinstance(body, str):
        return "malformed JSON" + (f": {reason}" if reason else "")
    line = body.count("\n", 0, offset) + 1
    column = offset - (body.rfind("\n", 0, offset) + 1) + 1
    return f"malformed JSON at line {line}, column {column}" + (f": {reason}" if reason else "")


def _status(
    status: HTTPStatus, code: str, message: str | None = None
) -> Callable[[Exception], Response[str]]:
    def respond(exc: Exception) -> Response[str]:
        return error_response(status, code, message or str(exc))

    return respond


def _refused(exc: Exception) -> Response[str]:
    assert isinstance(exc, WriteRefused)
    return error_response(403, "refused", exc.message)


def _scenario_invalid(exc: Exception) -> Response[str]:
    assert isinstance(exc, ScenarioInvalid)
    problems = [
        # `element` as the API first named it; `elementId` as validation answers it.
        {"elementId": p.element, "element": p.element, "line": p.line, "message": p.message}
        for p in exc.problems
    ]
    first = exc.problems[0].message if exc.problems else "the scenario is not valid"
    return error_response(422, "scenario_invalid", first, errors=problems)


def _scenario_in_use(exc: Exception) -> Response[str]:
    assert isinstance(exc, ScenarioInUse)
    # One problem per use, so the page can list what to remove (and link to it by kind and id).
    uses = [{"kind": kind, "id": id_, "message": label} for kind, id_, label in exc.uses]
    return error_response(409, "scenario_in_use", exc.message, errors=uses)


def _service(status: HTTPStatus, code: str) -> Callable[[Exception], Response[str]]:
    """A use case's error: its safe message, the process it concerns when there is one."""

    def respond(exc: Exception) -> Response[str]:
        assert isinstance(exc, ServiceError)
        extra: dict[str, Any] = {}
        process_id = getattr(exc, "process_id", None)
        if isinstance(process_id, str):
            extra["processId"] = process_id
        field = getattr(exc, "field", None)
        return error_response(
            status, code, exc.message, field if isinstance(field, str) else None, **extra
        )

    return respond


def _unexpected(exc: Exception) -> Response[str]:
    logger.exception("unhandled error in the API", exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


ERROR_RESPONSES: dict[type[Exception], Callable[[Exception], Response[str]]] = {
    ApiError: _api_error,
    TooManyAttempts: _too_many_attempts,
    ValuesInvalid: _values_invalid,
    CatalogInvalid: _named_field("catalog_invalid"),
    FilterInvalid: _named_field("filter_invalid"),
    MessageInvalid: _named_field("message_invalid"),
    AttachmentMissing: _named_field("attachment_missing"),
    RequestValidationError: _request_invalid,
    RequestUnsupportedContentType: _status(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_content_type",
        "send the body as application/json",
    ),
    UnicodeDecodeError: _status(HTTPStatus.BAD_REQUEST, "body_not_utf8", "the body is not UTF-8"),
    CatalogNotFound: _status(HTTPStatus.NOT_FOUND, "not_found"),
    RecordNotFound: _status(HTTPStatus.NOT_FOUND, "not_found"),
    WriteRefused: _refused,
    WriteConflict: _status(HTTPStatus.CONFLICT, "conflict"),
    StoreConflict: _status(HTTPStatus.CONFLICT, "conflict"),
    LastAdmin: _status(HTTPStatus.CONFLICT, "last_admin"),
    RoleTooHigh: _status(HTTPStatus.FORBIDDEN, "forbidden"),
    ScenarioInvalid: _scenario_invalid,
    ScenarioNotFound: _service(HTTPStatus.NOT_FOUND, "not_found"),
    ScenarioInUse: _scenario_in_use,
    SubscriptionNotFound: _service(HTTPStatus.NOT_FOUND, "not_found"),
    EndpointNotFound: _service(HTTPStatus.NOT_FOUND, "not_found"),
    MessengerNotFound: _service(HTTPStatus.NOT_FOUND, "not_found"),
    MessengerUnverified: _service(HTTPStatus.UNAUTHORIZED, "messenger.unverified"),
    HandshakeRefused: _service(HTTPStatus.FORBIDDEN, "messenger.handshake_refused"),
    DeliveryInvalid: _service(HTTPStatus.BAD_REQUEST, "messenger.body_invalid"),
    ScheduleNotFound: _service(HTTPStatus.NOT_FOUND, "not_found"),
    ProcessNotFound: _service(HTTPStatus.NOT_FOUND, "not_found"),
    ProcessAlreadyFinished: _service(HTTPStatus.CONFLICT, "already_finished"),
    ProcessNotRetryable: _service(HTTPStatus.CONFLICT, "not_retryable"),
    BindingInvalid: _service(HTTPStatus.BAD_REQUEST, "invalid"),
    BodyTooDeep: _service(HTTPStatus.BAD_REQUEST, "body.too_deep"),
    TooManyProcesses: _service(HTTPStatus.TOO_MANY_REQUESTS, "too_many_processes"),
    ProcessDataTooLarge: _service(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "process_data_too_large"),
    SyncRunTimedOut: _service(HTTPStatus.GATEWAY_TIMEOUT, "process_timeout"),
    ProcessFailed: _service(HTTPStatus.BAD_GATEWAY, "process_failed"),
    HookAnswerInvalid: _service(HTTPStatus.BAD_GATEWAY, "process_answer_invalid"),
    Exception: _unexpected,
}


def error_for(exc: Exception) -> Response[str]:
    """The answer the table gives this exception (its nearest listed base class's)."""
    for kind in type(exc).__mro__:
        respond = ERROR_RESPONSES.get(kind)
        if respond is not None:
            return respond(exc)
    return _unexpected(exc)


def register_error_handlers(
    app: APIGatewayRestResolver, route_exists: Callable[[str], bool]
) -> None:
    """Install the table on the resolver; an unmatched route is 405 if its path exists, else 404."""
    for exc_type, respond in ERROR_RESPONSES.items():
        app.exception_handler(exc_type)(respond)

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[str]:
        if route_exists(app.current_event.path):
            return error_response(405, "method_not_allowed", "method not allowed on this path")
        return error_response(404, "not_found", "no such resource")
