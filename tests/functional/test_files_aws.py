"""The file store as deployed: the template's bucket (private, encrypted, TLS only) and the API
function storing and serving files through S3 on moto, within its policies."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import handler_support as support
import iam_support as iam
import pytest
from cfnlint.decode import cfn_yaml
from moto import mock_aws
from moto_env import fake_aws

from automations.adapters.aws.tables import create_tables

# powertools warns when an invocation added no metric but the cold-start one (as on Lambda).
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))
RESOURCES = TEMPLATE["Resources"]
BUCKET = "automations-files-123"
DATA = bytes(range(256)) * 4


def test_the_bucket_is_private_encrypted_and_tls_only() -> None:
    bucket = RESOURCES["FilesBucket"]
    properties = bucket["Properties"]
    blocked = properties["PublicAccessBlockConfiguration"]
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    (statement,) = RESOURCES["FilesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]

    assert blocked == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "LifecycleConfiguration" not in properties  # files are kept until deleted
    assert bucket["DeletionPolicy"] == "Retain"
    assert (statement["Effect"], statement["Condition"]) == (
        "Deny",
        {"Bool": {"aws:SecureTransport": "false"}},
    )


def test_the_functions_that_use_files_are_told_the_bucket() -> None:
    for logical_id in ("ApiFunction", "StepMailSend", "StepMailReceive"):
        env = RESOURCES[logical_id]["Properties"]["Environment"]["Variables"]
        assert env["FILES_BUCKET"] == {"Ref": "FilesBucket"}, logical_id
    # API Gateway passes any body as base64 and sends a base64 answer back as bytes.
    assert RESOURCES["Api"]["Properties"]["BinaryMediaTypes"] == ["*~1*"]


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    fake_aws(monkeypatch)
    with mock_aws():
        names = {"Records": "test-records", "Automations": "test-automations"}
        yield create_tables(boto3.client("dynamodb"), names)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> Iterator[Any]:
    boto3.client("s3", region_name=support.REGION).create_bucket(Bucket=BUCKET)
    support.handler_env(monkeypatch, tables, FILES_BUCKET=BUCKET)
    recorder = iam.Recorder(tables, buckets={BUCKET: "FilesBucket"})
    support.install_runtime(session=recorder.session)
    handler = support.load_handler("api").handler

    def call(event: dict[str, Any]) -> Any:
        with recorder.recording():
            return handler(event, support.LambdaContext())

    yield call
    s3 = [r for r in recorder.requests if r.action.startswith("s3:")]
    assert {r.action for r in s3} == {"s3:PutObject", "s3:GetObject"}
    assert iam.denied("ApiFunction", recorder.requests) == []


def binary_event(method: str, path: str, data: bytes, **kw: Any) -> dict[str, Any]:
    """A request as API Gateway delivers it with binary media types `*/*`: body in base64."""
    event = support.proxy_event(method, path, **kw)
    event["body"], event["isBase64Encoded"] = base64.b64encode(data).decode(), True
    return event


def test_a_file_goes_into_s3_and_comes_back_as_base64_bytes(api: Any) -> None:
    auth = {"Authorization": support.BASIC}
    created = api(
        binary_event(
            "POST",
            "/api/v1/files",
            DATA,
            query={"name": "счёт.bin"},
            headers=auth | {"Content-Type": "application/octet-stream"},
        )
    )
    stored = json.loads(created["body"])
    read = api(support.proxy_event("GET", f"/api/v1/files/{stored['id']}", headers=auth))
    missing = api(support.proxy_event("GET", "/api/v1/files/" + "0" * 32, headers=auth))

    assert created["statusCode"] == 201, created["body"]
    assert (stored["name"], stored["size"]) == ("счёт.bin", len(DATA))
    assert read["statusCode"] == 200 and read["isBase64Encoded"] is True
    assert base64.b64decode(read["body"]) == DATA
    headers = read.get("multiValueHeaders") or {}
    assert headers["X-Content-Type-Options"] == ["nosniff"]
    assert headers["Content-Disposition"][0].endswith(
        "filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82.bin"
    )
    assert missing["statusCode"] == 404
