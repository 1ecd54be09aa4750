"""`/api/v1/session`: the web app signs in with email and password, gets an HttpOnly cookie
and a CSRF token, reads who it is, and signs out.

Why a random token kept server-side rather than a signed one: signing out and a password
change must end a session at once, which a self-contained token cannot do without a list of
revoked ones anyway; and a store needs no signing key shared by every Lambda and server process.
The cookie holds 256 random bits; the store only their SHA-256 (`model/session.py`).

Failed sign-ins are counted per login (case folded, known or not, so the answer says nothing
about which logins exist) in windows of `WINDOW_SECONDS` from the window's first failure: after
`MAX_FAILURES` in one window, sign-in for that login is refused (429, even with the right
password) until the window ends. It is counted in the store, so every server process and Lambda
sees the same count. A success clears the count.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import Field

from automations.api.auth import SESSION_COOKIE, check_csrf, header, live_session
from automations.api.errors import TooManyAttempts, Unauthorized, UnsupportedMediaType
from automations.api.services import Services
from automations.api.users import StrictBody
from automations.model.base import from_epoch
from automations.model.session import Session, new_session
from automations.model.user import User
from automations.ports import SessionStore, SignInThrottle

PATHS = ("/api/v1/session",)
TAGS = ["session"]
MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
WRONG = "wrong email or password"


class SignIn(StrictBody):
    """The body of `POST /api/v1/session`."""

    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


def session_json(user: User, session: Session) -> dict[str, Any]:
    """What the app learns of a session: who signed in and the token its changes must carry."""
    return {
        "user": {"id": user.id, "email": user.login, "name": user.name, "role": str(user.role)},
        "csrfToken": session.csrf_token,
    }


def over_https(event: BaseProxyEvent) -> bool:
    """Whether the browser reached us over https: API Gateway (any stage but the dev server's
    `local`) always is; behind a proxy, it says so in X-Forwarded-Proto."""
    proto = (header(event.headers, "x-forwarded-proto") or "").split(",")[0].strip().lower()
    stage = (event.get("requestContext") or {}).get("stage")
    return proto == "https" or (stage is not None and stage != "local")


def session_cookie(event: BaseProxyEvent, token: str, max_age: int) -> Cookie:
    """The cookie that carries a session token (max_age 0: the one that clears it)."""
    return Cookie(
        name=SESSION_COOKIE,
        value=token,
        path="/",
        secure=over_https(event),
        http_only=True,
        max_age=max_age,
        same_site=SameSite.STRICT_MODE,
    )


def _answer(body: dict[str, Any], cookie: Cookie) -> Response[dict[str, Any]]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        cookies=[cookie],
        headers={"Cache-Control": "no-store"},
    )


def throttle_key(email: str) -> str:
    return email.strip().casefold()


def router(services: Services, sessions: SessionStore, sign_ins: SignInThrottle) -> Router:
    """The session routes over these stores."""
    routes = Router()  # type: ignore[no-untyped-call]
    users, clock = services.users, services.clock
    lifetime = services.config.session_seconds

    def refuse_if_paused(login: str, now: float) -> None:
        failures = sign_ins.failures(login)
        if failures is None or failures.count < MAX_FAILURES:
            return
        left = failures.window_start + WINDOW_SECONDS - now
        if left > 0:
            minutes = math.ceil(left / 60)
            raise TooManyAttempts(
                f"too many failed sign-ins for this email: try again in {minutes} min",
                math.ceil(left),
            )

    @routes.post(PATHS[0], tags=TAGS, summary="Sign in (the web app's session cookie)")
    def sign_in(body: Annotated[SignIn, Body()]) -> Response[dict[str, Any]]:
        event = routes.current_event
        media = (header(event.headers, "content-type") or "").split(";")[0].strip().lower()
        if media != "application/json":
            # A form on another site can post text/plain JSON; only the app sends this type.
            raise UnsupportedMediaType("send the body as application/json")
        login, now = throttle_key(body.email), clock.now()
        refuse_if_paused(login, now)
        user = users.authenticate(body.email, body.password)
        if user is None:
            sign_ins.add_failure(login, now, WINDOW_SECONDS)
            raise Unauthorized(WRONG)
        sign_ins.clear(login)
        session, token = new_session(user.id, from_epoch(now), lifetime)
        sessions.create(session)
        return _answer(session_json(user, session), session_cookie(event, token, int(lifetime)))

    @routes.get(PATHS[0], tags=TAGS, summary="Who is signed in, and the session's CSRF token")
    def current() -> dict[str, Any]:
        session = live_session(sessions, clock, routes.current_event.headers)
        user = None if session is None else users.get(session.user_id)
        if session is None or user is None or not user.active:
            raise Unauthorized("not signed in")
        return session_json(user, session)

    @routes.delete(PATHS[0], tags=TAGS, summary="Sign out (ends the session)")
    def sign_out() -> Response[dict[str, Any]]:
        event = routes.current_event
        session = live_session(sessions, clock, event.headers)
        if session is not None:
            check_csrf(session, event.headers)
            sessions.delete(session.id)
        # Cleared whatever the server knew: a stale cookie goes too.
        return _answer({"ok": True}, session_cookie(event, "", 0))

    return routes
