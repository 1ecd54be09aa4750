"""Secrets a web request's caller sends in headers never reach the process record.

A process's input is stored and shown to every admin on the processes page (and kept for as long
as processes are): a caller's password, token or session cookie must not be. The header stays,
so a scenario can still see that one was sent; its value becomes `REDACTED`. The same holds for
the cookies parsed from the Cookie header. A scenario that must check a shared secret gets it
where the caller chose to make it data: the body or the query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REDACTED = "***"

# Header names that carry credentials (lower case), and words that mark a vendor's own
# (`X-Gitlab-Token`, `X-Api-Key`, `X-Upstream-Secret`...).
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_WORDS = re.compile(r"auth|token|secret|passw|api-?key|session|cookie|credential")


def is_secret_header(name: str) -> bool:
    """Whether a request header's value is a credential (by its name, any case)."""
    lower = name.lower()
    return lower in SECRET_HEADERS or _SECRET_WORDS.search(lower) is not None


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with every credential's value replaced by `REDACTED` (names kept as sent)."""
    return {name: REDACTED if is_secret_header(name) else value for name, value in headers.items()}


def redacted_cookies(cookies: Mapping[str, str]) -> dict[str, str]:
    """Cookie names as sent, none of their values: any cookie may be a session."""
    return dict.fromkeys(cookies, REDACTED)
