"""Secrets for the embedded server: environment variables `AUTOMATIONS_SECRET_<NAME>`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

PREFIX = "AUTOMATIONS_SECRET_"


class EnvSecrets:
    """Looks a secret up by name in the environment (or in a given mapping, for tests)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def get(self, name: str) -> str | None:
        # Names become variable names: letters, digits and underscores, upper case.
        key = PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
        return self._environ.get(key)
