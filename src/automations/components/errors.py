"""Errors of the components: an unknown name, input that does not fit, a declared failure."""

from __future__ import annotations

from automations.errors import AutomationsError


class UnknownComponent(AutomationsError):
    """Raised when a component name is not in the registry."""


class ComponentFailed(AutomationsError):
    """Raised by a component run: `code` is one of the component's declared error codes."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class ComponentInputInvalid(AutomationsError):
    """Raised when a payload does not fit the component's input model (`message` says why)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ComponentError(AutomationsError):
    """Base of the classes `invoke.error_class` makes: raised on Lambda, named by an error code."""
