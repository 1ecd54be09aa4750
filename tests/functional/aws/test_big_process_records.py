"""Process records past DynamoDB's 400 KB item limit (moto enforces it): their large parts go
to S3 behind a pointer, `get` gives them back whole, a list reads no S3 object, and each write
leaves exactly the one object its item names."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from automations.adapters.aws.process_parts import (
    ITEM_BUDGET_BYTES,
    PREFIX,
    S3ProcessParts,
    item_size,
)
from automations.adapters.aws.processes import RECORD_TOO_LARGE, DynamoProcessStore
from automations.model.process import (
    EventRef,
    ProcessChange,
    ProcessRecord,
    ProcessStatus,
    TraceStep,
)
from automations.ports import ProcessQuery

T = datetime(2026, 1, 2, tzinfo=UTC)
BUCKET = "test-files"
RUNNING = frozenset({ProcessStatus.RUNNING})


def _text(size: int) -> str:
    """Text that compresses about as little as text does (random URL-safe characters)."""
    return secrets.token_urlsafe(size)[:size]


def _trace(steps: int, name_size: int = 12) -> list[TraceStep]:
    stamp = "2026-01-02T00:00:00.000Z"
    return [
        TraceStep(element=f"Task_{_text(name_size)}", entered_at=stamp, exited_at=stamp)
        for _ in range(steps)
    ]


def _queued(process_id: str, input_bytes: int) -> ProcessRecord:
    return ProcessRecord(
        id=process_id,
        scenario_id="s",
        scenario_version=1,
        event=EventRef(id="1", type="$manual"),
        input={"values": {"1": _text(input_bytes)}},
        queued_at=T,
    )


class Counted:
    """An S3 client whose GetObject calls are counted (botocore's `before-call` event)."""

    def __init__(self) -> None:
        self.client = boto3.client("s3")
        self.reads = 0
        self.client.meta.events.register("before-call.s3.GetObject", self._count)

    def _count(self, **_: Any) -> None:
        self.reads += 1

    def keys(self, process_id: str) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}{process_id}/")
        return [o["Key"] for o in listed.get("Contents", [])]


@pytest.fixture
def s3(mocked_aws: None) -> Counted:
    counted = Counted()
    counted.client.create_bucket(Bucket=BUCKET)
    return counted


@pytest.fixture
def store(dynamodb: Any, tables: dict[str, str], s3: Counted) -> DynamoProcessStore:
    return DynamoProcessStore(dynamodb, tables["Automations"], S3ProcessParts(s3.client, BUCKET))


def _run_to_the_end(
    store: DynamoProcessStore, queued: ProcessRecord, output: dict[str, Any], trace: list[Any]
) -> ProcessRecord:
    """Queue, claim and complete a process as the service does; the record the end stored."""
    assert store.create(queued)
    (claimed,) = store.claim_queued(max_running=10, now=T)
    assert claimed.id == queued.id and store.running() == 1
    end = ProcessChange(
        status=ProcessStatus.COMPLETED,
        finished_at=T + timedelta(seconds=5),
        duration_ms=5000,
        output=output,
        trace=trace,
    )
    ended = store.change(queued.id, RUNNING, end)
    assert ended is not None
    return ended


def _item(dynamodb: Any, table: str, process_id: str) -> dict[str, Any]:
    key = {"pk": {"S": f"PROCESS#{process_id}"}, "sk": {"S": "PROCESS"}}
    item: dict[str, Any] = dynamodb.get_item(TableName=table, Key=key)["Item"]
    return item


@pytest.mark.parametrize(
    ("input_bytes", "output_bytes", "steps", "name_size", "objects"),
    [
        # About 660 KB of record that compresses to about 330 KB: it stays in the item.
        (200_000, 200_000, 2_000, 12, 0),
        # About 5 MB: input, output and trace leave for one S3 object.
        (2_000_000, 2_000_000, 20_000, 40, 1),
    ],
    ids=["600KB", "5MB"],
)
def test_a_record_past_the_item_limit_completes_and_reads_back_whole(
    store: DynamoProcessStore,
    s3: Counted,
    dynamodb: Any,
    tables: dict[str, str],
    input_bytes: int,
    output_bytes: int,
    steps: int,
    name_size: int,
    objects: int,
) -> None:
    queued = _queued("big", input_bytes)
    trace = _trace(steps, name_size)
    output = {"report": _text(output_bytes), "count": 3}

    ended = _run_to_the_end(store, queued, output, trace)

    record_bytes = len(ended.model_dump_json())
    assert record_bytes > 400_000  # past what one DynamoDB item holds, uncompressed
    read = store.get("big")
    assert read is not None
    assert read.trace == trace
    assert read.input == queued.input
    assert read.output == output
    assert read == ended
    assert store.running() == 0  # the end freed the slot
    item = _item(dynamodb, tables["Automations"], "big")
    assert item_size(item) <= ITEM_BUDGET_BYTES
    assert ("parts" in item) == bool(objects)
    # Queued, claimed, ended: three writes, one object left at most (replaced ones deleted).
    assert len(s3.keys("big")) == objects


