"""Errors of the edge models: every one names the field (or part of a request) it is about."""

from __future__ import annotations

from dataclasses import dataclass

from automations.errors import AutomationsError


class ModelError(AutomationsError):
    """Base class: data at the edge (a request, a stored row) does not fit its model."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field's value."""

    field_id: str
    code: str
    message: str


class ValuesInvalid(ModelError):
    """Raised when record values break the catalog: unknown field, wrong type, missing value."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"field {first.field_id}: {first.message}{more}")

    @property
    def field_id(self) -> str:
        """The first field at fault (what a one-line message names)."""
        return self.problems[0].field_id


class CatalogInvalid(ModelError):
    """Raised when a catalog definition or change is not allowed (bad type, type change, bad id)."""

    def __init__(self, message: str, *, field_id: str | None = None) -> None:
        self.field_id = field_id
        super().__init__(message)


class RoleTooHigh(AutomationsError):
    """Raised when an API key is asked for a role above its user's (or its minter's)."""


class FilterInvalid(ModelError):
    """Raised when a records filter, sort or field list cannot be understood for this catalog."""

    def __init__(self, message: str, *, field_id: str | None = None) -> None:
        self.field_id = field_id
        super().__init__(message)
