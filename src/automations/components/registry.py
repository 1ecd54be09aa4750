"""The component registry: name -> what the component takes, returns and may fail with.

Validation reads it to check `auto:input` names; the engines read it to run a component.
Each component module registers itself once, at import (see `automations.components`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from automations.errors import AutomationsError


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


def get(name: str) -> ComponentSpec:
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownComponent(f"unknown component {name!r}") from None


def names() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    # Importing the package imports every built-in component module, each calling register().
    import automations.components  # noqa: F401
