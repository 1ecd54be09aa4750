"""ProcessStore on DynamoDB, with the semaphore that caps how many processes run at once.

A process is one item (`PROCESS#<id>`) holding its JSON body (zlib-compressed: input and output
may each approach the 256 KB process data limit, more than a 400 KB item holds unpacked), a
revision for compare-and-set, and index keys: GSI1 by status, GSI2 by scenario, both sorted by
`<queuedAt>#<id>` (the order processes were queued; ties within a millisecond go by id). Both
indexes are eventually consistent: `count`, `find` and `claim_queued` may miss a write of the
last moments (a process missed by one pump is claimed by the next; the CAS keeps claims safe).
A body that cannot be read back is answered as a stand-in (`model/unreadable.py`), so that one
broken item never breaks a list. A record that would pass DynamoDB's item limit keeps its
large parts in S3 (`process_parts.py`): `get` reads them back, `find` does not (a list shows
such a process without its input and output, and its path from the summary kept in the item).

The semaphore is one counter item (`SEMAPHORE`/`running`) equal to the number of processes in
`running`. Every write that moves a process into or out of `running` changes it in the same
transaction, so it is freed exactly once whoever records the end (the webhook after a
synchronous run, the status-change handler), and two callers ending one process cannot both
decrement: the second one's revision check fails and it finds the process no longer running.
Only `admit` and `claim_queued` check the limit (`running < max`), as the SQLite store does.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.dynamo import dumps
from automations.adapters.aws.errors import TransactionCancelled
from automations.adapters.aws.process_parts import (
    POINTER,
    Pointer,
    ProcessTooLarge,
    S3ProcessParts,
    item_size,
    pack,
    pointer_of,
    unpacked,
)
from automations.adapters.aws.tables import GSI1, GSI2
from automations.model.base import utc_iso
from automations.model.process import (
    FINAL_STATUSES,
    ProcessChange,
    ProcessError,
    ProcessRecord,
    ProcessStatus,
    TraceStep,
)
from automations.model.unreadable import StoredRow, is_unreadable, read_process, salvaged
from automations.ports import ProcessQuery, ProcessStats
from automations.service.process_stats import percentile_rank

SEMAPHORE = {"pk": "SEMAPHORE", "sk": "running"}
TRACE_CURSOR = "traceCursor"  # where a running process's trace stands in its history
CLAIM_CANDIDATES = 25  # queued processes read per round of `claim_queued`
_AFTER = "#\U0010ffff"  # sorts after every `#<id>` suffix of an order key
RECORD_TOO_LARGE = "Process.RecordTooLarge"
PARTS_READS = 3  # an item read again when its parts object was replaced meanwhile


def _key(process_id: str) -> dict[str, str]:
    return {"pk": f"PROCESS#{process_id}", "sk": "PROCESS"}


def _order(process: ProcessRecord) -> str:
    return f"{utc_iso(process.queued_at)}#{process.id}"


@dataclass(slots=True)
class _Objects:
    """The parts objects one item write touches: `new` (put for it: deleted if the write
    fails) and `old` (the one it replaces: deleted once the write is done)."""

    new: str | None = None
    old: str | None = None


class DynamoProcessStore:
    """Processes and the running-processes semaphore in the Automations table; `parts` keeps
    the large parts of records DynamoDB cannot hold (None: such a record ends as too large).

    processes = DynamoProcessStore(client, "Automations", S3ProcessParts(s3, bucket))
    """

    def __init__(self, client: Any, table: str, parts: S3ProcessParts | None = None) -> None:
        self._client = client
        self._table = table
        self._parts = parts

    # --- writing ------------------------------------------------------------------------------

    def create(self, process: ProcessRecord) -> bool:
        put, objects = self._put(process, revision=1, condition="attribute_not_exists(pk)")
        actions = [put]
        if process.status is ProcessStatus.RUNNING:
            actions.append(self._semaphore(+1))
        return self._transact(actions, guards=(0,), objects=objects)

    async def create_async(self, process: ProcessRecord) -> bool:
        return await asyncio.to_thread(self.create, process)

    def admit(self, process: ProcessRecord, max_running: int) -> bool:
        running = process.model_copy(update={"status": ProcessStatus.RUNNING})
        put, objects = self._put(running, revision=1, condition="attribute_not_exists(pk)")
        actions = [self._semaphore(+1, below=max_running), put]
        return self._transact(actions, guards=(0, 1), objects=objects)

    def change(
        self, process_id: str, expected: frozenset[ProcessStatus], change: ProcessChange
    ) -> ProcessRecord | None:
        while True:
            found = self._whole(process_id)
            if found is None:
                return None
            current = _process(found, keep_status=True)  # an unreadable one still ends
            if current.status not in expected:
                return None
            updated = change.applied_to(current)
            try:
                written = self._replace(current, updated, found)
            except ProcessTooLarge as exc:
                # An end must be stored whatever it holds, or its slot stays taken.
                if updated.status not in FINAL_STATUSES:
                    raise
                updated = _too_large(updated, str(exc))
                written = self._replace(current, updated, found)
            if written:
                return updated
            # Someone else changed it since it was read: look again (as a serialized writer would).

    def _replace(
        self, current: ProcessRecord, updated: ProcessRecord, found: dict[str, Any]
    ) -> bool:
        revision = found["revision"]
        put, objects = self._put(
            updated,
            revision=revision + 1,
            condition="revision = :seen",
            previous=pointer_of(found),
        )
        put["Put"]["ExpressionAttributeValues"] = {":seen": {"N": str(revision)}}
        actions = [put]
        was = current.status is ProcessStatus.RUNNING
        now = updated.status is ProcessStatus.RUNNING
        if was != now:
            actions.append(self._semaphore(+1 if now else -1))
        return self._transact(actions, guards=(0,), objects=objects)

    def _transact(
        self,
        actions: list[dict[str, Any]],
        *,
        guards: tuple[int, ...],
        objects: _Objects | None = None,
    ) -> bool:
        """Write the actions together; False when the condition of one of `guards` failed.
        The parts objects of the write are settled once it is known whether it was done."""
        try:
            dynamo.transact(self._client, actions)
        except TransactionCancelled as exc:
            self._settle(objects, written=False)
            if any(exc.failed(index) for index in guards):
                return False
            raise
        self._settle(objects, written=True)
        return True

    def _settle(self, objects: _Objects | None, *, written: bool) -> None:
        """Delete the object no item names: the replaced one after a write, the new one after
        a refused write. After any other failure (a timeout: the write may have been done)
        both stay; an object left over costs storage, a deleted one would lose a record."""
        if objects is None or self._parts is None:
            return
        unused = objects.old if written else objects.new
        if unused is not None:
            self._parts.delete(unused)

    def claim_queued(self, max_running: int, now: datetime) -> list[ProcessRecord]:
        claimed: list[ProcessRecord] = []
        while True:
            candidates = [
                self._with_parts(found) for found in self._oldest_queued(CLAIM_CANDIDATES)
            ]
            before = len(claimed)
            for found in candidates:
                process = _process(found)
                if is_unreadable(process):  # what it was to start with is lost: it ends here
                    self._replace(process, process, found)
                    continue
                process = process.model_copy(
                    update={"status": ProcessStatus.RUNNING, "started_at": now}
                )
                outcome = self._claim(process, found, max_running)
                if outcome is None:
                    return claimed  # every slot is taken
                if outcome:
                    claimed.append(process)
            # A short page is the end of the queue; a round that won nothing means others are
            # claiming the same ones (or the index lags): leave the rest to the next pump.
            if len(candidates) < CLAIM_CANDIDATES or len(claimed) == before:
                return claimed

    def _claim(
        self, process: ProcessRecord, found: dict[str, Any], max_running: int
    ) -> bool | None:
        """True when claimed, False when another caller took it first, None when no slot."""
        revision = found["revision"]
        put, objects = self._put(
            process,
            revision=revision + 1,
            condition="revision = :seen AND #s = :queued",
            previous=pointer_of(found),
        )
        put["Put"]["ExpressionAttributeNames"] = {"#s": "status"}
        put["Put"]["ExpressionAttributeValues"] = {
            ":seen": {"N": str(revision)},
            ":queued": {"S": str(ProcessStatus.QUEUED)},
        }
        try:
            dynamo.transact(self._client, [self._semaphore(+1, below=max_running), put])
        except TransactionCancelled as exc:
            self._settle(objects, written=False)
            if exc.failed(0):
                return None
            if exc.failed(1):
                return False
            raise
        self._settle(objects, written=True)
        return True

    def _oldest_queued(self, limit: int) -> list[dict[str, Any]]:
        page = self._client.query(
            TableName=self._table,
            IndexName=GSI1,
            KeyConditionExpression="gsi1pk = :s",
            ExpressionAttributeValues={":s": {"S": _status_key(ProcessStatus.QUEUED)}},
            Limit=limit,
        )
        return [dynamo.plain(i) for i in page.get("Items", [])]

    def _put(
        self,
        process: ProcessRecord,
        *,
        revision: int,
        condition: str,
        previous: Pointer | None = None,
    ) -> tuple[dict[str, Any], _Objects]:
        """The Put of `process` (its large parts in S3 when the item would not hold them; a
        new object is put now) and the objects to settle after it (`previous`: the pointer of
        the item it replaces)."""
        order = _order(process)
        attributes: dict[str, Any] = {
            **_key(process.id),
            "status": str(process.status),
            "scenarioId": process.scenario_id,
            "revision": revision,
            "gsi1pk": _status_key(process.status),
            "gsi1sk": order,
            "gsi2pk": f"PSCENARIO#{process.scenario_id}",
            "gsi2sk": order,
            # Read by `stats` without the body (None: not written).
            "durationMs": process.duration_ms,
            "eventType": process.event.type,
        }
        packed = pack(process.model_dump(mode="json"), item_size(dynamo.item(attributes)))
        objects = _Objects(old=previous.key if previous is not None else None)
        if packed.moved:
            if self._parts is None:
                raise ProcessTooLarge(
                    f"the record of process {process.id} is larger than a DynamoDB item holds "
                    "and no bucket is set for its large parts (PROCESS_PARTS_BUCKET)"
                )
            if previous is not None and previous.sha256 == packed.digest:
                key, objects.old = previous.key, None  # the same parts: the same object
            else:
                key = objects.new = self._parts.put(process.id, packed.blob)
            attributes[POINTER] = Pointer(key, packed.moved, packed.digest).text()
        attributes |= packed.attributes
        put = {
            "TableName": self._table,
            "Item": dynamo.item(attributes),
            "ConditionExpression": condition,
        }
        return {"Put": put}, objects

    def _semaphore(self, delta: int, *, below: int | None = None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": dynamo.item(SEMAPHORE),
            "UpdateExpression": "ADD running :delta",
            "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
        }
        if below is not None:
            update["ConditionExpression"] = "attribute_not_exists(running) OR running < :max"
            update["ExpressionAttributeValues"][":max"] = {"N": str(below)}
        return {"Update": update}

    # --- the live trace (adapters/aws/live_trace.py) ------------------------------------------

    def trace_cursor(self, process_id: str) -> tuple[ProcessRecord, dict[str, Any] | None] | None:
        """The process, and where its stored trace stands in its execution's history (None:
        from the start). Any other write of the process drops the cursor (a retry, an end):
        its trace is then read again from the first event, once."""
        found = self._whole(process_id)
        if found is None:
            return None
        cursor = found.get(TRACE_CURSOR)
        return _process(found), (dynamo.loads(cursor) if cursor else None)

    def advance_trace(
        self, process_id: str, trace: list[TraceStep], cursor: dict[str, Any], after: int
    ) -> ProcessRecord | None:
        """Store a running process's trace with the cursor it was built to, if its stored
        cursor still stands at event `after` (another reader did not get there first); the
        process, or None when it was not written."""
        found = self._whole(process_id)
        if found is None:
            return None
        current = _process(found)
        stored = found.get(TRACE_CURSOR)
        at = int(dynamo.loads(stored).get("lastEvent") or 0) if stored else 0
        if current.status is not ProcessStatus.RUNNING or at != after:
            return None
        updated = current.model_copy(update={"trace": trace})
        put, objects = self._put(
            updated,
            revision=found["revision"] + 1,
            condition="revision = :seen",
            previous=pointer_of(found),
        )
        put["Put"]["Item"][TRACE_CURSOR] = {"S": dumps(cursor)}
        put["Put"]["ExpressionAttributeValues"] = {":seen": {"N": str(found["revision"])}}
        return updated if self._transact([put], guards=(0,), objects=objects) else None

    # --- reading ------------------------------------------------------------------------------

    def get(self, process_id: str) -> ProcessRecord | None:
        found = self._whole(process_id)
        return None if found is None else _process(found)

    def _whole(self, process_id: str) -> dict[str, Any] | None:
        """The item of a process with the bytes of its parts object, if it has one, under
        `PARTS`; read again when a write replaced the object between the two reads."""
        whole = None
        for _ in range(PARTS_READS):
            found = dynamo.get(self._client, self._table, _key(process_id))
            if found is None:
                return None
            whole = self._with_parts(found)
            if whole.get(PARTS, b"") is not None or self._parts is None:
                return whole
        return whole

    def _with_parts(self, found: dict[str, Any]) -> dict[str, Any]:
        """`found` with the bytes of its parts object under `PARTS` (None: cannot be read)."""
        pointer = pointer_of(found)
        if pointer is None:
            return found
        blob = None if self._parts is None else self._parts.get(pointer.key)
        return found | {PARTS: blob}

    def running(self) -> int:
        """The semaphore's value: how many processes hold a slot."""
        found = dynamo.get(self._client, self._table, SEMAPHORE)
        return 0 if found is None else int(found.get("running", 0))

    def count(self, status: ProcessStatus) -> int:
        return dynamo.count(
            self._client,
            TableName=self._table,
            IndexName=GSI1,
            KeyConditionExpression="gsi1pk = :s",
            ExpressionAttributeValues={":s": {"S": _status_key(status)}},
        )

    def find(self, query: ProcessQuery) -> list[ProcessRecord]:
        if query.scenario_id is not None:
            streams = [self._newest(GSI2, f"PSCENARIO#{query.scenario_id}", query)]
        elif query.status is not None:
            streams = [self._newest(GSI1, _status_key(query.status), query)]
        else:  # every status: merge the status partitions, newest first
            streams = [self._newest(GSI1, _status_key(s), query) for s in ProcessStatus]
        merged = heapq.merge(*streams, key=lambda found: found["gsi1sk"], reverse=True)
        listed = (
            _process(found)
            for found in merged
            if query.status is None or found["status"] == str(query.status)
        )
        # Only members ask for their own (an admin sees every process), and the event type is
        # a rare filter: both read through the list, no index.
        wanted = (
            p
            for p in listed
            if (query.initiator_id is None or p.initiator.user_id == query.initiator_id)
            and (query.event_type is None or p.event.type == query.event_type)
        )
        return list(itertools.islice(wanted, query.offset, query.offset + query.limit))

    def stats(self, since: datetime, until: datetime, scenario_id: str | None) -> ProcessStats:
        return _stats(self._client, self._table, since, until, scenario_id)

    def _newest(self, index: str, partition: str, query: ProcessQuery) -> Iterator[dict[str, Any]]:
        hash_key, range_key = ("gsi1pk", "gsi1sk") if index == GSI1 else ("gsi2pk", "gsi2sk")
        condition = f"{hash_key} = :p AND {range_key} BETWEEN :since AND :until"
        since = "" if query.since is None else utc_iso(query.since)
        until = "\U0010ffff" if query.until is None else utc_iso(query.until) + _AFTER
        found = dynamo.query(
            self._client,
            TableName=self._table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues={
                ":p": {"S": partition},
                ":since": {"S": since or " "},
                ":until": {"S": until},
            },
            ScanIndexForward=False,
        )
        return map(dynamo.plain, found)


