"""The component registry: name -> what the component takes, returns and may fail with.

Validation reads it to check `auto:input` names; the engines read it to run a component.
Each component module registers itself once, at import; `BUILTIN` says which module holds which
built-in component, so asking for one imports that module only (a Lambda deployed for one
component does not pay for importing the others).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from automations.errors import AutomationsError
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH


class UnknownComponent(AutomationsError):
    """Raised when a component name is not in the registry."""


class ComponentFailed(AutomationsError):
    """Raised by a component run: `code` is one of the component's declared error codes."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True, slots=True)
class ComponentContext:
    """What a running component may know besides its inputs (ports come in through here)."""

    process_id: str = ""
    element_id: str = ""
    services: Mapping[str, Any] = field(default_factory=dict)
    # How deep JSON a component reads may nest (AUTOMATIONS_MAX_JSON_DEPTH): its result becomes
    # process data, which is held to that depth.
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH


Runner = Callable[[Any, ComponentContext], BaseModel]


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """A component: its stable name, input and result models, error codes and its code."""

    name: str
    input_model: type[BaseModel]
    result_model: type[BaseModel]
    errors: tuple[str, ...]
    run: Runner
    summary: str = ""

    @property
    def input_names(self) -> frozenset[str]:
        return frozenset(self.input_model.model_fields)


_REGISTRY: dict[str, ComponentSpec] = {}


def register(spec: ComponentSpec) -> ComponentSpec:
    """Add a component; registering the same name twice is a programming error."""
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"component {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


# Built-in components: name -> the module that registers it. Adding a component is adding its
# module and one line here (a test checks each module registers the name it is listed under).
BUILTIN: dict[str, str] = {
    "http.request": "automations.components.http_request",
    "parse": "automations.components.parse",
    "records.create": "automations.components.records_create",
    "records.delete": "automations.components.records_delete",
    "records.find": "automations.components.records_find",
    "records.get": "automations.components.records_get",
    "records.structure": "automations.components.records_structure",
    "records.update": "automations.components.records_update",
}


def get(name: str) -> ComponentSpec:
    spec = _REGISTRY.get(name)
    if spec is None and name in BUILTIN:
        importlib.import_module(BUILTIN[name])
        spec = _REGISTRY.get(name)
    if spec is None:
        raise UnknownComponent(f"unknown component {name!r}")
    return spec


def names() -> list[str]:
    """Every component's name (built-in or registered), sorted; imports none of them."""
    return sorted({*BUILTIN, *_REGISTRY})
