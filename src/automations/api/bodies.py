"""Raw request bodies (a BPMN file, a web request's payload), decoded as API Gateway sends them."""

from __future__ import annotations

import base64
import binascii

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from automations.api.errors import BadRequest


def raw_body(event: BaseProxyEvent) -> bytes:
    """The request body's bytes (API Gateway base64-encodes bodies that are not text)."""
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("the body is not valid base64") from exc
