"""The web app's session (`/api/v1/session`, docs/web-api.md "Sessions"), through the resolver.

A session is a cookie the browser sends by itself, so each test reads the `Set-Cookie` the
server gave and sends it back as `Cookie`, the way a browser would; the clock is the test's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest

from automations.api.sessions import MAX_FAILURES, WINDOW_SECONDS
from automations.model.user import Role
from support.api import LOGIN, PASSWORD, Answer, Api, proxy_event

COOKIE = "automations_session"
DAY = 24 * 3600.0


@dataclass
class Browser:
    """One browser's cookie jar and the CSRF token its app keeps in memory."""

    api: Api
    token: str | None = None
    csrf: str | None = None

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Answer:
        sent = dict(headers)
        if self.token is not None:
            sent["Cookie"] = f"theme=dark; {COOKIE}={self.token}"
        return self.api.call(method, path, body, auth=None, headers=sent)

    def sign_in(self, email: str = LOGIN, password: str = PASSWORD) -> Answer:
        answer = self.call("POST", "/api/v1/session", {"email": email, "password": password})
        if answer.status == 200:
            self.token = set_cookie(answer)[COOKIE].value
            self.csrf = answer.body["csrfToken"]
        return answer

    def change(self, method: str, path: str, body: Any = None) -> Answer:
        """An unsafe call the way the app makes it: with the session's CSRF token."""
        assert self.csrf is not None
        return self.call(method, path, body, **{"X-CSRF-Token": self.csrf})


def set_cookie(answer: Answer) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for line in answer.headers.get("Set-Cookie", []):
        jar.load(line)
    return jar


def test_signing_in_sets_a_cookie_the_page_cannot_read(api: Api) -> None:
    browser = Browser(api)
    answer = browser.sign_in()
    assert answer.status == 200
    assert answer.body["user"] == {
        "id": "1",
        "email": LOGIN,
        "name": "Admin",
        "role": "admin",
    }
    morsel = set_cookie(answer)[COOKIE]
    assert (morsel["httponly"], morsel["samesite"], morsel["path"]) == (True, "Strict", "/")
    assert morsel["secure"] is True  # API Gateway's stage: always https
    assert morsel["max-age"] == "86400"
    assert answer.headers["Cache-Control"] == ["no-store"]
    assert browser.token is not None and browser.token not in json.dumps(answer.body)


def test_the_cookie_is_not_secure_over_plain_http_and_is_behind_an_https_proxy(
    api: Api,
) -> None:
    def cookie_over(proto: str | None) -> Any:
        event = proxy_event(
            "POST",
            "/api/v1/session",
            {"email": LOGIN, "password": PASSWORD},
            headers={"X-Forwarded-Proto": proto} if proto else {},
        )
        event["requestContext"]["stage"] = "local"  # the dev server's events
        answer = api.app.resolve(event, None)
        jar: SimpleCookie = SimpleCookie()
        jar.load(answer["multiValueHeaders"]["Set-Cookie"][0])
        return jar[COOKIE]

    assert cookie_over(None)["secure"] == ""
    assert cookie_over("https")["secure"] is True


def test_reading_the_session_gives_the_same_csrf_token(api: Api) -> None:
    browser = Browser(api)
    signed_in = browser.sign_in().body
    first, second = browser.call("GET", "/api/v1/session"), browser.call("GET", "/api/v1/session")
    assert first.status == second.status == 200
    assert first.body == second.body == signed_in


def test_a_session_authenticates_the_api_and_safe_methods_need_no_token(api: Api) -> None:
    browser = Browser(api)
    browser.sign_in()
    assert browser.call("GET", "/api/v1/catalogs").status == 200
    assert browser.call("GET", "/api/v1/users").body[0]["email"] == LOGIN


@pytest.mark.parametrize("sent", [None, "", "wrong", "x" * 43])
def test_an_unsafe_call_without_the_right_csrf_token_is_refused_and_changes_nothing(
    api: Api, sent: str | None
) -> None:
    browser = Browser(api)
    browser.sign_in()
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    catalog = {"name": "Stolen", "fields": [{"name": "Title", "type": "text"}]}
    refused = browser.call("POST", "/api/v1/catalogs", catalog, **headers)
    sign_out = browser.call("DELETE", "/api/v1/session", **headers)
    assert (refused.status, refused.body["code"]) == (403, "csrf")
    assert "X-CSRF-Token" in refused.body["message"]
    assert (sign_out.status, sign_out.body["code"]) == (403, "csrf")
    assert browser.call("GET", "/api/v1/catalogs").body == []
    assert browser.call("GET", "/api/v1/session").status == 200  # still signed in


