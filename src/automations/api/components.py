"""`/api/v1/components`: every component the registry knows, described for the editor.

The editor builds its palette and its properties panel from this alone, so a new component
appears there with no UI code: each entry has the JSON Schema of its inputs and of its result,
read from its pydantic models, with every `$ref` resolved in place (a generic form builder then
reads `type`, `enum`, `default`, `description`, `required`, `items`, `additionalProperties`
where they are). Only a recursive model keeps `$defs`, for the references that recurse.
Schemas are made once per component and server process.
"""

from __future__ import annotations

import copy
import re
import threading
from typing import Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from automations.components import registry
from automations.components.registry import ComponentSpec

PATHS = ("/api/v1/components",)
TAGS = ["components"]
_REF = "#/$defs/"
_CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

_cache: dict[str, tuple[ComponentSpec, dict[str, Any]]] = {}
_lock = threading.Lock()


def component_json(spec: ComponentSpec) -> dict[str, Any]:
    """One component as the editor reads it (made once per spec)."""
    with _lock:
        cached = _cache.get(spec.name)
        if cached is not None and cached[0] is spec:
            return cached[1]
    described = {
        "name": spec.name,
        "title": spec.palette_title,
        "description": spec.summary,
        "family": spec.palette_family,
        "inputSchema": model_schema(spec.input_model, "validation"),
        "resultSchema": model_schema(spec.result_model, "serialization"),
        "errors": [
            {"code": code, "description": spec.error_description(code)} for code in spec.errors
        ],
    }
    with _lock:
        _cache[spec.name] = (spec, described)
    return described


def model_schema(
    model: type[BaseModel], mode: Literal["validation", "serialization"]
) -> dict[str, Any]:
    """The model's JSON Schema by alias (the names a scenario writes), references resolved."""
    schema = model.model_json_schema(by_alias=True, mode=mode)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    kept: set[str] = set()
    resolved: dict[str, Any] = _resolve(schema, definitions, (), kept)
    kept_defs: dict[str, Any] = {}
    # A kept definition may itself keep another one: until none is new.
    while pending := sorted(kept - kept_defs.keys()):
        for name in pending:
            kept_defs[name] = _resolve(definitions.get(name, {}), definitions, (name,), kept)
    if kept_defs:
        resolved["$defs"] = dict(sorted(kept_defs.items()))
    return resolved


def _resolve(node: Any, definitions: dict[str, Any], seen: tuple[str, ...], kept: set[str]) -> Any:
    """`node` with each `$ref` replaced by its definition, except one that recurses."""
    if isinstance(node, list):
        return [_resolve(item, definitions, seen, kept) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith(_REF):
        name = reference[len(_REF) :]
        if name in seen or name not in definitions:
            kept.add(name)
            return dict(node)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        target = _resolve(copy.deepcopy(definitions[name]), definitions, (*seen, name), kept)
        return target | _resolve(siblings, definitions, seen, kept)
    resolved = {key: _resolve(value, definitions, seen, kept) for key, value in node.items()}
    properties = resolved.get("properties")
    if isinstance(properties, dict):
        for name, field in properties.items():
            if isinstance(field, dict):
                _readable_title(name, field)
    return resolved


def _readable_title(name: str, field: dict[str, Any]) -> None:
    """pydantic titles a field `Timeoutseconds` after `timeoutSeconds`: `Timeout seconds`."""
    if field.get("title") in (name.title(), name.replace("_", " ").title(), None):
        words = _CAMEL_BREAK.sub(" ", name).replace("_", " ").strip()
        field["title"] = words[:1].upper() + words[1:].lower()


def router() -> Router:
    """The components route (it reads the registry, nothing else)."""
    routes = Router()  # type: ignore[no-untyped-call]

    @routes.get(PATHS[0], tags=TAGS, summary="Every component: inputs, result, error codes")
    def list_components() -> list[dict[str, Any]]:
        return [component_json(registry.get(name)) for name in registry.names()]

    return routes
