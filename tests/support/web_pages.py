"""Helpers of the browser tests (tests/e2e/web): signing in through the form, and the type of
the screenshot fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# `shot(page, "processes")` -> test-artifacts/<test>-processes.png
Shot = Callable[[Any, str], Path]


def sign_in(page: Any, email: str, password: str) -> None:
    """Sign in through the app's form and wait for the shell."""
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".sidebar").wait_for()