def test_another_sessions_csrf_token_does_not_do(api: Api) -> None:
    mine, theirs = Browser(api), Browser(api)
    mine.sign_in()
    theirs.sign_in()
    assert theirs.csrf is not None and mine.csrf != theirs.csrf
    answer = mine.call("POST", "/api/v1/catalogs", {"name": "X"}, **{"X-CSRF-Token": theirs.csrf})
    assert (answer.status, answer.body["code"]) == (403, "csrf")


def test_the_right_csrf_token_lets_the_change_through(api: Api) -> None:
    browser = Browser(api)
    browser.sign_in()
    catalog = {"name": "Deals", "fields": [{"name": "Title", "type": "text"}]}
    assert browser.change("POST", "/api/v1/catalogs", catalog).status == 200
    assert [c["name"] for c in browser.call("GET", "/api/v1/catalogs").body] == ["Deals"]


def test_basic_and_api_key_callers_need_no_csrf_token_even_with_a_cookie(api: Api) -> None:
    browser = Browser(api)
    browser.sign_in()
    cookie = {"Cookie": f"{COOKIE}={browser.token}"}
    catalog = {"name": "ByBasic", "fields": [{"name": "Title", "type": "text"}]}
    assert api.call("POST", "/api/v1/catalogs", catalog, headers=cookie).status == 200
    key = api.call("POST", "/api/v1/apikeys", {"name": "ci"}).body["key"]
    by_key = api.call(
        "POST", "/api/v1/catalogs", {"name": "ByKey"}, auth=None, headers={"X-API-Key": key}
    )
    assert by_key.status == 200


def test_signing_out_ends_the_session_on_the_server(api: Api) -> None:
    browser = Browser(api)
    browser.sign_in()
    stolen = browser.token
    answer = browser.change("DELETE", "/api/v1/session")
    assert answer.status == 200 and answer.body == {"ok": True}
    cleared = set_cookie(answer)[COOKIE]
    assert (cleared.value, cleared["max-age"]) == ("", "0")
    # The old cookie, replayed by whoever kept it, no longer works.
    replay = api.call(
        "GET", "/api/v1/catalogs", auth=None, headers={"Cookie": f"{COOKIE}={stolen}"}
    )
    assert (replay.status, replay.body["code"]) == (401, "unauthorized")
    assert browser.call("GET", "/api/v1/session").status == 401


def test_a_session_lasts_24_hours(api: Api) -> None:
    browser = Browser(api)
    start = api.clock.now()
    browser.sign_in()
    api.clock.advance_to(start + DAY - 1)
    assert browser.call("GET", "/api/v1/session").status == 200
    api.clock.advance_to(start + DAY)
    expired = browser.call("GET", "/api/v1/session")
    calls = browser.call("GET", "/api/v1/catalogs")
    assert (expired.status, expired.body["code"]) == (401, "unauthorized")
    assert (calls.status, calls.body["code"]) == (401, "unauthorized")
    assert "sign in again" in calls.body["message"]


def test_a_password_change_ends_the_users_sessions(api: Api) -> None:
    api.user("member@example.com", password="first-passw0rd")
    member_id = api.local.services.users.by_login("member@example.com")
    assert member_id is not None
    laptop, phone, admin = Browser(api), Browser(api), Browser(api)
    laptop.sign_in("member@example.com", "first-passw0rd")
    phone.sign_in("member@example.com", "first-passw0rd")
    admin.sign_in()
    patch = {"password": "second-passw0rd"}
    assert api.call("PATCH", f"/api/v1/users/{member_id.id}", patch).status == 200
    assert laptop.call("GET", "/api/v1/session").status == 401
    assert phone.call("GET", "/api/v1/catalogs").status == 401
    assert admin.call("GET", "/api/v1/session").status == 200  # nobody else's
    assert laptop.sign_in("member@example.com", "second-passw0rd").status == 200


def test_changing_only_the_name_keeps_the_sessions(api: Api) -> None:
    api.user("member@example.com", password="first-passw0rd")
    member = api.local.services.users.by_login("member@example.com")
    assert member is not None
    browser = Browser(api)
    browser.sign_in("member@example.com", "first-passw0rd")
    assert api.call("PATCH", f"/api/v1/users/{member.id}", {"name": "M"}).status == 200
    assert browser.call("GET", "/api/v1/session").body["user"]["name"] == "M"


def test_deleting_a_user_ends_their_sessions(api: Api) -> None:
    api.user("member@example.com", password="first-passw0rd")
    member = api.local.services.users.by_login("member@example.com")
    assert member is not None
    browser = Browser(api)
    browser.sign_in("member@example.com", "first-passw0rd")
    assert api.call("DELETE", f"/api/v1/users/{member.id}").status == 200
    assert browser.call("GET", "/api/v1/session").status == 401
    count = api.local.db.connection().execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    assert count == 0


