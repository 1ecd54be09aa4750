"""functions/step-runner: a Payload `{inputs, context}` runs the component named by COMPONENT;
a failure raises an exception whose class name is the error code (Lambda's errorType, the
error name Step Functions' Retry and Catch match)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import handler_support as support
import iam_support as iam
import pytest

from automations.model.catalog import CatalogDraft, FieldDraft, FieldType
from automations.model.process import EventRef, ProcessRecord, ProcessStatus
from automations.service import records as use_cases

# powertools warns when an invocation added no metric but the cold-start one (as on Lambda).
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
EXECUTION = f"arn:aws:states:us-east-1:{support.ACCOUNT}:execution:orders-std-0123456789abcdef:p-42"


EXPRESS_EXECUTION = (
    f"arn:aws:states:us-east-1:{support.ACCOUNT}:express:orders-exp-0123456789abcdef:p-42:"
    "9c4e1a0e-5f1b-4c6e-8f55-2b8f0c1e7d3a"
)


def payload(
    inputs: dict[str, Any], element: str = "Step", execution: str = EXECUTION
) -> dict[str, Any]:
    """What the compiled Task sends: the compiler's envelope."""
    return {"inputs": inputs, "context": {"executionId": execution, "elementId": element}}


def step_runner(
    monkeypatch: pytest.MonkeyPatch, component: str, session: Any = None, **env: str
) -> Any:
    for name, value in (support.HANDLER_ENV | env | {"COMPONENT": component}).items():
        monkeypatch.setenv(name, value)
    support.install_runtime(session=session)
    return support.load_handler("step-runner")


def test_a_payload_runs_its_component(monkeypatch: pytest.MonkeyPatch) -> None:
    module = step_runner(monkeypatch, "parse")
    event = payload({"data": {"orders": [{"n": 7}, {"n": 9}]}, "query": "$.orders[*].n"})

    assert module.handler(event, support.LambdaContext()) == {"value": 7}
    event["inputs"]["returns"] = "all"
    assert module.handler(event, support.LambdaContext()) == {"value": [7, 9]}


def test_a_component_that_needs_no_aws_builds_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    module = step_runner(monkeypatch, "parse")
    module.handler(
        payload({"data": "№ 15", "method": "regex", "query": "\\d+"}), support.LambdaContext()
    )

    runtime = support.aws_runtime()
    assert "session" not in runtime.__dict__  # cached properties never asked for
    assert "record_deps" not in runtime.__dict__


def test_a_failure_is_an_exception_named_by_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    module = step_runner(monkeypatch, "parse")

    with pytest.raises(Exception) as failed:
        module.handler(payload({"data": "{}", "query": "$[?("}), support.LambdaContext())

    assert type(failed.value).__name__ == "parse.invalid_query"
    assert "JSONPath" in str(failed.value) or "query" in str(failed.value)


def test_input_the_model_rejects_is_component_invalid_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = step_runner(monkeypatch, "parse")

    with pytest.raises(Exception) as failed:
        module.handler(payload({"data": "x", "method": "sql"}), support.LambdaContext())

    assert type(failed.value).__name__ == "Component.InvalidInput"
    assert "query" in str(failed.value)  # pydantic names the missing field


def test_http_request_refuses_a_loopback_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", raising=False)
    module = step_runner(monkeypatch, "http.request")

    with pytest.raises(Exception) as failed:
        module.handler(payload({"url": "http://127.0.0.1:9/"}), support.LambdaContext())

    assert type(failed.value).__name__ == "http.forbidden_address"


def test_an_unknown_component_fails_the_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Exception) as failed:
        step_runner(monkeypatch, "records.explode")

    assert type(failed.value).__name__ == "UnknownComponent"


# --- records components on the moto tables ------------------------------------------------------


def catalog_with_record(runtime: Any) -> tuple[str, str]:
    draft = CatalogDraft(
        name="Deals",
        fields=[
            FieldDraft(name="Title", type=FieldType.TEXT),
            FieldDraft(name="Total", type=FieldType.NUMBER),
        ],
    )
    catalog = runtime.record_deps.catalogs.create(draft)
    record = use_cases.create_record(runtime.record_deps, catalog.id, {"1": "First", "2": 150})
    return catalog.id, record.id


def test_records_get_reads_the_tables(
    monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    support.handler_env(monkeypatch, tables)
    recorder = iam.Recorder(tables)
    module = step_runner(monkeypatch, "records.get", recorder.session)
    catalog_id, record_id = catalog_with_record(support.aws_runtime())

    with recorder.recording():
        result = module.handler(
            payload({"catalogId": catalog_id, "recordId": record_id}), support.LambdaContext()
        )
        with pytest.raises(Exception) as failed:
            module.handler(
                payload({"catalogId": catalog_id, "recordId": "999"}), support.LambdaContext()
            )

    assert result["values"] == {"1": "First", "2": 150}
    assert type(failed.value).__name__ == "records.not_found"
    # Only the catalog's item of the Automations table, only reads: what its policy allows.
    assert {r.leading_key for r in recorder.requests if r.resource == "AutomationsTable"} == {
        "CATALOG"
    }
    assert iam.denied("StepRecordsGet", recorder.requests) == []


@pytest.mark.parametrize("execution", [EXECUTION, EXPRESS_EXECUTION], ids=["std", "express"])
def test_a_write_carries_the_process_depth_plus_one(
    execution: str, monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]
) -> None:
    support.handler_env(monkeypatch, tables)
    recorder = iam.Recorder(tables)
    module = step_runner(monkeypatch, "records.create", recorder.session)
    runtime = support.aws_runtime()
    catalog_id, _ = catalog_with_record(runtime)
    runtime.process_store.create(
        ProcessRecord(
            id="p-42",
            scenario_id="orders",
            scenario_version=1,
            event=EventRef.model_validate({"id": "e", "type": "$manual", "async": True}),
            depth=2,
            status=ProcessStatus.RUNNING,
            queued_at=datetime(2026, 11, 28, tzinfo=UTC),
        )
    )

    with recorder.recording():
        created = module.handler(
            payload({"catalogId": catalog_id, "values": {"1": "By a process"}}, "Save", execution),
            support.LambdaContext(),
        )
    assert iam.denied("StepRecordsCreate", recorder.requests) == []

    items = [
        r
        for r in support.stream_records(runtime.dynamodb, tables["Records"])
        if r["dynamodb"]["Keys"]["recordId"]["S"] == created["id"]
    ]
    assert [r["dynamodb"]["NewImage"]["eventDepth"]["N"] for r in items] == ["3"]


@pytest.mark.parametrize(
    ("component", "function", "extra"),
    [
        ("records.find", "StepRecordsFind", {"searchText": "First", "sortField": "2"}),
        ("records.structure", "StepRecordsStructure", {}),
        ("records.update", "StepRecordsUpdate", {"recordId": "1", "values": {"2": 200}}),
        ("records.delete", "StepRecordsDelete", {"recordId": "1"}),
    ],
)
def test_records_components_stay_within_their_policies(
    component: str,
    function: str,
    extra: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    tables: dict[str, str],
) -> None:
    support.handler_env(monkeypatch, tables)
    recorder = iam.Recorder(tables)
    module = step_runner(monkeypatch, component, recorder.session)
    catalog_id, record_id = catalog_with_record(support.aws_runtime())
    assert record_id == "1"

    with recorder.recording():
        result = module.handler(
            payload({"catalogId": catalog_id, **extra}), support.LambdaContext()
        )

    assert result is not None
    assert recorder.requests
    assert iam.denied(function, recorder.requests) == []
