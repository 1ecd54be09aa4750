"""Who is calling: HTTP Basic (login:password, as the product documents) or an API key.

API keys come as `X-API-Key: <key>` or `Authorization: Bearer <key>`. Password checks are slow on
purpose (scrypt), so a successful check is remembered for a short while, keyed by an HMAC of the
credentials under a per-process random key: the cache never holds anything a leak could reverse
cheaply. A changed password or role, or a disabled user, therefore takes up to `cache_seconds`
to bite. The User returned carries the role the request acts with (an API key's, capped by its
user's); what that role may call is `access.py`'s business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from automations.api.errors import Unauthorized
from automations.model.user import User
from automations.ports import ApiKeyStore, UserStore

CACHE_SIZE = 1024


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A header's value, whatever the case of its name."""
    wanted = name.lower()
    return next((v for k, v in (headers or {}).items() if k.lower() == wanted), None)


def basic_credentials(authorization: str) -> tuple[str, str]:
    """Login and password from `Basic base64(login:password)`; Unauthorized if malformed."""
    scheme, _, encoded = authorization.partition(" ")
    try:
        login, sep, password = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthorized("malformed Basic credentials") from exc
    if scheme.lower() != "basic" or not sep:
        raise Unauthorized("malformed Basic credentials")
    return login, password


class Authenticator:
    """Turns request headers into the calling User, or raises Unauthorized."""

    def __init__(self, users: UserStore, api_keys: ApiKeyStore, cache_seconds: float = 60.0):
        self._users = users
        self._api_keys = api_keys
        self._cache_seconds = cache_seconds
        self._pepper = secrets.token_bytes(32)
        self._cache: OrderedDict[bytes, tuple[User, float]] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, headers: Mapping[str, str] | None) -> User:
        """The caller; Unauthorized with a message that does not say which part was wrong."""
        api_key = header(headers, "x-api-key")
        authorization = header(headers, "authorization") or ""
        if authorization[:7].lower() == "bearer ":
            api_key = authorization[7:].strip()
        if api_key:
            return self._known("key", api_key, lambda: self._api_keys.authenticate(api_key))
        if authorization[:6].lower() == "basic ":
            login, password = basic_credentials(authorization)
            return self._known(
                "basic", f"{login}\0{password}", lambda: self._users.authenticate(login, password)
            )
        raise Unauthorized("authentication required (HTTP Basic or an API key)")

    def _known(self, kind: str, credentials: str, check: Callable[[], User | None]) -> User:
        tag = hmac.new(self._pepper, f"{kind}\0{credentials}".encode(), hashlib.sha256).digest()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(tag)
            if cached is not None and cached[1] > now:
                return cached[0]
        user = check()
        if user is None:
            raise Unauthorized("wrong credentials")
        with self._lock:
            self._cache[tag] = (user, now + self._cache_seconds)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return user
