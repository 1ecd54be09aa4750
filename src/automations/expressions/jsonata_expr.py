"""JSONata evaluation through jsonata-python, with Step Functions' additions and a time limit.

Parsing costs about four times an evaluation, so expressions are compiled once and cached by
their text. Every evaluation gets its own deadline (the library's own timebox starts counting
when an expression is *compiled*, which is useless for a cached expression).

JSONata distinguishes `null` from "undefined" (nothing); Step Functions rejects the latter in
most fields. We therefore keep the library's `null` marker during evaluation and return the
`UNDEFINED` sentinel for "nothing", plain `None` for `null`.
"""

from __future__ import annotations

import contextlib
import copy
import math
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final

import regex
from jsonata import jexception, jsonata, parser, utils
from jsonata.functions import Functions

from automations.expressions import jsonata_js, jsonata_limits, overstay
from automations.expressions.errors import (
    ExpressionError,
    JsonataEvaluationError,
    JsonataSyntaxError,
    JsonataTimeout,
    JsonataUnsupportedResult,
    Overstayed,
    RegexTimedOut,
)
from automations.expressions.jsonata_limits import BoundedJsonata
from automations.expressions.overstay import bounded
from automations.expressions.regex_engine import (
    DEFAULT_TIMEOUT_SECONDS as DEFAULT_REGEX_SECONDS,
)
from automations.expressions.regex_engine import jsonata_engine
from automations.expressions.sfn_functions import SFN_FUNCTIONS

DEFAULT_TIMEOUT_SECONDS: Final = 1.0

_NULL = utils.Utils.NULL_VALUE
_UNBOUNDED: Final = contextlib.nullcontext()


def _silent(*_args: object, **_kwargs: object) -> None:
    """jsonata-python prints "Proc not found" to stdout before raising T1006; our CLI's stdout
    carries JSON, so the library's module gets this `print` instead of the built-in one."""


jsonata.print = _silent
jsonata_js.install()  # the port's differences from jsonata 2.0.6 closed first,
jsonata_limits.install()  # then bounded


class _Undefined:
    """The type of `UNDEFINED`: what a JSONata expression returns when it selects nothing."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = _Undefined()


class _Overstayed(Overstayed):
    """Raised inside an evaluation still running at its deadline: in a built-in function,
    where the per-node check below never runs, or in a regular expression."""


class _Deadline(jexception.JException):  # type: ignore[misc]
    """Raised inside the library when an evaluation passes its deadline (becomes JsonataTimeout).

    It derives from JException because the library turns any other exception raised inside
    `and`/`or` into a generic "Unexpected" error.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__("D1012", -1, int(seconds * 1000))


# Anything JSON cannot hold: JSONata lambdas (parser symbols), native and Python functions.
_FUNCTION_TYPES = (jsonata.Jsonata.JFunctionCallable, parser.Parser.Symbol)


