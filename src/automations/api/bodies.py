"""Request bodies: raw bytes as API Gateway sends them (a BPMN file, a web request's payload),
and JSON bodies read within the JSON depth limit."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from automations.api.errors import BadRequest
from automations.json_depth import text_depth_over, too_deep_message
from automations.service.errors import BodyTooDeep


def raw_body(event: BaseProxyEvent) -> bytes:
    """The request body's bytes (API Gateway base64-encodes bodies that are not text)."""
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("the body is not valid base64") from exc


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def json_reader(max_depth: int) -> Callable[[str], Any]:
    """How the API reads JSON bodies: json.loads without NaN/Infinity (not JSON, and not
    storable), after refusing text that nests deeper than `max_depth` (BodyTooDeep)."""

    def read(text: str) -> Any:
        depth = text_depth_over(text, max_depth)
        if depth is not None:
            raise BodyTooDeep(too_deep_message("the JSON body", max_depth, f"{depth} levels"))
        return json.loads(text, parse_constant=_reject_constant)

    return read
