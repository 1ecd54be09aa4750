"""Least privilege, checked by use: record every AWS call a function's code makes in a test
(boto3's `before-parameter-build` event on the runtime's session) and check each against the policies
template.yaml gives that function. moto enforces no IAM, so without this a policy that is too
narrow would only show on a real deployment.

What is evaluated: the action (a TransactWriteItems counts as one action per item, as IAM
authorizes it), the resource (table, index, or the ProcessRunnerPolicy's state machines and
executions) and `dynamodb:LeadingKeys` conditions (the partition key each item or query names).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "template.yaml"))))
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
KEY_ATTRIBUTES = {"pk", "catalogId"}  # partition keys of the Automations and Records tables
# The deployment the handler tests stand for: moto's account, and the name that prefixes
# function and state machine names (`${DeploymentName}` in the template).
ACCOUNT, REGION, STACK = "123456789012", "us-east-1", "automations"
_PSEUDO = {
    "${AWS::Partition}": "aws",
    "${AWS::Region}": REGION,
    "${AWS::AccountId}": ACCOUNT,
    "${DeploymentName}": STACK,
}


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization IAM makes: `service:Action` on a resource, for a partition key."""

    action: str
    resource: str  # "RecordsTable", "AutomationsTable/index/gsi1", a state machine's ARN, ...
    leading_key: str | None = None


class Recorder:
    """A boto3 session whose calls, while `recording()`, are noted as the IAM requests they
    make (set-up done through the same session is not the function's doing)."""

    def __init__(
        self,
        tables: Mapping[str, str],
        secrets: Mapping[str, str] | None = None,
        buckets: Mapping[str, str] | None = None,
    ) -> None:
        self.session = boto3.session.Session()
        self.requests: list[Request] = []
        self._active = False
        self._logical = {name: f"{logical}Table" for logical, name in tables.items()}
        self._secrets = dict(secrets or {})  # secret ARN -> the template's logical id
        self._buckets = dict(buckets or {})  # bucket name -> the template's logical id
        self.session.events.register("before-parameter-build", self._note)

    @contextmanager
    def recording(self) -> Iterator[None]:
        self._active = True
        try:
            yield
        finally:
            self._active = False

    def _note(self, model: Any, params: Mapping[str, Any], **_: Any) -> None:
        if not self._active:
            return
        service = model.service_model.service_name
        operation = model.name
        if service == "dynamodb":
            self.requests += self._dynamodb(operation, params)
        elif service == "stepfunctions":
            arn = (
                params.get("stateMachineArn")
                or params.get("executionArn")
                or params.get("stateMachineVersionArn")  # DeleteStateMachineVersion
            )
            if arn is None:  # CreateStateMachine names the machine to be
                arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{params['name']}"
            self.requests.append(Request(f"states:{operation}", str(arn)))
            if operation == "CreateStateMachine":
                self.requests.append(Request("iam:PassRole", "StateMachineRole"))
        elif service == "secretsmanager":
            secret = str(params.get("SecretId", ""))
            self.requests.append(
                Request(f"{service}:{operation}", self._secrets.get(secret, secret))
            )
        elif service == "s3":
            bucket = str(params.get("Bucket", ""))
            resource = f"{self._buckets.get(bucket, bucket)}/{params.get('Key', '')}"
            action = S3_ACTIONS.get(operation, operation)
            self.requests.append(Request(f"s3:{action}", resource))
        else:
            self.requests.append(Request(f"{service}:{operation}", "*"))

    def _dynamodb(self, operation: str, params: Mapping[str, Any]) -> list[Request]:
        if operation == "TransactWriteItems":
            found = []
            for entry in params["TransactItems"]:
                (kind, item), *_ = entry.items()
                found.append(self._item(TRANSACT_ACTIONS[kind], item))
            return found
        if operation == "BatchWriteItem":
            return [
                Request("dynamodb:BatchWriteItem", self._logical[table])
                for table in params["RequestItems"]
            ]
        return [self._item(operation, params)]

    def _item(self, operation: str, params: Mapping[str, Any]) -> Request:
        resource = self._logical[params["TableName"]]
        if params.get("IndexName"):
            resource += f"/index/{params['IndexName']}"
            return Request(f"dynamodb:{operation}", resource)
        return Request(f"dynamodb:{operation}", resource, _leading_key(params))


