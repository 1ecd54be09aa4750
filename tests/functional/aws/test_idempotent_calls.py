"""A component call that acts runs once per attempt (execution, element, state entry, retry
count) on AWS: the step-runner invoked twice for one attempt writes one record and sends one
POST; another retry count acts again; a failed call is not remembered; calls that only read,
calls inside a multi-instance and calls whose Payload names no attempt run every time. The
attempts live in the template's IdempotencyTable (moto here), reached within its policy."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import handler_support as support
import iam_support as iam
import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from automations.adapters.aws import idempotency
from automations.adapters.aws.idempotency import ACTS, TABLE_VARIABLE, CallsOnce
from automations.model.catalog import CatalogDraft, FieldDraft, FieldType
from support.json_server import JsonServer

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
EXECUTION = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:orders-std-0123456789abcdef:p-7"
ENTERED = "2026-12-04T10:00:00.123Z"


def payload(inputs: dict[str, Any], retry: int = 0, **context: Any) -> dict[str, Any]:
    """What the compiled Task sends for one attempt of element `Save`."""
    attempt = {"executionId": EXECUTION, "elementId": "Save", "enteredTime": ENTERED}
    return {"inputs": inputs, "context": attempt | {"retryCount": retry} | context}


def step_runner(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str], component: str, session: Any
) -> Any:
    attempts = {TABLE_VARIABLE: tables["Idempotency"]}
    support.handler_env(monkeypatch, tables, COMPONENT=component, **attempts)
    support.install_runtime(session=session)
    return support.load_handler("step-runner")


def new_catalog(runtime: Any) -> str:
    draft = CatalogDraft(name="Deals", fields=[FieldDraft(name="Title", type=FieldType.TEXT)])
    return str(runtime.record_deps.catalogs.create(draft).id)


def inserts(tables: dict[str, str]) -> list[str]:
    """Ids of the records created so far (the Records table's stream INSERTs)."""
    runtime = support.aws_runtime()
    return [
        r["dynamodb"]["Keys"]["recordId"]["S"]
        for r in support.stream_records(runtime.dynamodb, tables["Records"])
        if r["eventName"] == "INSERT"
    ]


def test_records_create_twice_for_one_attempt_creates_one_record(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    recorder = iam.Recorder(tables)
    module = step_runner(monkeypatch, tables, "records.create", recorder.session)
    catalog_id = new_catalog(support.aws_runtime())
    event = payload({"catalogId": catalog_id, "values": {"1": "Once"}})

    with recorder.recording():
        first = module.handler(event, support.LambdaContext())
        again = module.handler(event, support.LambdaContext(aws_request_id="another-request"))

    assert again == first  # the stored result, not a second record
    assert inserts(tables) == [first["id"]]
    assert any(r.resource == "IdempotencyTable" for r in recorder.requests)
    assert iam.denied("StepRecordsCreate", recorder.requests) == []


def test_another_retry_count_or_state_entry_acts_again(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    module = step_runner(monkeypatch, tables, "records.create", None)
    catalog_id = new_catalog(support.aws_runtime())
    inputs = {"catalogId": catalog_id, "values": {"1": "Retried"}}

    first = module.handler(payload(inputs), support.LambdaContext())
    retried = module.handler(payload(inputs, retry=1), support.LambdaContext())
    # A loop that enters the state again: same retry count, another entry time.
    looped = module.handler(
        payload(inputs, enteredTime="2026-12-04T10:00:01.000Z"), support.LambdaContext()
    )

    assert len({first["id"], retried["id"], looped["id"]}) == 3
    assert sorted(inserts(tables)) == sorted([first["id"], retried["id"], looped["id"]])


def test_a_failed_call_is_not_remembered(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    module = step_runner(monkeypatch, tables, "records.create", None)
    runtime = support.aws_runtime()
    event = payload({"catalogId": "1", "values": {"1": "After the catalog"}})

    with pytest.raises(Exception) as failed:  # no catalog 1 yet: the component raises
        module.handler(event, support.LambdaContext())
    assert type(failed.value).__name__.startswith("records.")
    assert (
        runtime.dynamodb.scan(TableName=tables["Idempotency"])["Items"] == []
    )  # powertools deleted it

    assert new_catalog(runtime) == "1"
    created = module.handler(event, support.LambdaContext())  # the same attempt, run again

    assert inserts(tables) == [created["id"]]


def test_the_same_attempt_with_other_inputs_is_refused(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    module = step_runner(monkeypatch, tables, "records.create", None)
    catalog_id = new_catalog(support.aws_runtime())
    module.handler(
        payload({"catalogId": catalog_id, "values": {"1": "A"}}), support.LambdaContext()
    )

    with pytest.raises(Exception) as refused:
        module.handler(
            payload({"catalogId": catalog_id, "values": {"1": "B"}}), support.LambdaContext()
        )

    assert type(refused.value).__name__ == "IdempotencyValidationError"
    assert len(inserts(tables)) == 1


@pytest.mark.parametrize(
    "context",
    [
        {"multiInstance": True},  # Map iterations cannot be told apart
        {"enteredTime": None},  # a machine compiled before attempts were passed
    ],
    ids=["multi-instance", "no-attempt"],
)
def test_calls_that_name_no_single_attempt_run_every_time(
    context: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    module = step_runner(monkeypatch, tables, "records.create", None)
    catalog_id = new_catalog(support.aws_runtime())
    event = payload({"catalogId": catalog_id, "values": {"1": "Each"}}, **context)

    module.handler(event, support.LambdaContext())
    module.handler(event, support.LambdaContext())

    assert len(inserts(tables)) == 2


def test_a_repeat_while_the_first_runs_answers_with_the_first_ones_result(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str], one_request_at_a_time: None
) -> None:
    once = CallsOnce("records.create", tables["Idempotency"])
    session = boto3.session.Session()
    event = payload({"catalogId": "1", "values": {"1": "Slow"}})
    first_started, repeat_waits, release = threading.Event(), threading.Event(), threading.Event()
    acted: list[str] = []
    answers: dict[str, Any] = {}

    def slow() -> dict[str, str]:
        acted.append("first")
        first_started.set()
        release.wait(30)
        return {"id": "7"}

    def never() -> dict[str, str]:
        acted.append("repeat")
        return {"id": "8"}

    real_sleep = idempotency.sleep

    def noting_sleep(seconds: float) -> None:
        repeat_waits.set()  # the repeat found the first in progress and waits
        real_sleep(seconds)

    monkeypatch.setattr(idempotency, "sleep", noting_sleep)

    def call(name: str, act: Any) -> None:
        answers[name] = once.run(event, act, support.LambdaContext(), lambda: session)

    first = threading.Thread(target=call, args=("first", slow))
    first.start()
    assert first_started.wait(30)
    repeat = threading.Thread(target=call, args=("repeat", never))
    repeat.start()
    assert repeat_waits.wait(30)
    release.set()
    first.join(30)
    repeat.join(30)

    assert acted == ["first"]
    assert answers == {"first": {"id": "7"}, "repeat": {"id": "7"}}


# --- http.request against a local server ----------------------------------------------------


@pytest.fixture
def server() -> Iterator[str]:
    """A local server that answers 201 and counts the requests it receives, by method."""
    Counting.received = []
    http = JsonServer(Counting.answer)
    yield f"{http.base}/orders"
    http.close()


class Counting:
    received: ClassVar[list[str]] = []

    @classmethod
    def answer(cls, method: str, _path: str) -> tuple[int, Any]:
        cls.received.append(method)
        return 201, {}


def test_a_post_is_sent_once_per_attempt_and_a_get_every_time(
    server: str, monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    monkeypatch.setenv("AUTOMATIONS_HTTP_ALLOW_PRIVATE", "true")  # the server is on loopback
    recorder = iam.Recorder(tables)
    module = step_runner(monkeypatch, tables, "http.request", recorder.session)
    post = payload({"url": server, "method": "POST", "body": {"n": 1}})

    with recorder.recording():
        first = module.handler(post, support.LambdaContext())
        again = module.handler(post, support.LambdaContext())
    assert Counting.received == ["POST"]
    assert again == first and first["status"] == 201

    module.handler(
        payload({"url": server, "method": "POST", "body": {"n": 1}}, retry=1),
        support.LambdaContext(),
    )
    assert Counting.received == ["POST", "POST"]

    get = payload({"url": server})
    module.handler(get, support.LambdaContext())
    module.handler(get, support.LambdaContext())
    assert Counting.received == ["POST", "POST", "GET", "GET"]
    assert iam.denied("StepHttpRequest", recorder.requests) == []


# --- the template -------------------------------------------------------------------------


def component_functions() -> dict[str, str]:
    """Component name -> logical id of its step-runner function in template.yaml."""
    found = {}
    for logical, resource in iam.TEMPLATE["Resources"].items():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if resource["Type"] == "AWS::Serverless::Function" and "COMPONENT" in variables:
            found[str(variables["COMPONENT"])] = logical
    return found


def test_the_table_has_the_layout_powertools_writes_and_expires() -> None:
    table = iam.TEMPLATE["Resources"]["IdempotencyTable"]["Properties"]
    defaults = inspect.signature(DynamoDBPersistenceLayer).parameters

    assert table["BillingMode"] == "PAY_PER_REQUEST"
    key = defaults["key_attr"].default
    assert table["KeySchema"] == [{"AttributeName": key, "KeyType": "HASH"}]
    expiry = defaults["expiry_attr"].default
    assert table["TimeToLiveSpecification"] == {"AttributeName": expiry, "Enabled": True}


def test_exactly_the_acting_components_reach_the_table() -> None:
    functions = component_functions()
    assert set(ACTS) <= set(functions), "a component that acts has no function"
    for component, logical in functions.items():
        variables = iam.TEMPLATE["Resources"][logical]["Properties"]["Environment"]["Variables"]
        reach = [s for s in iam.statements(logical) if "IdempotencyTable" in str(s["Resource"])]
        if component in ACTS:
            assert variables.get(TABLE_VARIABLE) == {"Ref": "IdempotencyTable"}, component
            assert len(reach) == 1, component
            assert sorted(reach[0]["Action"]) == [
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ]
            assert reach[0]["Resource"] == {"Fn::GetAtt": ["IdempotencyTable", "Arn"]}
        else:
            assert TABLE_VARIABLE not in variables, component
            assert reach == [], component
