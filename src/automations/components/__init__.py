"""Built-in components. Each module registers itself; add a module and a line below."""

from __future__ import annotations

from automations.components import http_request, parse  # noqa: F401