EXECUTION_ACTIONS = {
    "DescribeExecution",
    "GetExecutionHistory",
    "StopExecution",
    "RedriveExecution",
}
# S3 operations IAM authorizes as another action (HeadObject needs s3:GetObject).
S3_ACTIONS = {"HeadObject": "GetObject"}


def _leading_key(params: Mapping[str, Any]) -> str | None:
    key = params.get("Key") or params.get("Item") or {}
    for name in KEY_ATTRIBUTES:
        if name in key:
            return str(key[name]["S"])
    condition = params.get("KeyConditionExpression")
    if condition:
        names = params.get("ExpressionAttributeNames", {})
        values = params.get("ExpressionAttributeValues", {})
        for clause in condition.split(" AND "):
            left, _, right = clause.partition("=")
            if names.get(left.strip(), left.strip()) in KEY_ATTRIBUTES:
                return str(values[right.strip()]["S"])
    return None


# --- the template's side --------------------------------------------------------------------


def _resources(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        if isinstance(item, dict) and "Ref" in item:
            found.append(str(item["Ref"]))
        elif isinstance(item, dict) and "Fn::GetAtt" in item:
            found.append(str(item["Fn::GetAtt"][0]))
        elif isinstance(item, dict) and "Fn::Sub" in item:
            text = str(item["Fn::Sub"])
            if text.startswith("arn:"):  # a state machine or execution pattern: as deployed
                for name, value in _PSEUDO.items():
                    text = text.replace(name, value)
                found.append(text)
            else:  # "${AutomationsTable.Arn}/index/*"
                found.append(text.replace("${", "").replace(".Arn}", ""))
        else:
            found.append(str(item))
    return found


def role_of(function: str) -> dict[str, Any] | None:
    """The properties of the AWS::IAM::Role the function names (`Role: !GetAtt X.Arn`), or
    None when SAM generates its role from `Policies`."""
    role = TEMPLATE["Resources"][function]["Properties"].get("Role")
    if role is None:
        return None
    logical_id = str(role["Fn::GetAtt"][0])
    resource: dict[str, Any] = TEMPLATE["Resources"][logical_id]
    assert resource["Type"] == "AWS::IAM::Role", f"{function}'s Role is not a role"
    return dict(resource["Properties"])


def statements(function: str) -> list[dict[str, Any]]:
    """Every Allow statement of the function's policies (the template's managed ones expanded;
    AWS managed policy ARNs are not: no call the code makes relies on one)."""
    properties = TEMPLATE["Resources"][function]["Properties"]
    role = role_of(function)
    if role is not None:
        return [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    found: list[dict[str, Any]] = []
    for policy in properties.get("Policies", []):
        if "Ref" in policy:
            document = TEMPLATE["Resources"][policy["Ref"]]["Properties"]["PolicyDocument"]
            found += document["Statement"]
        else:
            found += policy["Statement"]
    return found


def _allows(statement: Mapping[str, Any], request: Request) -> bool:
    actions = statement["Action"]
    actions = actions if isinstance(actions, list) else [actions]
    if request.action not in actions:
        return False
    if not any(fnmatch.fnmatch(request.resource, r) for r in _resources(statement["Resource"])):
        return False
    condition = statement.get("Condition", {}).get("ForAllValues:StringEquals", {})
    allowed = condition.get("dynamodb:LeadingKeys")
    return allowed is None or (request.leading_key is not None and request.leading_key in allowed)


def denied(function: str, requests: list[Request]) -> list[Request]:
    """The requests no statement of the function's policies allows (empty: all allowed)."""
    granted = statements(function)
    return sorted(
        {r for r in requests if not any(_allows(s, r) for s in granted)},
        key=lambda r: (r.action, r.resource),
    )
