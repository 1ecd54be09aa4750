"""Secrets on AWS Secrets Manager: a secret named `name` is the secret `<SECRETS_PREFIX><name>`,
and a name that is an ARN is that secret whatever the prefix (the template gives the admin
password's secret by its ARN).

Values are cached for a few minutes per Lambda instance: a component reading a database password
on every call should not pay a Secrets Manager request each time, and a rotated secret is seen
soon enough. Missing secrets are not cached (one created later is found at once).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from automations.adapters.aws.client_errors import Meaning, meaning

PREFIX_VARIABLE = "SECRETS_PREFIX"
CACHE_SECONDS = 300.0
ARN_PREFIX = "arn:"


class SecretsManagerSecrets:
    """The Secrets port on Secrets Manager (string secrets).

    secrets = SecretsManagerSecrets(boto3.client("secretsmanager"))  # prefix from env
    """

    def __init__(
        self, client: Any, prefix: str | None = None, cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self._client = client
        self._prefix = os.environ.get(PREFIX_VARIABLE, "") if prefix is None else prefix
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> str | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            answer = self._client.get_secret_value(SecretId=self._secret_id(name))
        except Exception as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return None
            raise
        value = answer.get("SecretString")
        if not isinstance(value, str):
            return None  # a binary secret is not a password or a token
        with self._lock:
            self._cache[name] = (now, value)
        return value

    def _secret_id(self, name: str) -> str:
        return name if name.startswith(ARN_PREFIX) else f"{self._prefix}{name}"
