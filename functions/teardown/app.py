"""The custom resource that leaves no state machine behind: on stack delete it deletes every
machine the deployment made at run time (adapters/aws/teardown.py); Create and Update do
nothing. It answers CloudFormation at the event's ResponseURL, FAILED with the reason when the
deletion failed, so that a teardown that left machines says so instead of passing silently."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Literal

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from automations.adapters.aws.teardown import delete_machines

logger = Logger()


class Properties(BaseModel):
    prefix: str = Field(alias="Prefix", min_length=1)
    role_arn: str = Field(alias="RoleArn", min_length=1)


class CustomResourceEvent(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    request_type: Literal["Create", "Update", "Delete"] = Field(alias="RequestType")
    response_url: str = Field(alias="ResponseURL")
    stack_id: str = Field(alias="StackId")
    request_id: str = Field(alias="RequestId")
    logical_resource_id: str = Field(alias="LogicalResourceId")
    physical_resource_id: str | None = Field(default=None, alias="PhysicalResourceId")
    properties: Properties = Field(alias="ResourceProperties")


def respond(event: CustomResourceEvent, status: str, reason: str) -> None:
    """PUT the answer to the pre-signed URL (no Content-Type: the signature covers none)."""
    body = {
        "Status": status,
        "Reason": reason[:1000],
        "PhysicalResourceId": event.physical_resource_id or f"{event.properties.prefix}machines",
        "StackId": event.stack_id,
        "RequestId": event.request_id,
        "LogicalResourceId": event.logical_resource_id,
    }
    request = urllib.request.Request(  # noqa: S310 - the URL is CloudFormation's own
        event.response_url, data=json.dumps(body).encode(), method="PUT", headers={}
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310
        pass


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    try:
        parsed = CustomResourceEvent.model_validate(event)
    except ValidationError:
        logger.exception("not a CloudFormation custom resource event")
        raise
    if parsed.request_type != "Delete":
        respond(parsed, "SUCCESS", "nothing to do before the stack is deleted")
        return
    try:
        client = boto3.client("stepfunctions")
        deleted = delete_machines(client, parsed.properties.prefix, parsed.properties.role_arn)
    except Exception as exc:  # every failure must reach CloudFormation, or it waits an hour
        logger.exception("deleting the state machines failed")
        respond(parsed, "FAILED", f"deleting the state machines failed: {exc}")
        return
    logger.info("deleted state machines", extra={"machines": deleted})
    respond(parsed, "SUCCESS", f"deleted {len(deleted)} state machines")
