"""Built-in components. Each module registers itself; add a module and a line below."""

from __future__ import annotations

from automations.components import (  # noqa: F401
    http_request,
    parse,
    records_create,
    records_delete,
    records_find,
    records_get,
    records_structure,
    records_update,
)
