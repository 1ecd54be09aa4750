"""`GET/POST /api/v1/catalogs/{catalogId}/records/{recordId}/messages` on the embedded server's
app (docs/web-api.md "Record messages"): who may, what a message holds, errors by part."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from automations.model.user import Role
from support.api import Answer, Api
from support.runtime_api import runtime_api


@dataclass
class Site:
    api: Api
    catalog: str
    record: str

    @property
    def path(self) -> str:
        return f"/api/v1/catalogs/{self.catalog}/records/{self.record}/messages"

    def post(self, body: dict[str, Any], **kw: Any) -> Answer:
        return self.api.call("POST", self.path, body, **kw)

    def listed(self, **query: str) -> list[dict[str, Any]]:
        answer = self.api.call("GET", self.path, query=query or None)
        assert answer.status == 200, answer.body
        return answer.body  # type: ignore[no-any-return]

    def upload(self, name: str, data: str) -> str:
        answer = self.api.call(
            "POST",
            "/api/v1/files",
            raw_body=data,
            query={"name": name},
            headers={"Content-Type": "text/plain"},
        )
        assert answer.status == 201, answer.body
        return str(answer.body["id"])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with runtime_api(tmp_path / "app.db") as (api, _):
        catalog = api.catalog()
        made = api.call("POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A-1"}})
        assert made.status == 200, made.body
        yield Site(api, catalog, made.body["id"])


def test_a_posted_message_is_answered_whole_and_listed(site: Site) -> None:
    answer = site.post({"text": "Call <@$users:1;Admin/@> back"})
    assert answer.status == 200, answer.body
    sent = answer.body
    assert next(iter(sent)) == "id" and sent["id"].isdigit()
    assert sent["catalogId"] == site.catalog and sent["recordId"] == site.record
    assert sent["type"] == "COMMENT"
    assert sent["text"] == "Call <@$users:1;Admin/@> back"
    assert sent["mentions"] == [{"catalogId": "$users", "recordId": "1", "title": "Admin"}]
    assert sent["author"]["kind"] == "user" and sent["author"]["title"] == "Admin"
    assert sent["createdAt"] == "2026-01-02T03:04:05.000Z"  # the runtime's virtual clock
    assert site.listed() == [sent]


def test_the_products_word_for_the_text_is_accepted(site: Site) -> None:
    answer = site.post({"message": "as the product writes it"})
    assert answer.status == 200, answer.body
    assert answer.body["text"] == "as the product writes it"


def test_the_list_is_newest_first_and_pages_continue_before_an_id(site: Site) -> None:
    for n in range(5):
        assert site.post({"text": f"m{n}"}).status == 200
    first = site.listed(limit="2")
    assert [m["text"] for m in first] == ["m4", "m3"]
    rest = site.listed(limit="10", before=first[-1]["id"])
    assert [m["text"] for m in rest] == ["m2", "m1", "m0"]


def test_attachments_are_stored_files_described_as_they_were(site: Site) -> None:
    file_id = site.upload("notes.txt", "hello")
    answer = site.post({"attachments": [file_id, file_id]})  # a file alone is a message
    assert answer.status == 200, answer.body
    assert answer.body["text"] == ""
    assert answer.body["attachments"] == [
        {"id": file_id, "name": "notes.txt", "type": "text/plain", "size": 5}
    ]


def test_a_missing_file_is_refused_naming_the_attachments(site: Site) -> None:
    answer = site.post({"text": "see file", "attachments": ["0" * 32]})
    assert answer.status == 400
    assert answer.body["code"] == "attachment_missing"
    assert answer.body["fieldId"] == "attachments"
    assert site.listed() == []


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"text": "   "}, "needs text or at least one file"),
        ({}, "needs text or at least one file"),
        ({"text": "hi <@$users:7 Anton/@>"}, "at character 4 is not in the form"),
    ],
)
def test_a_message_that_says_nothing_or_mentions_badly_is_refused(
    site: Site, body: dict[str, Any], needle: str
) -> None:
    answer = site.post(body)
    assert answer.status == 400
    assert answer.body["code"] == "message_invalid"
    assert answer.body["fieldId"] == "text"
    assert needle in answer.body["message"]
    assert site.listed() == []


def test_body_errors_are_located(site: Site) -> None:
    answer = site.post({"text": 5, "attachments": "x"})
    assert answer.status == 400
    locations = {e["location"] for e in answer.body["errors"]}
    assert {"body.text", "body.attachments"} <= locations


def test_no_record_or_no_catalog_is_not_found(site: Site) -> None:
    gone = f"/api/v1/catalogs/{site.catalog}/records/999/messages"
    assert site.api.call("POST", gone, {"text": "x"}).status == 404
    assert site.api.call("GET", gone).status == 404
    nowhere = "/api/v1/catalogs/777/records/1/messages"
    answer = site.api.call("GET", nowhere)
    assert answer.status == 404 and "catalog 777" in answer.body["message"]


def test_a_deleted_records_messages_are_no_longer_read(site: Site) -> None:
    assert site.post({"text": "before"}).status == 200
    record = f"/api/v1/catalogs/{site.catalog}/records/{site.record}"
    assert site.api.call("DELETE", record).status == 200
    assert site.api.call("GET", site.path).status == 404


def test_members_read_and_write_messages_and_anonymous_callers_do_not(site: Site) -> None:
    member = site.api.user("member@example.ru", Role.MEMBER)
    sent = site.post({"text": "from a member"}, auth=member)
    assert sent.status == 200, sent.body
    assert sent.body["author"]["title"] == "member@example.ru"  # no name: the login
    assert site.api.call("GET", site.path, auth=member).status == 200
    assert site.post({"text": "anonymous"}, auth=None).status == 401
    assert site.api.call("GET", site.path, auth=None).status == 401


def test_the_openapi_document_lists_both_operations(site: Site) -> None:
    document = site.api.call("GET", "/api/v1/openapi.json", auth=None).body
    operations = document["paths"]["/api/v1/catalogs/{catalogId}/records/{recordId}/messages"]
    assert {"get", "post"} <= set(operations)
    assert operations["post"]["x-role"] == "member"