# Index items one stats call reads at most: each is charged whole (body included), so about
# 1 RCU per 8 KB of process read, eventually consistent.
STATS_MAX_ITEMS = 20_000


def _stats(
    client: Any, table: str, since: datetime, until: datetime, scenario_id: str | None
) -> ProcessStats:
    """Counted from the index items of the window, newest first (the status partitions merged),
    projecting away the bodies; past STATS_MAX_ITEMS the answer covers the newest ones only
    (`complete` false). DynamoDB has no aggregate: this is the bounded read instead."""
    if scenario_id is not None:
        partitions = [(GSI2, "gsi2pk", "gsi2sk", f"PSCENARIO#{scenario_id}")]
    else:
        partitions = [(GSI1, "gsi1pk", "gsi1sk", _status_key(s)) for s in ProcessStatus]
    streams = [
        _window(client, table, since, until, index, hash_key, range_key, partition)
        for index, hash_key, range_key, partition in partitions
    ]
    newest = heapq.merge(*streams, key=lambda found: str(found["order"]), reverse=True)
    read = list(itertools.islice(newest, STATS_MAX_ITEMS + 1))
    per_hour: dict[str, dict[str, int]] = {}
    durations: list[int] = []
    for found in read[:STATS_MAX_ITEMS]:
        counts = per_hour.setdefault(str(found["order"])[:13], {})
        counts[str(found["status"])] = counts.get(str(found["status"]), 0) + 1
        if isinstance(found.get("durationMs"), int):
            durations.append(found["durationMs"])
    durations.sort()
    percentiles = {
        name: durations[percentile_rank(len(durations), fraction)] if durations else None
        for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
    }
    return ProcessStats(
        per_hour=per_hour,
        percentiles_ms=percentiles,
        ended=len(durations),
        complete=len(read) <= STATS_MAX_ITEMS,
    )