def test_the_list_shows_big_processes_without_reading_s3(
    store: DynamoProcessStore, s3: Counted
) -> None:
    small = _queued("small", 100)
    _run_to_the_end(store, small, {"ok": True}, _trace(3))
    middle_trace = _trace(2_000)
    _run_to_the_end(store, _queued("middle", 200_000), {"r": _text(200_000)}, middle_trace)
    huge_trace = _trace(20_000, 40)
    _run_to_the_end(store, _queued("huge", 2_000_000), {"r": _text(2_000_000)}, huge_trace)
    s3.reads = 0

    listed = {p.id: p for p in store.find(ProcessQuery(limit=10))}

    assert s3.reads == 0
    assert set(listed) == {"small", "middle", "huge"}
    assert {p.status for p in listed.values()} == {ProcessStatus.COMPLETED}
    assert listed["small"].input == small.input and listed["small"].output == {"ok": True}
    # The 600 KB one kept its trace in the item: the list's path is whole.
    assert listed["middle"].trace == middle_trace
    # The 5 MB one's trace is in S3: the list keeps where it ended (its last step).
    assert listed["huge"].trace == huge_trace[-1:]
    assert listed["huge"].input == {} and listed["huge"].output is None
    assert s3.reads == 0
    whole = store.get("huge")
    assert whole is not None and whole.trace == huge_trace
    assert s3.reads == 1


def test_a_write_that_leaves_the_large_parts_unchanged_keeps_their_object(
    store: DynamoProcessStore, s3: Counted
) -> None:
    queued = _queued("shrinks", 200_000)
    queued = queued.model_copy(update={"input": queued.input | {"more": _text(300_000)}})
    assert store.create(queued)
    assert len(s3.keys("shrinks")) == 1

    ended = store.change(
        "shrinks",
        frozenset({ProcessStatus.QUEUED}),
        ProcessChange(status=ProcessStatus.ABORTED, finished_at=T),
    )

    assert ended is not None
    assert len(s3.keys("shrinks")) == 1  # the input is unchanged: the same object is kept
    assert store.get("shrinks") == ended


def test_without_a_bucket_an_end_too_large_is_stored_as_an_error_and_frees_the_slot(
    dynamodb: Any, tables: dict[str, str]
) -> None:
    store = DynamoProcessStore(dynamodb, tables["Automations"])  # no parts bucket
    queued = _queued("nobucket", 200_000)
    assert store.admit(queued, max_running=10)
    assert store.running() == 1
    end = ProcessChange(status=ProcessStatus.COMPLETED, finished_at=T, output={"r": _text(300_000)})

    ended = store.change("nobucket", RUNNING, end)

    assert ended is not None and ended.status is ProcessStatus.ERROR
    assert ended.error is not None and ended.error.code == RECORD_TOO_LARGE
    assert "PROCESS_PARTS_BUCKET" in ended.error.message
    assert store.running() == 0
    assert store.get("nobucket") == ended


def test_an_item_whose_object_is_gone_reads_as_unreadable_not_as_an_error(
    store: DynamoProcessStore, s3: Counted
) -> None:
    trace = _trace(3)
    _run_to_the_end(store, _queued("lost", 200_000), {"r": _text(300_000)}, trace)
    (key,) = s3.keys("lost")
    s3.client.delete_object(Bucket=BUCKET, Key=key)

    read = store.get("lost")

    assert read is not None and read.error is not None
    assert read.error.code == "Process.RecordUnreadable"
    assert key in read.error.message
    assert read.trace == trace  # what the item's body held is kept
    assert read.scenario_id == "s"
