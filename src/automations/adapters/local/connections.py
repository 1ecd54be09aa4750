"""Named connections for the embedded server: the environment variable `AUTOMATIONS_CONNECTIONS`.

Its value is a JSON object (name -> connection), or the path of a file holding one:

    {"crm": "postgresql://reader:secret@db.internal:5432/crm",
     "orders": {"url": "mysql://app@10.0.0.7/orders", "passwordSecret": "ORDERS_DB"}}

A connection is its URL, or an object whose `url` has no password and whose `passwordSecret`
names the secret holding it (the Secrets port: locally `AUTOMATIONS_SECRET_<NAME>`), so the
password need not sit in the connections file. Read once, when first asked (a file that changes
is seen after a restart); a setting that cannot be read fails every lookup with what is wrong
and where, never with the text of the setting (it holds passwords).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from automations.components.connections import ConnectionInvalid, with_password
from automations.ports import Secrets

VARIABLE = "AUTOMATIONS_CONNECTIONS"


class ConnectionsSettingInvalid(ValueError):
    """`AUTOMATIONS_CONNECTIONS` (or its file) is not a JSON object of connections."""


class EnvConnections:
    """The Connections port on `AUTOMATIONS_CONNECTIONS` (or a given mapping, for tests)."""

    def __init__(self, secrets: Secrets, environ: Mapping[str, str] | None = None) -> None:
        self._secrets = secrets
        self._environ = os.environ if environ is None else environ
        self._table: dict[str, Any] | None = None

    def get(self, name: str) -> str | None:
        entry = self._entries().get(name)
        if entry is None:
            return None
        if isinstance(entry, str):
            return entry
        return self._with_secret(name, entry)

    def names(self) -> list[str]:
        return sorted(self._entries())

    def _entries(self) -> dict[str, Any]:
        if self._table is None:
            self._table = _read(self._environ.get(VARIABLE, "").strip())
        return self._table

    def _with_secret(self, name: str, entry: dict[str, Any]) -> str:
        url, secret = entry.get("url"), entry.get("passwordSecret")
        if not isinstance(url, str):
            raise ConnectionsSettingInvalid(f"{VARIABLE}: connection {name!r} has no `url`")
        if secret is None:
            return url
        if not isinstance(secret, str) or not secret:
            raise ConnectionsSettingInvalid(
                f"{VARIABLE}: `passwordSecret` of connection {name!r} is not a secret's name"
            )
        password = self._secrets.get(secret)
        if password is None:
            raise ConnectionsSettingInvalid(
                f"connection {name!r}: there is no secret {secret!r} (its password)"
            )
        try:
            return with_password(url, password)
        except ConnectionInvalid:
            raise ConnectionsSettingInvalid(
                f"{VARIABLE}: the `url` of connection {name!r} is not a URL"
            ) from None


def _read(setting: str) -> dict[str, Any]:
    if not setting:
        return {}
    where = VARIABLE
    text = setting
    if not setting.startswith(("{", "[")):  # else a path
        where = f"{VARIABLE} file {setting}"
        try:
            text = Path(setting).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConnectionsSettingInvalid(f"cannot read {where}: {exc.strerror}") from None
    try:
        table = json.loads(text)
    except ValueError as exc:
        # The position only: the text itself holds passwords.
        raise ConnectionsSettingInvalid(
            f"{where} is not JSON (line {getattr(exc, 'lineno', '?')}, "
            f"column {getattr(exc, 'colno', '?')})"
        ) from None
    if not isinstance(table, dict):
        raise ConnectionsSettingInvalid(f"{where} must be a JSON object: name -> connection")
    for name, entry in table.items():
        if not isinstance(entry, str | dict):
            raise ConnectionsSettingInvalid(
                f"{where}: connection {name!r} must be a URL or an object with `url`"
            )
    return table