class JsonataExpression:
    """A compiled JSONata expression; evaluate it as often as you like, from any thread."""

    __slots__ = ("_compiled", "_owner", "_per_thread", "_reads_clock", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._reads_clock = "$now" in text or "$millis" in text
        self._compiled = _compile(text)
        self._owner = threading.get_ident()
        self._per_thread = threading.local()

    def evaluate(
        self,
        input: Any,
        variables: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
        now_ms: int | None = None,
    ) -> Any:
        """Evaluate against `input` with `variables` bound as `$name`s.

        Returns plain JSON values (`None` for null) or `UNDEFINED`. `now_ms` pins `$now()` and
        `$millis()` (the engine passes its clock so virtual time is what expressions see).
        """
        bindings: dict[str, Any] = {}
        if variables:
            for name, value in variables.items():
                # A variable bound to Python None would read as "undefined" in the library.
                bindings[name] = _NULL if value is None else value
        # The library looks both hooks up on every node it evaluates; binding them here (None
        # when unused) ends each lookup at the first frame instead of walking to the globals.
        bindings["__evaluate_entry"] = _deadline_check(timeout) if timeout is not None else None
        bindings["__evaluate_exit"] = None
        if now_ms is not None and self._reads_clock:
            bindings["millis"] = jsonata.Jsonata.JLambda(lambda: now_ms)
            bindings["now"] = jsonata.Jsonata.JLambda(
                lambda picture=None, zone=None: Functions.datetime_from_millis(
                    now_ms, picture, zone
                )
            )
        instance = self._instance()
        # $now()/$millis() and a few functions read the library's "current" instance.
        jsonata.Jsonata.CURRENT.jsonata = instance
        try:
            with _UNBOUNDED if timeout is None else bounded(timeout, _Overstayed):
                result = instance.evaluate(_NULL if input is None else input, bindings)
                # (inside the bound: a result sharing its parts can take long to walk)
                return UNDEFINED if result is None else to_json(result, self.text)
        except (_Deadline, _Overstayed, RegexTimedOut):
            limit = DEFAULT_REGEX_SECONDS if timeout is None else timeout
            raise JsonataTimeout(
                self.text, "D1012", f"evaluation took longer than its time limit ({limit:g} s)"
            ) from None
        except ExpressionError:  # to_json's own
            raise
        except jexception.JException as err:
            raise JsonataEvaluationError(self.text, str(err.error), str(err)) from None
        except RecursionError:
            raise JsonataEvaluationError(
                self.text, "D1011", "stack overflow: check for non-terminating recursion"
            ) from None
        except Exception as err:  # the library leaks Python errors (e.g. 1/0)
            raise JsonataEvaluationError(self.text, "", _python_error_message(err)) from None

    def _instance(self) -> jsonata.Jsonata:
        # The library object keeps evaluation state, so another thread gets its own copy.
        if threading.get_ident() == self._owner:
            return self._compiled
        instance: jsonata.Jsonata | None = getattr(self._per_thread, "instance", None)
        if instance is None:
            instance = self._per_thread.instance = copy.copy(self._compiled)
        return instance

    def __repr__(self) -> str:
        return f"JsonataExpression({self.text!r})"


def _compile(text: str) -> jsonata.Jsonata:
    try:
        compiled = BoundedJsonata(text, jsonata_engine)
    except jexception.JException as err:
        raise JsonataSyntaxError(text, str(err.error), str(err), int(err.location)) from None
    except regex.error as err:
        raise JsonataSyntaxError(text, "S0302", f"invalid regular expression: {err}", 0) from None
    except RecursionError:  # the parser recurses once per level of brackets
        raise JsonataSyntaxError(text, "S0000", "the expression nests too deeply", 0) from None
    except Exception as err:  # the tokenizer leaks IndexError & co. on some inputs
        raise JsonataSyntaxError(text, "S0000", _python_error_message(err), 0) from None
    if compiled.errors:
        first = compiled.errors[0]
        code = str(getattr(first, "error", "S0500"))
        raise JsonataSyntaxError(text, code, str(first), int(getattr(first, "location", 0)))
    compiled.set_validate_input(False)  # inputs are JSON already; validation walks them all
    compiled.set_output_convert_nulls(False)  # keep null apart from undefined
    for name, function in SFN_FUNCTIONS.items():
        compiled.register_lambda(name, function)
    return compiled


def _deadline_check(seconds: float) -> Callable[..., None]:
    # (the clock of every time limit: it does not count garbage collections, see overstay.py)
    deadline = overstay.clock() + seconds

    def check(_expr: Any, _input: Any, _env: Any) -> None:
        if overstay.clock() > deadline:
            raise _Deadline(seconds)

    return check


def _python_error_message(err: Exception) -> str:
    if isinstance(err, ZeroDivisionError):
        return "Number out of range: division by zero"
    return f"{type(err).__name__}: {err}"


def to_json(value: Any, text: str = "") -> Any:
    """Turn a library result into plain JSON values (None for null), copying only what changes."""
    if value is _NULL:
        return None
    if isinstance(value, list):
        items = [to_json(item, text) for item in value]
        if type(value) is list and all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            clean = to_json(item, text)
            changed = changed or clean is not item
            out[key] = clean
        return out if changed else value
    if isinstance(value, _FUNCTION_TYPES) or callable(value):
        raise JsonataUnsupportedResult(text, "", "the expression returned a function")
    if isinstance(value, float) and not math.isfinite(value):
        raise JsonataEvaluationError(text, "D1001", f"Number out of range: {value}")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        # JSONata numbers are doubles: 6/2 is 3, printed as 3 (as AWS prints it).
        return int(value)
    return value


@lru_cache(maxsize=4096)
def compile_jsonata(text: str) -> JsonataExpression:
    """Compile (once; cached by text) or raise JsonataSyntaxError."""
    return JsonataExpression(text)


def parse_jsonata(text: str) -> JsonataExpression:
    """Parse JSONata text: the compiled expression, or JsonataSyntaxError with code and position.

    The BPMN validator calls this to report malformed expressions with JSONata's own message.
    """
    return compile_jsonata(text)


def evaluate_jsonata(
    text: str,
    input: Any,
    variables: Mapping[str, Any] | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> Any:
    """Compile (cached) and evaluate in one call; returns JSON values or `UNDEFINED`."""
    return compile_jsonata(text).evaluate(input, variables, timeout=timeout)
