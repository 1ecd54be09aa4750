"""`$response`: what a synchronous process answers its caller with.

The product's scenarios set `$status`, `$headers` and `$body`; JSONata has one `$` namespace,
so here they live under one variable, `$response` = `{status, headers, body}`. Whatever a
scenario put there is read defensively: it is a scenario's (user's) output, not ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_STATUS = 200


@dataclass(frozen=True, slots=True)
class ProcessResponse:
    """The parts of `$response`; `status` None when the scenario gave none (or a bad one)."""

    status: int | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    given: bool = False

    @property
    def refuses(self) -> bool:
        """Whether a before-hook's answer blocks the write (`$response.status` >= 400)."""
        return self.status is not None and self.status >= 400

    def body_field(self, name: str) -> Any:
        """`$response.body.<name>` when the body is an object, else None."""
        return self.body.get(name) if isinstance(self.body, dict) else None


def response_of(output: dict[str, Any] | None) -> ProcessResponse:
    """The `$response` variable of a finished process's output."""
    raw = (output or {}).get("response")
    if not isinstance(raw, dict):
        return ProcessResponse()
    status = raw.get("status")
    if isinstance(status, float) and status.is_integer():
        status = int(status)
    valid = isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599
    headers = raw.get("headers")
    return ProcessResponse(
        status=status if valid else None,
        headers=headers if isinstance(headers, dict) else {},
        body=raw.get("body"),
        given=True,
    )
