"""Process records that cannot be read back, and what stores give in their place.

A store reads a process from its body (a JSON document) and keeps a few parts beside it
(id, scenario, status, when it was queued). A body that no longer decodes (not JSON, or nesting
deeper than the reader goes, as bodies written before the depth limit could) must not break the
list it is part of: `read_process` answers a stand-in for it, and `salvaged` builds one that
keeps whatever part of the body still reads, each unreadable part replaced by nothing and named
in the error `Process.RecordUnreadable`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from automations.json_depth import JSON_DEPTH_CEILING, text_depth_over, value_depth_over
from automations.model.process import ProcessError, ProcessRecord, ProcessStatus

RECORD_UNREADABLE = "Process.RecordUnreadable"
# A broken body is parsed to save its readable parts only if the parser cannot run out of stack
# on it; values are kept only if a process record holding them reads back.
_PARSE_DEPTH = 2 * JSON_DEPTH_CEILING
_KEEP_DEPTH = JSON_DEPTH_CEILING
# The parts a stand-in always takes from the store's own columns.
_FROM_COLUMNS = frozenset({"id", "scenarioId", "status", "queuedAt"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StoredRow:
    """What a store keeps of a process beside its body (columns, item attributes)."""

    process_id: str
    scenario_id: str
    status: str
    queued_at: str


def read_process(
    row: StoredRow, body: str | bytes | None, *, keep_status: bool = False
) -> ProcessRecord:
    """The process the body holds; when it cannot be decoded, `salvaged` (with the status
    `error`, or the row's with `keep_status`)."""
    if body is not None:
        try:
            return ProcessRecord.model_validate_json(body)
        except ValueError:  # pydantic's ValidationError, and text that is no UTF-8
            pass
    return salvaged(row, body, keep_status=keep_status)


def readable(body: str | bytes) -> bool:
    """Whether a stored body decodes into a process (what `repair` looks for)."""
    try:
        ProcessRecord.model_validate_json(body)
    except ValueError:
        return False
    return True


def is_unreadable(process: ProcessRecord) -> bool:
    """Whether this is a stand-in for a record that could not be read."""
    return process.error is not None and process.error.code == RECORD_UNREADABLE


def salvaged(row: StoredRow, body: str | bytes | None, *, keep_status: bool) -> ProcessRecord:
    """A readable record for an unreadable body: id, scenario and queue time from the row,
    every part of the body that still reads, the error `Process.RecordUnreadable` naming what
    was left out, and the status `error`, or with `keep_status` the one stored beside it
    (unless `queued`: what it was to start with is not whole, so it never starts)."""
    record = _base(row, keep_status)
    kept, lost = _readable_parts(record, _parsed(body))
    message = f"the stored record of process {row.process_id} could not be read back"
    if lost:
        message += "; left out: " + ", ".join(lost)
    if kept.error is not None:  # the process's own error, readable: still worth knowing
        message += f"; it had ended with {kept.error.code}: {kept.error.message}"
    error = ProcessError(code=RECORD_UNREADABLE, message=message)
    return kept.model_copy(update={"error": error})


def _base(row: StoredRow, keep_status: bool) -> ProcessRecord:
    status = row.status if keep_status and row.status != ProcessStatus.QUEUED else "error"
    fields: dict[str, Any] = {
        "id": row.process_id,
        "scenarioId": row.scenario_id,
        "scenarioVersion": 0,
        "event": {"id": "", "type": "unknown"},
        "status": status,
        "queuedAt": row.queued_at,
    }
    try:
        return ProcessRecord.model_validate(fields)
    except ValidationError:  # a column that is no status or time either
        return ProcessRecord.model_validate(
            fields | {"status": ProcessStatus.ERROR, "queuedAt": _EPOCH}
        )


def _parsed(body: str | bytes | None) -> dict[str, Any] | None:
    if body is None or text_depth_over(body, _PARSE_DEPTH) is not None:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _readable_parts(
    record: ProcessRecord, document: dict[str, Any] | None
) -> tuple[ProcessRecord, list[str]]:
    """The record with each part of `document` that reads added to it, and the names of the
    parts that do not (all of them, when there is no document)."""
    if document is None:
        return record, ["all but its id, scenario and queue time (not JSON that can be read)"]
    fields = record.model_dump(by_alias=True)
    lost: list[str] = []
    for name, value in document.items():
        if name in _FROM_COLUMNS:
            continue
        if value_depth_over(value, _KEEP_DEPTH) is not None:
            lost.append(f"{name} (nested deeper than {_KEEP_DEPTH} levels)")
            continue
        try:
            record = ProcessRecord.model_validate(fields | {name: value})
        except ValidationError:
            lost.append(f"{name} (not what a process holds)")
            continue
        fields[name] = value
    return record, lost
