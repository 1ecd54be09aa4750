"""What the records components share: how they find their port, the catalog input, field
lists, and the table from the port's errors to component error codes.

The port (`automations.ports.RecordsPort`, which the record use cases implement) comes in as
`ComponentContext.services["records"]` (the server binds it to the running process, so writes
carry its chain depth); components never open a store nor call a use case themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext
from automations.model.errors import CatalogInvalid, FilterInvalid, ValuesInvalid
from automations.ports import (
    CatalogNotFound,
    RecordNotFound,
    RecordsPort,
    WriteConflict,
    WriteRefused,
)

CATALOG_NOT_FOUND = "records.catalog_not_found"
NOT_FOUND = "records.not_found"
INVALID_VALUES = "records.invalid_values"
INVALID_QUERY = "records.invalid_query"
REFUSED = "records.refused"
CONFLICT = "records.conflict"
UNAVAILABLE = "records.unavailable"
READ_ERRORS = (CATALOG_NOT_FOUND, NOT_FOUND, INVALID_QUERY, UNAVAILABLE)
WRITE_ERRORS = (CATALOG_NOT_FOUND, NOT_FOUND, INVALID_VALUES, REFUSED, CONFLICT, UNAVAILABLE)
SERVICE_KEY = "records"


def _id_text(value: object) -> object:
    # Expressions give ids as numbers or strings ("15" and 15 are the same record).
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_id_text), StringConstraints(pattern=r"^[0-9]{1,18}$")]
FieldRef = Annotated[
    str, BeforeValidator(lambda v: _id_text(v.get("fieldId") if isinstance(v, dict) else v))
]


class CatalogInput(BaseModel):
    """`catalogId`: chosen from the list (a literal) or through a variable (an expression)."""

    model_config = ConfigDict(extra="forbid")

    catalogId: Id


def records_of(ctx: ComponentContext) -> RecordsPort:
    """The records port the server gave this run."""
    port = ctx.services.get(SERVICE_KEY)
    if port is None:
        raise ComponentFailed(UNAVAILABLE, "records are not available where this process runs")
    return port  # type: ignore[no-any-return]


def field_set(fields: list[str] | None) -> set[str] | None:
    """The field ids to return (None = all)."""
    return None if fields is None else {str(f) for f in fields}


def _code(code: str) -> Callable[[Exception], tuple[str, str]]:
    return lambda exc: (code, getattr(exc, "message", None) or str(exc))


# The port's errors -> the component's error codes (what boundary events catch).
ERROR_CODES: dict[type[Exception], Callable[[Exception], tuple[str, str]]] = {
    CatalogNotFound: _code(CATALOG_NOT_FOUND),
    RecordNotFound: _code(NOT_FOUND),
    ValuesInvalid: _code(INVALID_VALUES),
    CatalogInvalid: _code(INVALID_VALUES),
    FilterInvalid: _code(INVALID_QUERY),
    WriteRefused: _code(REFUSED),
    WriteConflict: _code(CONFLICT),
}


@contextmanager
def translated() -> Iterator[None]:
    """Turn an error of the records port into ComponentFailed with the component's code."""
    try:
        yield
    except tuple(ERROR_CODES) as exc:
        for kind, translate in ERROR_CODES.items():
            if isinstance(exc, kind):
                code, message = translate(exc)
                raise ComponentFailed(code, message) from None
        raise
