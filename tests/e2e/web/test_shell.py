"""Signing in and out, who sees what, and the language switch, in real Chromium."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from support.devserver import Dev
from support.web_pages import Shot, sign_in

ADMIN_NAV = [
    "Scenarios",
    "Processes",
    "Subscriptions",
    "Web requests",
    "Schedules",
    "Catalogs & records",
    "Users",
]


def nav_labels(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".nav a").all_inner_texts()]


def new_user(web_server: Dev, role: str) -> tuple[str, str]:
    email, password = f"{role}-{uuid.uuid4().hex[:8]}@example.com", "a-long-password"
    web_server.ok(
        "POST", "/api/v1/users", json={"email": email, "password": password, "role": role}
    )
    return email, password


def test_a_wrong_password_is_said_then_the_right_one_signs_in_and_out(
    page: Any, web_server: Dev, shot: Shot
) -> None:
    email, password = new_user(web_server, "admin")
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="wrong email or password").wait_for()
    shot(page, "signin-wrong")

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".sidebar").wait_for()
    assert nav_labels(page) == ADMIN_NAV
    assert email in page.locator(".who").inner_text() or page.locator(".who-name").inner_text()
    shot(page, "signed-in")

    page.get_by_test_id("sign-out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    # The session is dead on the server too: a reload shows the form again.
    page.reload()
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator(".sidebar").count() == 0


def test_too_many_failures_show_when_to_try_again(page: Any, web_server: Dev, shot: Shot) -> None:
    email, password = new_user(web_server, "member")
    for _ in range(5):
        answer = httpx.post(
            f"{web_server.url}/api/v1/session", json={"email": email, "password": "wrong-password"}
        )
        assert answer.status_code == 401
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)  # right, and still refused for now
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    alert.filter(has_text="too many failed sign-ins").wait_for()
    assert "You can try again in" in alert.inner_text()
    shot(page, "signin-throttled")
    assert page.locator(".sidebar").count() == 0


def test_a_member_sees_only_the_pages_the_api_lets_them_use(
    page: Any, web_server: Dev, shot: Shot
) -> None:
    email, password = new_user(web_server, "member")
    sign_in(page, email, password)
    assert nav_labels(page) == ["Processes", "Catalogs & records"]
    assert page.url.endswith("/processes")
    # No charts for members: the stats route is the admins'.
    page.get_by_test_id("processes").or_(page.locator(".empty")).first.wait_for()
    assert page.get_by_test_id("chart-hourly").count() == 0
    shot(page, "member-processes")

    for admin_only in ("scenarios", "users", "subscriptions", "schedules", "webrequests"):
        page.goto(f"/{admin_only}")
        page.get_by_role("heading", name="Page not found").wait_for()
    shot(page, "member-not-found")

    page.goto("/catalogs")
    page.get_by_test_id("catalogs").get_by_text("Orders (demo)").wait_for()
    assert page.get_by_test_id("new-catalog").count() == 0  # creating catalogs is the admins'


def test_the_russian_dictionary_switches_the_labels_and_stays(admin_page: Any, shot: Shot) -> None:
    page = admin_page
    page.get_by_test_id("language").select_option("ru")
    page.locator(".nav a", has_text="Процессы").wait_for()
    assert nav_labels(page)[0] == "Сценарии"
    assert page.locator("html").get_attribute("lang") == "ru"
    shot(page, "russian")
    page.reload()
    page.locator(".nav a", has_text="Пользователи").wait_for()
    page.get_by_test_id("language").select_option("en")
    page.locator(".nav a", has_text="Users").wait_for()
