"""What the Lambda handler tests share: loading `functions/<name>/app.py`, a Lambda context,
real-shaped events (API Gateway proxy, DynamoDB stream batches read from moto, EventBridge),
and an `AwsRuntime` wired to the moto account.

Test modules load it with `load_support()` (tests/ is no package; pytest runs in importlib
mode, so a module beside a test is not importable by name).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import iam_support
import pytest

from automations.adapters.aws.runtime import AwsRuntime, aws_runtime, reset_runtime

__all__ = ["aws_runtime"]

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS = ROOT / "functions"


ACCOUNT, REGION, STACK = iam_support.ACCOUNT, iam_support.REGION, iam_support.STACK
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/automations-machines"
FUNCTION_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-"
ADMIN, PASSWORD = "admin@example.com", "s3cret-passw0rd"
BASIC = "Basic " + base64.b64encode(f"{ADMIN}:{PASSWORD}".encode()).decode()

HANDLER_ENV = {
    "POWERTOOLS_METRICS_NAMESPACE": "AutomationsTest",
    "POWERTOOLS_SERVICE_NAME": "test",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "STATE_MACHINE_ROLE_ARN": ROLE_ARN,
    "COMPONENT_FUNCTION_PREFIX": FUNCTION_PREFIX,
    "STATE_MACHINE_PREFIX": f"{STACK}-",
    "AUTOMATIONS_ADMIN_EMAIL": ADMIN,
    "AUTOMATIONS_ADMIN_PASSWORD": PASSWORD,
    "AUTOMATIONS_DEMO": "false",
}


def handler_env(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str], **extra: str
) -> dict[str, str]:
    """The environment template.yaml gives a function, pointing at the moto tables."""
    env = HANDLER_ENV | {
        "RECORDS_TABLE": tables["Records"],
        "AUTOMATIONS_TABLE": tables["Automations"],
        "SESSIONS_TABLE": tables.get("Sessions", "Sessions"),
    }
    for name, value in (env | extra).items():
        monkeypatch.setenv(name, value)
    return env | extra


def install_runtime(**kwargs: Any) -> AwsRuntime:
    """A fresh runtime from the current environment, as the handlers' `aws_runtime()`."""
    runtime = AwsRuntime(**kwargs)
    reset_runtime(runtime)
    return runtime


def load_handler(name: str) -> ModuleType:
    """Import `functions/<name>/app.py` afresh (the step-runner reads COMPONENT at import)."""
    module_name = f"lambda_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(module_name, FUNCTIONS / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    """The attributes powertools reads from Lambda's context object."""

    function_name: str = "automations-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:automations-test"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/automations-test"
    log_stream_name: str = "2026/11/28/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


# --- API Gateway --------------------------------------------------------------------------------


def proxy_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    resource: str = "/api/v1/{proxy+}",
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event as the `prod` stage delivers it."""
    all_headers = {"Host": "abc123.execute-api.us-east-1.amazonaws.com"} | (headers or {})
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "accountId": ACCOUNT,
            "apiId": "abc123",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


# --- DynamoDB streams ---------------------------------------------------------------------------


def stream_records(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, in the shape Lambda delivers them (moto's
    GetRecords lacks `eventSourceARN` and gives the creation time as a datetime)."""
    stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    client = boto3.client("dynamodbstreams", region_name=REGION)
    records: list[dict[str, Any]] = []
    for shard in client.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = client.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in client.get_records(ShardIterator=iterator)["Records"]:
            images = dict(record["dynamodb"])
            stamp = images.get("ApproximateCreationDateTime")
            if isinstance(stamp, datetime):
                images["ApproximateCreationDateTime"] = int(stamp.timestamp())
            records.append(record | {"dynamodb": images, "eventSourceARN": stream_arn})
    return records


# --- EventBridge --------------------------------------------------------------------------------


def status_change(execution_arn: str, status: str, **detail: Any) -> dict[str, Any]:
    """A "Step Functions Execution Status Change" event for this execution."""
    machine = execution_arn.split(":")[6]
    machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine}"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": ACCOUNT,
        "time": "2026-11-28T10:00:00Z",
        "region": REGION,
        "resources": [execution_arn],
        "detail": {
            "executionArn": execution_arn,
            "stateMachineArn": machine_arn,
            "name": execution_arn.split(":")[7],
            "status": status,
            "startDate": 1_795_000_000_000,
            "stopDate": 1_795_000_060_000,
            "input": "{}",
            "inputDetails": {"included": True},
            "output": None,
            "outputDetails": None,
            "error": None,
            "cause": None,
        }
        | detail,
    }


def scheduled_event() -> dict[str, Any]:
    """The event of the `rate(1 minute)` rule (EventBridge "Scheduled Event")."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2026-11-28T10:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/automations-Tick"],
        "detail": {},
    }


def json_body(answer: dict[str, Any]) -> Any:
    """The JSON body of a proxy answer."""
    return json.loads(answer["body"])