def test_a_member_session_acts_as_a_member(api: Api) -> None:
    api.user("member@example.com", role=Role.MEMBER, password="first-passw0rd")
    browser = Browser(api)
    assert browser.sign_in("member@example.com", "first-passw0rd").body["user"]["role"] == "member"
    refused = browser.call("GET", "/api/v1/users")
    assert (refused.status, refused.body["code"]) == (403, "forbidden")
    assert browser.call("GET", "/api/v1/components").status == 200


def test_wrong_email_and_wrong_password_get_the_same_answer(api: Api) -> None:
    browser = Browser(api)
    wrong_password = browser.sign_in(LOGIN, "not it")
    wrong_email = browser.sign_in("nobody@example.ru", PASSWORD)
    assert wrong_password.status == wrong_email.status == 401
    assert (
        wrong_password.body
        == wrong_email.body
        == {
            "statusCode": 401,
            "code": "unauthorized",
            "message": "wrong email or password",
        }
    )
    assert "Set-Cookie" not in wrong_password.headers and browser.token is None


def test_five_failures_pause_sign_in_even_with_the_right_password(api: Api) -> None:
    browser = Browser(api)
    start = api.clock.now()
    for _ in range(MAX_FAILURES):
        assert browser.sign_in(LOGIN.upper(), "guess").status == 401  # the case does not matter
    paused = browser.sign_in()
    assert (paused.status, paused.body["code"]) == (429, "too_many_attempts")
    assert paused.headers["Retry-After"] == [str(WINDOW_SECONDS)]
    assert paused.body["retryAfterSeconds"] == WINDOW_SECONDS
    assert "Set-Cookie" not in paused.headers
    api.clock.advance_to(start + WINDOW_SECONDS - 60)
    later = browser.sign_in()
    assert (later.status, later.headers["Retry-After"]) == (429, ["60"])
    api.clock.advance_to(start + WINDOW_SECONDS)
    assert browser.sign_in().status == 200


def test_the_pause_is_per_email_and_unknown_emails_are_paused_alike(api: Api) -> None:
    browser = Browser(api)
    for _ in range(MAX_FAILURES):
        browser.sign_in("nobody@example.ru", "guess")
    unknown = browser.sign_in("nobody@example.ru", "guess")
    assert unknown.status == 429  # as a known email: the answer tells no one which exist
    assert browser.sign_in().status == 200


def test_failures_spread_over_more_than_the_window_do_not_pause(api: Api) -> None:
    browser = Browser(api)
    start = api.clock.now()
    for _ in range(MAX_FAILURES - 1):
        browser.sign_in(LOGIN, "guess")
    api.clock.advance_to(start + WINDOW_SECONDS)
    assert browser.sign_in(LOGIN, "guess").status == 401  # the first of a new window
    assert browser.sign_in().status == 200


def test_a_success_clears_the_count(api: Api) -> None:
    browser = Browser(api)
    for _ in range(MAX_FAILURES - 1):
        browser.sign_in(LOGIN, "guess")
    assert browser.sign_in().status == 200
    for _ in range(MAX_FAILURES - 1):
        browser.sign_in(LOGIN, "guess")
    assert browser.sign_in().status == 200


def test_sign_in_takes_json_only(api: Api) -> None:
    body = json.dumps({"email": LOGIN, "password": PASSWORD})
    answer = api.call(
        "POST",
        "/api/v1/session",
        raw_body=body,
        auth=None,
        headers={"Content-Type": "text/plain"},  # what another site's form can send
    )
    assert (answer.status, answer.body["code"]) == (415, "unsupported_content_type")
    assert "Set-Cookie" not in answer.headers


def test_the_store_keeps_only_a_hash_of_the_token(api: Api) -> None:
    browser = Browser(api)
    browser.sign_in()
    assert browser.token is not None
    dump = "\n".join(api.local.db.connection().iterdump())
    hashed = hashlib.sha256(browser.token.encode()).hexdigest()
    assert browser.token not in dump and hashed in dump
    # What a stolen database holds does not sign anyone in.
    for stolen in (hashed, hashed[:43]):
        replay = api.call(
            "GET", "/api/v1/session", auth=None, headers={"Cookie": f"{COOKIE}={stolen}"}
        )
        assert replay.status == 401


def test_a_forged_or_oversized_cookie_is_not_signed_in(api: Api) -> None:
    for value in ("forged", "x" * 5000, '""'):
        headers = {"Cookie": f"{COOKIE}={value}"}
        answer = api.call("GET", "/api/v1/catalogs", auth=None, headers=headers)
        assert (answer.status, answer.body["code"]) == (401, "unauthorized")
