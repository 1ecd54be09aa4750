"""`message.send` on the AWS path: the step-runner over an `AwsRuntime` on moto (the message in
the Automations table, its attachment checked on S3, the process read for the author), and the
API reading what it wrote; every call the function makes checked against StepMessageSend's
policies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import handler_support as support
import iam_support as iam
import pytest

from automations.model.catalog import CatalogDraft, FieldDraft, FieldType
from automations.model.process import EventRef, ProcessRecord, ProcessStatus
from automations.service import records as use_cases

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
BUCKET = "test-files"
EXECUTION = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:orders-std-0123456789abcdef:p-42"


class Deployment:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> None:
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        support.handler_env(monkeypatch, tables, FILES_BUCKET=BUCKET, COMPONENT="message.send")
        self.recorder = iam.Recorder(tables, buckets={BUCKET: "FilesBucket"})
        self.runtime = support.install_runtime(session=self.recorder.session)
        self.module = support.load_handler("step-runner")
        catalog = self.runtime.record_deps.catalogs.create(
            CatalogDraft(name="Deals", fields=[FieldDraft(name="Title", type=FieldType.TEXT)])
        )
        record = use_cases.create_record(self.runtime.record_deps, catalog.id, {"1": "First"})
        self.catalog, self.record = catalog.id, record.id
        self.runtime.process_store.create(
            ProcessRecord(
                id="p-42",
                scenario_id="orders",
                scenario_version=1,
                event=EventRef.model_validate({"id": "e", "type": "$manual", "async": True}),
                status=ProcessStatus.RUNNING,
                queued_at=datetime(2026, 11, 28, tzinfo=UTC),
            )
        )

    def send(self, element: str = "Note", **inputs: Any) -> Any:
        event = {
            "inputs": {"catalogId": self.catalog, "recordId": self.record} | inputs,
            "context": {"executionId": EXECUTION, "elementId": element},
        }
        with self.recorder.recording():
            return self.module.handler(event, support.LambdaContext())


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> Deployment:
    return Deployment(monkeypatch, tables)


def test_the_function_writes_the_message_the_api_lists(deployment: Deployment) -> None:
    files = deployment.runtime.files
    assert files is not None
    stored = files.put("act.pdf", "application/pdf", b"%PDF-1.4")

    result = deployment.send(text="Done <@$users:3;Olga/@>", attachments=[stored.id])

    page = deployment.runtime.services.messages
    assert page is not None
    [message] = page.page(deployment.catalog, deployment.record, limit=10).messages
    assert result == {"messageId": message.id}
    assert message.author.model_dump() == {"kind": "process", "id": "p-42", "title": "orders"}
    assert [m.title for m in message.mentions] == ["Olga"]
    assert [(a.name, a.size) for a in message.attachments] == [("act.pdf", 8)]


def test_failures_are_named_by_their_codes(deployment: Deployment) -> None:
    cases = [
        ({"recordId": "999", "text": "x"}, "message.record_not_found"),
        ({"catalogId": "777", "text": "x"}, "message.catalog_not_found"),
        ({"text": ""}, "message.invalid"),
        ({"text": "x", "attachments": ["0" * 32]}, "message.attachment"),
    ]
    for number, (inputs, code) in enumerate(cases):
        with pytest.raises(Exception) as failed:
            deployment.send(element=f"Note{number}", **inputs)
        assert type(failed.value).__name__ == code


def test_the_function_stays_within_its_policies(deployment: Deployment) -> None:
    # Until template.yaml has StepMessageSend (/tmp/briefs/messages.template.yaml), this fails
    # with a KeyError naming it.
    files = deployment.runtime.files
    assert files is not None
    stored = files.put("a.txt", "text/plain", b"a")
    deployment.recorder.requests.clear()
    deployment.send(text="checked", attachments=[stored.id])
    assert deployment.recorder.requests
    assert iam.denied("StepMessageSend", deployment.recorder.requests) == []
