"""`message.send` in a scenario run by the embedded server (the process is the author; the
message is on the record's list) and its errors, caught by a boundary event by code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from automations.components import message_send
from automations.components.errors import ComponentFailed
from automations.components.registry import ComponentContext
from support.api import Answer, Api
from support.runtime_api import runtime_api

SCENARIO = Path(__file__).parent / "scenarios" / "message-send.bpmn"
XML = {"Content-Type": "application/xml"}


@dataclass
class Site:
    api: Api
    catalog: str
    record: str

    def run(self, **variables: Any) -> Answer:
        start = {
            "catalogId": self.catalog,
            "recordId": self.record,
            "total": 42,
            "userId": "1",
            "userName": "Admin",
            "files": [],
        } | variables
        return self.api.call("POST", "/api/v1/scenarios/note-on-order/run", {"input": start})

    def messages(self) -> list[dict[str, Any]]:
        path = f"/api/v1/catalogs/{self.catalog}/records/{self.record}/messages"
        answer = self.api.call("GET", path)
        assert answer.status == 200, answer.body
        return answer.body  # type: ignore[no-any-return]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with runtime_api(tmp_path / "app.db") as (api, _):
        saved = api.call(
            "PUT", "/api/v1/scenarios/note-on-order", raw_body=SCENARIO.read_text(), headers=XML
        )
        assert saved.status == 200, saved.body
        catalog = api.catalog()
        made = api.call("POST", f"/api/v1/catalogs/{catalog}/records", {"values": {"1": "A-1"}})
        yield Site(api, catalog, made.body["id"])


def test_a_process_writes_a_message_as_its_author(site: Site) -> None:
    answer = site.run()
    assert answer.status == 200, answer.body
    variables = answer.body["output"]
    [message] = site.messages()
    assert variables["messageId"] == message["id"]
    assert message["text"] == "Checked, total 42. <@$users:1;Admin/@>, please confirm."
    assert message["mentions"] == [{"catalogId": "$users", "recordId": "1", "title": "Admin"}]
    assert message["author"] == {
        "kind": "process",
        "id": answer.body["id"],
        "title": "note-on-order",
    }


def test_files_given_as_ids_or_as_upload_results_are_attached(site: Site) -> None:
    uploaded = site.api.call(
        "POST",
        "/api/v1/files",
        raw_body="a,b\n1,2\n",
        query={"name": "rows.csv"},
        headers={"Content-Type": "text/csv"},
    ).body
    answer = site.run(files=[uploaded])  # {id, name, type, size, created}, as upload answers
    assert answer.status == 200, answer.body
    [message] = site.messages()
    assert message["attachments"] == [
        {"id": uploaded["id"], "name": "rows.csv", "type": "text/csv", "size": 8}
    ]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"recordId": "999"}, "message.record_not_found"),
        ({"catalogId": "777"}, "message.catalog_not_found"),
        ({"userName": "a<b"}, "message.invalid"),  # `<` inside a mention's title
        ({"files": ["f" * 32]}, "message.attachment"),
    ],
)
def test_failures_have_codes_a_boundary_catches(
    site: Site, variables: dict[str, Any], code: str
) -> None:
    answer = site.run(**variables)
    assert answer.status == 200, answer.body
    assert answer.body["output"]["failure"] == code
    assert answer.body["output"].get("messageId") is None


def test_without_the_port_the_component_is_unavailable() -> None:
    params = message_send.MessageSendInput(catalogId="1", recordId="2", text="hi")
    with pytest.raises(ComponentFailed) as caught:
        message_send.run(params, ComponentContext())
    assert caught.value.code == "message.unavailable"


def test_inputs_take_numbers_one_file_alone_and_objects_with_an_id() -> None:
    one = message_send.MessageSendInput.model_validate(
        {"catalogId": 3, "recordId": 4, "text": 12, "attachments": {"fileId": "a" * 32}}
    )
    assert (one.catalogId, one.recordId, one.text, one.attachments) == ("3", "4", "12", ["a" * 32])
    with pytest.raises(ValueError, match="catalogId"):
        message_send.MessageSendInput.model_validate({"catalogId": "x", "recordId": "1"})
