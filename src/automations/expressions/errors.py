"""Errors of parsing and evaluating expressions (JSONata, JSONPath, States.* intrinsics)."""

from __future__ import annotations

from automations.errors import AutomationsError


class Overstayed(BaseException):
    """Raised inside an `overstay.bounded` block whose deadline passed (a BaseException, so that
    no library's `except Exception` turns it into something else on its way out)."""


class RegexTimedOut(Overstayed):
    """Raised when a regular expression called outside any time bound is still matching after
    `regex_engine.DEFAULT_TIMEOUT_SECONDS` (inside one, the bound's own error is raised)."""


class Unsupported(Exception):
    """Raised by the fast JSONata path when a value met at run time is outside what it
    evaluates exactly; the caller evaluates the expression with jsonata-python instead."""


class ExpressionError(AutomationsError):
    """Base class: an expression could not be parsed or evaluated."""


class JsonataSyntaxError(ExpressionError):
    """Raised when JSONata text does not parse; carries JSONata's code, message and position."""

    def __init__(self, text: str, code: str, message: str, position: int) -> None:
        self.text = text
        self.code = code
        self.message = message
        self.position = position
        super().__init__(f"{code}: {message} (at position {position})")


class JsonataEvaluationError(ExpressionError):
    """Raised when evaluating JSONata fails at run time (JSONata's own error code, e.g. T2002)."""

    def __init__(self, text: str, code: str, message: str) -> None:
        self.text = text
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}" if code else message)


class JsonataTimeout(JsonataEvaluationError):
    """Raised when one evaluation runs longer than its time limit (a runaway expression)."""


class JsonataUnsupportedResult(JsonataEvaluationError):
    """Raised when an expression returns something JSON cannot hold (a function)."""


class JsonPathSyntaxError(ExpressionError):
    """Raised when a JSONPath (or reference path) does not parse."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"invalid JSONPath {path!r}: {message}")


class JsonPathNotFound(ExpressionError):
    """Raised when a definite JSONPath selects nothing in the document it is applied to."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"JSONPath {path!r} selects nothing")


class IntrinsicSyntaxError(ExpressionError):
    """Raised when a States.* intrinsic function call does not parse."""


class IntrinsicFailure(ExpressionError):
    """Raised when an intrinsic function is called with arguments it cannot use."""
