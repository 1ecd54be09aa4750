"""Who is calling: HTTP Basic (login:password, as the product documents), an API key, or the
web app's session cookie.

API keys come as `X-API-Key: <key>` or `Authorization: Bearer <key>`. Credentials in headers win
over a cookie. A session (`model/session.py`) is looked up on every request, never cached, so
signing out or a password change ends it at once; a request it authenticates with an unsafe
method must carry the session's CSRF token in `X-CSRF-Token` (a cookie is sent by the browser
whoever made the page that asks; that header only the app itself can add).

Password checks are slow on purpose (scrypt), so a successful check is remembered for a short
while, keyed by an HMAC of the credentials under a per-process random key: the cache never holds
anything a leak could reverse cheaply. A changed password or role, or a disabled user, therefore
takes up to `cache_seconds` to bite for Basic and API keys (not for a session). The User
returned carries the role the request acts with (an API key's, capped by its user's); what that
role may call is `access.py`'s business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from automations.api.errors import CsrfRefused, Unauthorized
from automations.asl.ports import Clock
from automations.model.base import from_epoch
from automations.model.session import Session, session_id
from automations.model.user import User
from automations.ports import ApiKeyStore, SessionStore, UserStore

CACHE_SIZE = 1024
SESSION_COOKIE = "automations_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NO_CREDENTIALS = "authentication required (sign in, HTTP Basic or an API key)"
_COOKIE_SEPARATORS = re.compile(r"[;,]")  # `,` too: a proxy may join two Cookie headers


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


def cookie(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A request cookie's value (the first of that name), or None."""
    for part in _COOKIE_SEPARATORS.split(header(headers, "cookie") or ""):
        key, sep, value = part.strip().partition("=")
        if sep and key.strip() == name:
            return value.strip().strip('"') or None
    return None


def live_session(
    sessions: SessionStore, clock: Clock, headers: Mapping[str, str] | None
) -> Session | None:
    """The unexpired session the request's cookie names, or None."""
    token = cookie(headers, SESSION_COOKIE)
    if token is None or len(token) > 200:  # ours are 43 characters: anything longer is not one
        return None
    found = sessions.get(session_id(token))
    if found is None or not found.alive(from_epoch(clock.now())):
        return None
    return found


def check_csrf(session: Session, headers: Mapping[str, str] | None) -> None:
    """CsrfRefused unless the request carries this session's CSRF token."""
    sent = header(headers, CSRF_HEADER) or ""
    if not hmac.compare_digest(sent.encode("utf-8"), session.csrf_token.encode("utf-8")):
        raise CsrfRefused(
            f"this request needs the {CSRF_HEADER} header of your session (GET /api/v1/session)"
        )


class Authenticator:
    """Turns request headers into the calling User, or raises Unauthorized."""

    def __init__(
        self,
        users: UserStore,
        api_keys: ApiKeyStore,
        cache_seconds: float = 60.0,
        *,
        sessions: SessionStore | None = None,
        clock: Clock | None = None,
    ):
        self._users = users
        self._api_keys = api_keys
        self._cache_seconds = cache_seconds
        self._sessions = sessions
        self._clock = clock
        self._pepper = secrets.token_bytes(32)
        self._cache: OrderedDict[bytes, tuple[User, float]] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, headers: Mapping[str, str] | None, method: str = "GET") -> User:
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
        sessions, clock = self._sessions, self._clock
        if sessions is not None and clock is not None and cookie(headers, SESSION_COOKIE):
            return self._session_user(sessions, clock, headers, method)
        raise Unauthorized(NO_CREDENTIALS)

    def _session_user(
        self, sessions: SessionStore, clock: Clock, headers: Mapping[str, str] | None, method: str
    ) -> User:
        session = live_session(sessions, clock, headers)
        if session is None:
            raise Unauthorized("your session has ended: sign in again")
        if method.upper() in UNSAFE_METHODS:
            check_csrf(session, headers)
        user = self._users.get(session.user_id)
        if user is None or not user.active:
            raise Unauthorized("your session has ended: sign in again")
        return user

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
