"""The `{% ... %}` convention: a string that is exactly one JSONata expression.

Step Functions evaluates a string as JSONata only when the whole string starts with `{%` and
ends with `%}` (no surrounding spaces); any other string is a literal. We follow that exactly so
that a value means the same thing in the embedded engine and on AWS.
"""

from __future__ import annotations

from typing import Any

OPEN = "{%"
CLOSE = "%}"


def is_expression(value: Any) -> bool:
    """True when `value` is a string holding one whole `{% ... %}` JSONata expression."""
    return (
        isinstance(value, str)
        and len(value) >= 4
        and value.startswith(OPEN)
        and value.endswith(CLOSE)
    )


def expression_text(value: str) -> str:
    """The JSONata between the delimiters, stripped; `value` must satisfy `is_expression`."""
    if not is_expression(value):
        raise ValueError(f"not a {OPEN} ... {CLOSE} expression: {value!r}")
    return value[2:-2].strip()
