"""`/api/v1/expressions/check`: the editor's as-you-type check of one JSONata field.

Syntax only, with the parser the validator and the engines use: nothing is evaluated, so no
variable needs a value and nothing can run long. The field's whole value (`{% ... %}`) may be
sent; a position then counts in that text.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from automations.api.users import StrictBody
from automations.expressions import (
    ExpressionError,
    JsonataSyntaxError,
    expression_text,
    is_expression,
    parse_jsonata,
)

PATHS = ("/api/v1/expressions/check",)
TAGS = ["scenarios"]
MAX_EXPRESSION_CHARS = 100_000


class ExpressionBody(StrictBody):
    """The body of `POST /api/v1/expressions/check`."""

    expression: Annotated[str, Field(max_length=MAX_EXPRESSION_CHARS)]


def check_expression(sent: str) -> dict[str, Any]:
    """`{ok, message, position, code}` for one field's text."""
    text, offset = sent, 0
    if is_expression(sent):
        text = expression_text(sent)
        inner = sent[2:-2]
        offset = 2 + len(inner) - len(inner.lstrip())
    try:
        parse_jsonata(text)
    except JsonataSyntaxError as exc:
        return _problem(" ".join(exc.message.split()), offset + exc.position, exc.code)
    except ExpressionError as exc:
        return _problem(" ".join(str(exc).split()), None, None)
    return {"ok": True, "message": None, "position": None, "code": None}


def _problem(message: str, position: int | None, code: str | None) -> dict[str, Any]:
    return {"ok": False, "message": message, "position": position, "code": code}


def router() -> Router:
    """The expression check route (no store: it reads nothing)."""
    routes = Router()  # type: ignore[no-untyped-call]

    @routes.post(PATHS[0], tags=TAGS, summary="Check one JSONata expression's syntax")
    def check(body: Annotated[ExpressionBody, Body()]) -> dict[str, Any]:
        return check_expression(body.expression)

    return routes
