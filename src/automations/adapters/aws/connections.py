"""Named connections on AWS: one Secrets Manager secret per connection, named
`<CONNECTIONS_PREFIX><name>` (the template sets the prefix: `<stack>/connections/`).

The secret's string is the connection's URL (`postgresql://user:password@host:5432/db`), or a
JSON object: `{"url": "...", "password": "..."}` (the password kept apart from the URL), or the
object RDS and Secrets Manager's rotation write for a database (`engine`, `host`, `port`,
`username`, `password`, `dbname`), so a rotated RDS secret can be named as it is. Values are
cached per Lambda instance as `SecretsManagerSecrets` caches them.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote

from automations.adapters.aws.secrets import SecretsManagerSecrets
from automations.components.connections import with_password

PREFIX_VARIABLE = "CONNECTIONS_PREFIX"
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")

# RDS's `engine` -> our scheme.
_ENGINES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "aurora-postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "aurora-mysql": "mysql",
    "aurora": "mysql",
    "sqlserver": "mssql",
    "oracle": "oracle",
}


class ConnectionSecretInvalid(ValueError):
    """A connection's secret is neither a URL nor one of the JSON forms (its text not shown)."""


class SecretsManagerConnections:
    """The Connections port on Secrets Manager.

    connections = SecretsManagerConnections(boto3.client("secretsmanager"))  # prefix from env
    """

    def __init__(self, client: Any, prefix: str | None = None) -> None:
        chosen = os.environ.get(PREFIX_VARIABLE, "") if prefix is None else prefix
        self._secrets = SecretsManagerSecrets(client, prefix=chosen)

    def get(self, name: str) -> str | None:
        # A name is a name, never an ARN or a path: a scenario must not reach other secrets.
        if not _NAME.fullmatch(name):
            return None
        value = self._secrets.get(name)
        if value is None:
            return None
        if not value.lstrip().startswith("{"):
            return value.strip()
        return url_of_secret(name, value)


def url_of_secret(name: str, value: str) -> str:
    """The URL a JSON connection secret stands for."""
    try:
        secret = json.loads(value)
    except ValueError:
        raise ConnectionSecretInvalid(f"the secret of connection {name!r} is not JSON") from None
    if not isinstance(secret, dict):
        raise ConnectionSecretInvalid(f"the secret of connection {name!r} is not a JSON object")
    password = secret.get("password")
    if isinstance(secret.get("url"), str):
        url: str = secret["url"]
        return with_password(url, password) if isinstance(password, str) else url
    engine = _ENGINES.get(str(secret.get("engine", "")).lower())
    host = secret.get("host")
    if engine is None or not isinstance(host, str):
        raise ConnectionSecretInvalid(
            f"the secret of connection {name!r} has neither `url` nor a known `engine` and `host`"
        )
    auth = quote(str(secret.get("username", "")), safe="")
    if isinstance(password, str):
        auth += f":{quote(password, safe='')}"
    port = f":{secret['port']}" if secret.get("port") else ""
    database = secret.get("dbname") or secret.get("database") or ""
    return f"{engine}://{auth}@{host}{port}/{quote(str(database), safe='')}"
