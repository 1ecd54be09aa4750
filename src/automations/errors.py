"""The root of every error the project raises, and the errors of the top-level modules.

Each package keeps its own errors in its `errors.py` (`automations.bpmn.errors`,
`automations.service.errors`, `automations.adapters.aws.errors`, ...), all derived from
`AutomationsError`. Those here belong to no package: settings, the ports' contract (what
every store raises, whichever adapter it is) and the command line.
"""

from __future__ import annotations


class AutomationsError(Exception):
    """Base class: anything the automations core raises on purpose derives from it."""


class SettingsInvalid(AutomationsError):
    """Raised when an `AUTOMATIONS_*` variable holds a value its setting cannot take."""


class StoreConflict(AutomationsError):
    """Raised by a store when a write would break uniqueness (an id, a login, a urlId taken)."""


class FileTooLarge(AutomationsError, ValueError):
    """Raised by a file store when a file is over its size limit (`limit` bytes)."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            f"the file is {size} bytes, over the limit of {limit} bytes"
            " (AUTOMATIONS_MAX_FILE_BYTES)"
        )


class LastAdmin(StoreConflict):
    """Raised by a user store when deleting or demoting a user would leave no admin."""


class CliInputInvalid(AutomationsError):
    """Raised by the command line when --input is not a JSON object (or @file holding one)."""
