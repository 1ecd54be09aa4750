"""A record's messages in the browser: one written by a process (`message.send` in a scenario)
and one posted through the API appear under the record's card, newest first, mentions as
chips and files as download links; a message posted from the page is stored with its file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from support.devserver import Dev
from support.web_pages import Shot

SCENARIO = (
    Path(__file__).parents[2] / "functional" / "components" / "scenarios" / "message-send.bpmn"
)


def test_messages_of_a_process_and_of_the_api_show_and_one_posts_from_the_page(
    admin_page: Any, web_server: Dev, shot: Shot
) -> None:
    page = admin_page
    scenario = f"note-{uuid.uuid4().hex[:6]}"
    web_server.ok(
        "PUT",
        f"/api/v1/scenarios/{scenario}",
        content=SCENARIO.read_text(encoding="utf-8"),
        headers={"Content-Type": "application/xml"},
    )
    catalog = web_server.catalog()
    record = web_server.create(catalog, {"1": "Order 77", "2": 1500}).json()["id"]
    ran = web_server.ok(
        "POST",
        f"/api/v1/scenarios/{scenario}/run",
        json={
            "input": {
                "catalogId": catalog,
                "recordId": record,
                "total": 1500,
                "userId": "1",
                "userName": "Admin",
                "files": [],
            }
        },
    )
    assert ran["status"] == "completed", ran
    invoice = web_server.ok(
        "POST",
        "/api/v1/files",
        params={"name": "invoice-77.txt"},
        content=b"Invoice 77: 1500",
        headers={"Content-Type": "text/plain"},
    )
    path = f"/api/v1/catalogs/{catalog}/records/{record}/messages"
    web_server.ok(
        "POST",
        path,
        json={
            "text": f"Invoice for <@{catalog}:{record};Order 77/@> attached.",
            "attachments": [invoice["id"]],
        },
    )

    page.goto(f"/catalogs/{catalog}/records/{record}")
    panel = page.get_by_test_id("record-messages")
    items = panel.locator("li.message")
    items.nth(1).wait_for()
    assert items.count() == 2
    newest, oldest = items.nth(0), items.nth(1)
    # The API's message is the newer: its mention is a link to the record, its file a download.
    chip = newest.locator(f'a.mention[data-mention="{catalog}:{record}"]')
    assert chip.inner_text() == "@Order 77"
    assert chip.get_attribute("href") == f"catalogs/{catalog}/records/{record}"
    download = newest.get_by_role("link", name="invoice-77.txt")
    assert download.get_attribute("href") == f"api/v1/files/{invoice['id']}"
    # The process's message names the process as its author, links to it, mentions the user.
    author = oldest.get_by_test_id("message-author")
    assert author.inner_text() == f"Process · {scenario}"
    assert author.get_by_role("link").get_attribute("href") == f"processes/{ran['id']}"
    assert oldest.locator('span.mention[data-mention="$users:1"]').inner_text() == "@Admin"
    assert "Checked, total 1500." in oldest.locator(".message-text").inner_text()

    # Posting from the page: text with a mention, and a file uploaded on the way.
    form = page.get_by_test_id("message-form")
    form.locator('textarea[name="message-text"]').fill("Shipped today, <@$users:1;Admin/@>.")
    form.locator('input[type="file"]').set_input_files(
        {"name": "waybill.txt", "mimeType": "text/plain", "buffer": b"waybill 77"}
    )
    form.get_by_test_id("send-message").click()
    items.nth(2).wait_for()
    assert "Shipped today," in items.nth(0).inner_text()
    assert form.locator('textarea[name="message-text"]').input_value() == ""
    stored = web_server.ok("GET", path)
    assert stored[0]["text"] == "Shipped today, <@$users:1;Admin/@>."
    assert stored[0]["author"]["kind"] == "user"
    assert [(a["name"], a["size"]) for a in stored[0]["attachments"]] == [("waybill.txt", 10)]
    assert stored[0]["mentions"] == [{"catalogId": "$users", "recordId": "1", "title": "Admin"}]
    shot(page, "record-messages")

    # A message that says nothing is refused with the server's words, under the text box.
    form.get_by_test_id("send-message").click()
    form.locator(".field-error").wait_for()
    assert "needs text or at least one file" in form.locator(".field-error").inner_text()
    assert len(web_server.ok("GET", path)) == 3
