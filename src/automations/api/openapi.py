"""The OpenAPI document of the whole API, generated from the routes and served as JSON."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.models import (
    APIKey,
    APIKeyIn,
    HTTPBase,
    HTTPBearer,
    SecurityScheme,
)

OPENAPI_PATH = "/api/v1/openapi.json"
TITLE = "Automations API"
VERSION = "1"
DESCRIPTION = (
    "Catalogs and records, compatible with the product's REST API (api/v1): values keyed by "
    "field id, filters, limit/offset, sortField/sortType, HTTP Basic auth. Errors are JSON "
    '`{"statusCode", "code", "message", "fieldId"?, "errors"?}`.'
)

SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    "basic": HTTPBase(scheme="basic"),
    "bearer": HTTPBearer(),
    "apiKey": APIKey.model_validate({"in": APIKeyIn.header, "name": "X-API-Key"}),
    # The web app's session (POST /api/v1/session); unsafe methods add X-CSRF-Token.
    "session": APIKey.model_validate({"in": APIKeyIn.cookie, "name": "automations_session"}),
}


Patches = dict[tuple[str, str], dict[str, Any]]


def openapi_document(app: APIGatewayRestResolver, patches: Patches | None = None) -> dict[str, Any]:
    """The document for every route registered on `app` (this route excluded), with what the
    route modules add that signatures cannot say (`patches`: (path, method) -> operation parts)."""
    text = app.get_openapi_json_schema(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes=SECURITY_SCHEMES,
        security=[{"basic": []}, {"bearer": []}, {"apiKey": []}, {"session": []}],
    )
    document: dict[str, Any] = json.loads(text)
    _document_errors(document)
    for (path, method), patch in (patches or {}).items():
        operation = document.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        for key, value in patch.items():
            if isinstance(value, dict) and isinstance(operation.get(key), dict):
                operation[key].update(value)
            else:
                operation[key] = value
    return document


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["statusCode", "code", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fieldId": {"type": "string", "description": "the field at fault, when there is one"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
ERRORS_BY_METHOD: dict[str, dict[str, str]] = {
    method: {
        "400": "Bad request: a parameter, the body or a field value (fieldId names it)",
        "401": "No valid credentials",
        "404": "No such catalog or record",
    }
    | (
        {"403": "Refused by a before-hook (message says why)", "409": "Changed meanwhile"}
        if method in ("post", "put", "patch", "delete")
        else {}
    )
    for method in ("get", "post", "put", "patch", "delete")
}


def _document_errors(document: dict[str, Any]) -> None:
    """Our errors instead of powertools' 422: validation failures answer 400 here."""
    document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    document["components"]["schemas"].pop("HTTPValidationError", None)
    document["components"]["schemas"].pop("ValidationError", None)
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, text in ERRORS_BY_METHOD.get(method, {}).items():
                responses[status] = {"description": text} | ref


def register_openapi(app: APIGatewayRestResolver, patches: Patches | None = None) -> None:
    """Serve the document at OPENAPI_PATH (built on first request, then kept)."""
    cached: list[str] = []

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def serve_openapi() -> Response[str]:
        if not cached:
            cached.append(json.dumps(openapi_document(app, patches), ensure_ascii=False))
        return Response(
            status_code=200, content_type=content_types.APPLICATION_JSON, body=cached[0]
        )
