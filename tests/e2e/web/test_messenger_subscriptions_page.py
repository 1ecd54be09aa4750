"""The subscriptions page subscribes a scenario to "a new message to bot X": the server's
refusal shows on the connection field, the new row names the bot, and a message delivered to
the bot is listed on the processes page under its event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from support.devserver import Dev, starter, stop_all
from support.web_pages import Shot

SECRET = "web-secret_1"
CONNECTIONS = {"tg-web": f"telegram://1:AA@api.telegram.org?webhookSecret={SECRET}"}


@pytest.fixture(scope="module")
def web_server(web_server: Dev, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """A server of this module's, with a bot connection (the session's has none; asking for it
    still checks Chromium and builds the bundle)."""
    started: list[Dev] = []
    folder = tmp_path_factory.mktemp("web-messengers")
    yield starter(folder, started)(demo="true", connections=json.dumps(CONNECTIONS))
    stop_all(started)


def test_a_scenario_is_subscribed_to_a_bots_messages_in_the_page(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    page.goto("/subscriptions")
    form = page.get_by_test_id("new-messenger-subscription")
    form.wait_for()
    form.locator("select[name=scenarioId]").select_option("demo-quote")
    form.locator("input[name=connection]").fill("no-such-bot")
    form.get_by_role("button", name="Subscribe").click()
    form.locator(".field-error", has_text="there is no connection 'no-such-bot'").wait_for()

    form.locator("input[name=connection]").fill("tg-web")
    form.get_by_role("button", name="Subscribe").click()
    row = page.get_by_test_id("subscriptions").locator("tr", has_text="bot tg-web")
    row.wait_for()
    assert "Telegram message" in row.inner_text() and "demo-quote" in row.inner_text()
    shot(page, "subscriptions")

    update = {"update_id": 1, "message": {"chat": {"id": 5}, "text": "hello"}}
    delivered = httpx.post(
        f"{web_server.url}/api/messengers/tg-web",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert delivered.status_code == 200
    page.goto("/processes")
    page.locator("select[name=eventType]").select_option(label="Telegram message")
    page.get_by_role("cell", name="$telegram.message", exact=True).first.wait_for()
    page.get_by_role("cell", name="demo-quote").first.wait_for()
    shot(page, "processes")
