"""Browser sessions: a random token in an HttpOnly cookie, kept server-side only as its hash.

A store holds `Session` rows keyed by `session_id(token)` (SHA-256 of the token: 256 random
bits need no slow hash), so whoever reads the store cannot sign in with what they read. Each
session carries its own CSRF token, which the browser app sends back as a header.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from automations.model.base import CamelModel, UtcDateTime


class Session(CamelModel):
    """One signed-in browser: whose it is, its CSRF token, when it stops being valid."""

    id: str  # session_id(token)
    user_id: str
    csrf_token: str
    created_at: UtcDateTime
    expires_at: UtcDateTime

    def alive(self, now: datetime) -> bool:
        return now < self.expires_at


def session_id(token: str) -> str:
    """The stored id of the session a cookie token names."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session(user_id: str, now: datetime, lifetime_seconds: float) -> tuple[Session, str]:
    """A fresh session of `user_id` and the token its cookie carries (shown to nobody else)."""
    token = secrets.token_urlsafe(32)
    session = Session(
        id=session_id(token),
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(seconds=lifetime_seconds),
    )
    return session, token


class SignInFailures(CamelModel):
    """Failed sign-ins of one login within the current window (see `api/sessions.py`)."""

    count: int
    window_start: float  # Clock seconds of the window's first failure