def _window(
    client: Any,
    table: str,
    since: datetime,
    until: datetime,
    index: str,
    hash_key: str,
    range_key: str,
    partition: str,
) -> Iterator[dict[str, Any]]:
    """One partition's items queued in [since, until], newest first, as `{order, status,
    durationMs}` (read page by page, only as far as the caller goes)."""
    items = dynamo.query(
        client,
        TableName=table,
        IndexName=index,
        KeyConditionExpression=f"{hash_key} = :p AND {range_key} BETWEEN :since AND :until",
        ExpressionAttributeValues={
            ":p": {"S": partition},
            ":since": {"S": utc_iso(since)},
            ":until": {"S": utc_iso(until) + _AFTER},
        },
        ProjectionExpression="#sk, #s, durationMs",
        ExpressionAttributeNames={"#sk": range_key, "#s": "status"},
        ScanIndexForward=False,
    )
    for found in map(dynamo.plain, items):
        found["order"] = found.pop(range_key)
        yield found


def _status_key(status: ProcessStatus) -> str:
    return f"PSTATUS#{status}"


PARTS = "_parts"  # (not stored) the bytes of the item's parts object, once read


def _process(found: dict[str, Any], *, keep_status: bool = False) -> ProcessRecord:
    """The item's process; a stand-in (`model/unreadable.py`) when its body cannot be read.
    Parts held in S3 come from `found[PARTS]` (read by `_with_parts`); without it, as in a
    list, they are left out."""
    row = StoredRow(
        process_id=str(found.get("pk", "")).removeprefix("PROCESS#"),
        scenario_id=str(found.get("scenarioId", "")),
        status=str(found.get("status", "")),
        queued_at=str(found.get("gsi1sk", "")).partition("#")[0],
    )
    pointer = pointer_of(found)
    if pointer is not None and PARTS in found and found[PARTS] is None:
        return _parts_lost(row, found, pointer, keep_status=keep_status)
    return read_process(row, unpacked(found, found.get(PARTS)), keep_status=keep_status)


def _parts_lost(
    row: StoredRow, found: dict[str, Any], pointer: Pointer, *, keep_status: bool
) -> ProcessRecord:
    """A stand-in for a process whose parts object cannot be read: what its body holds, and
    the error `Process.RecordUnreadable` naming the parts left out and where they were."""
    kept = salvaged(row, unpacked(found, None), keep_status=keep_status)
    assert kept.error is not None  # a stand-in always says why
    lost = f"{', '.join(pointer.names)} (S3 object {pointer.key} cannot be read)"
    error = kept.error.model_copy(update={"message": f"{kept.error.message}; left out: {lost}"})
    return kept.model_copy(update={"error": error})


def _too_large(process: ProcessRecord, why: str) -> ProcessRecord:
    """An end that cannot be stored whole: the process without its data and path, in error
    saying so (its own error, if it had one, is kept in the message)."""
    message = f"{why}; its input, output and path were not kept"
    if process.error is not None:
        message += f"; it had ended with {process.error.code}: {process.error.message}"
    return process.model_copy(
        update={
            "status": ProcessStatus.ERROR,
            "input": {},
            "output": None,
            "trace": [],
            "error": ProcessError(code=RECORD_TOO_LARGE, message=message),
        }
    )
