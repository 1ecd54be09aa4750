"""JSON text in and out, the way Step Functions does it.

Outputs go into the history as compact JSON text (`{"a":1}`), as AWS prints them. Inputs that are
not JSON are refused with the Jackson parser's wording, which is what AWS shows its callers.
"""

from __future__ import annotations

import json
import json.encoder
from typing import Any

from automations.asl.errors import InvalidExecutionInput, JsonTextError

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# The engine encodes every state's input and output for its history: calling the C encoder
# directly skips JSONEncoder.encode's per-call set-up (half the cost of a small value). No
# circular-reference markers: values are JSON data, which cannot refer to itself.
_encode_string = json.encoder.encode_basestring  # what the encoder uses with ensure_ascii off
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without the C speedups
_C_ENCODE = (
    _C_MAKE_ENCODER(None, _not_json, _encode_string, None, ":", ",", False, False, False)
    if _C_MAKE_ENCODER is not None
    else None
)


def to_json_text(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is (NaN and infinities refused: ValueError)."""
    kind = type(value)
    if kind is int:  # the commonest scalars, as the encoder writes them
        return int.__repr__(value)
    if kind is str:
        return _encode_string(value)
    if value is None:  # compiled workflows start by assigning null to every absent variable
        return "null"
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


_EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def parse_json_text(text: str) -> Any:
    """Parse JSON text or raise JsonTextError worded like Jackson's messages.

    NaN and Infinity are refused, as Jackson refuses them (they are not JSON).
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise _jackson_error(text, err) from None
    except _NonNumeric as err:
        position = text.find(err.token)
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        message = (
            f"Non-standard token '{err.token}': enable "
            "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"
        )
        raise JsonTextError(message, line, column, text) from None


class _NonNumeric(ValueError):
    """Raised while parsing when the text holds NaN or Infinity."""

    def __init__(self, token: str) -> None:
        self.token = token


def _refuse_constant(token: str) -> Any:
    raise _NonNumeric(token)


def parse_execution_input(text: str | None) -> Any:
    """StartExecution's input: absent means `{}`; otherwise it must be JSON text."""
    if text is None:
        return {}
    if not text.strip():
        raise InvalidExecutionInput("Invalid execution input.")
    try:
        return parse_json_text(text)
    except JsonTextError as err:
        raise InvalidExecutionInput(err.message) from None


def _jackson_error(text: str, err: json.JSONDecodeError) -> JsonTextError:
    pos = err.pos
    char = text[pos] if pos < len(text) else ""
    if err.msg.startswith("Expecting property name"):
        message = (
            f"Unexpected character ('{char}' (code {ord(char)})): "
            "was expecting double-quote to start field name"
        )
        return JsonTextError(message, err.lineno, err.colno + 1, text)
    if err.msg == "Expecting value" and (char.isalpha() or char == "_"):
        end = pos
        while end < len(text) and (text[end].isalnum() or text[end] in "_"):
            end += 1
        token = text[pos:end]
        message = f"Unrecognized token '{token}': was expecting {_EXPECTED_VALUE}"
        return JsonTextError(message, err.lineno, err.colno + end - pos, text)
    if not char:
        return JsonTextError("Unexpected end-of-input", err.lineno, err.colno, text)
    message = (
        f"Unexpected character ('{char}' (code {ord(char)})): {err.msg[0].lower()}{err.msg[1:]}"
    )
    return JsonTextError(message, err.lineno, err.colno + 1, text)
