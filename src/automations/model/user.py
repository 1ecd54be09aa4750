"""Users and API keys, and how their secrets are kept: never in clear, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from enum import StrEnum

from automations.model.base import CamelModel, UtcDateTime
from automations.model.errors import RoleTooHigh

# scrypt at n=2**14, r=8: ~16 MB and some tens of milliseconds per check, as the product's
# documentation warns Basic auth is slow on purpose (brute force protection).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCHEME = "scrypt"


class Role(StrEnum):
    """What a caller may do: `admin` everything; `member` the records API and its own processes."""

    MEMBER = "member"
    ADMIN = "admin"

    def covers(self, other: Role) -> bool:
        """Whether this role may do everything `other` may."""
        return _RANK[self] >= _RANK[other]


_RANK = {Role.MEMBER: 0, Role.ADMIN: 1}


def lower_role(first: Role, second: Role) -> Role:
    """The lesser of two roles (a key acts with at most its user's role)."""
    return first if second.covers(first) else second


def key_role(owner: Role, wanted: Role | None) -> Role:
    """The role a new key of a user with role `owner` carries: theirs unless a lower one is
    asked for; RoleTooHigh for a higher one."""
    if wanted is None:
        return owner
    if not owner.covers(wanted):
        raise RoleTooHigh(f"an API key cannot have the {wanted} role: its user acts as {owner}")
    return wanted


def is_user_id(text: str) -> bool:
    """Whether `text` can be a user id: up to 18 ASCII digits (a 64-bit integer of SQLite's;
    `"³".isdigit()` holds but `int("³")` fails)."""
    return len(text) <= 18 and text.isascii() and text.isdigit()


class User(CamelModel):
    """Someone who can call the API (HTTP Basic with login and password, or an API key).

    A user a store authenticates by API key carries the key's role (never above their own)."""

    id: str
    login: str
    name: str = ""
    # Users stored before roles existed read as members: rights are given, never assumed.
    role: Role = Role.MEMBER
    active: bool = True
    created_at: UtcDateTime


class ApiKey(CamelModel):
    """An API key of a user, scoped to a role; only a hash of its secret part is kept."""

    id: str
    user_id: str
    name: str = ""
    role: Role = Role.MEMBER
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def hash_password(password: str) -> str:
    """A self-describing salted scrypt hash: `scrypt$n$r$p$salt$hash`."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"{_SCHEME}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def hash_api_secret(secret: str) -> str:
    """SHA-256 of an API key's secret: keys are 256 random bits, so no slow hash is needed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret_hash(a: str, b: str) -> bool:
    """Constant-time equality of two hex hashes."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def new_api_secret() -> str:
    """A fresh random secret for an API key (URL-safe text)."""
    return secrets.token_urlsafe(32)


KEY_SEPARATOR = "."  # the key text a user holds is `<key id>.<secret>`


def new_api_key(
    user_id: str, name: str, now: datetime, role: Role = Role.MEMBER
) -> tuple[ApiKey, str]:
    """A new key of `user_id` and its secret (stores keep `hash_api_secret(secret)` only;
    the user is shown `api_key_text(key, secret)` once)."""
    key = ApiKey(id=uuid.uuid4().hex, user_id=user_id, name=name, role=role, created_at=now)
    return key, new_api_secret()


def api_key_text(key: ApiKey, secret: str) -> str:
    return f"{key.id}{KEY_SEPARATOR}{secret}"
