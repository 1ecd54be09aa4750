"""GigaChat's access tokens: fetched from its OAuth endpoint once, reused until shortly before
they expire.

GigaChat gives a Bearer token for 30 minutes in exchange for the authorization key (POST to
the OAuth URL with `Authorization: Basic <key>`, a fresh `RqUID` and the form `scope=...`;
the answer is `{access_token, expires_at}`, `expires_at` in milliseconds since the epoch).
Fetching one per call would double every call's latency and count against the OAuth
endpoint's own limits, so `TOKENS` keeps them per process (per Lambda instance on AWS), keyed
by a hash of the OAuth URL, scope and key: the key itself is not kept as a dictionary key. One
lock per key makes callers that find no token wait for the one fetch instead of each fetching.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# A token this close to its expiry is not handed out: the call it serves must not outlive it.
REFRESH_MARGIN_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_at: float  # seconds since the epoch


Fetch = Callable[[], Token]


class TokenCache:
    """Tokens by key hash; thread-safe, one fetch at a time per key."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @staticmethod
    def key_of(oauth_url: str, scope: str, key: str) -> str:
        return hashlib.sha256(f"{oauth_url}\n{scope}\n{key}".encode()).hexdigest()

    def get(self, cache_key: str, fetch: Fetch) -> str:
        """A valid token for `cache_key`: the kept one, or a new one from `fetch`."""
        with self._lock_of(cache_key):
            token = self._tokens.get(cache_key)
            if token is None or token.expires_at - REFRESH_MARGIN_SECONDS <= self._clock():
                token = fetch()
                self._tokens[cache_key] = token
            return token.value

    def forget(self, cache_key: str, value: str) -> None:
        """Drop the token `value` (the service refused it) unless another has replaced it."""
        with self._lock_of(cache_key):
            token = self._tokens.get(cache_key)
            if token is not None and token.value == value:
                del self._tokens[cache_key]

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()

    def _lock_of(self, cache_key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(cache_key, threading.Lock())


TOKENS = TokenCache()
