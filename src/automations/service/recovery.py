"""After a restart: every background run left `running` goes on from its checkpoint, every
synchronous one is ended (nobody waits for it any more), then queued ones start."""

from __future__ import annotations

from collections.abc import Iterator

from automations.model.process import ProcessRecord, ProcessStatus
from automations.ports import ExecutionEnd, ProcessQuery, ProcessStore
from automations.service.process_queue import ProcessQueue
from automations.service.process_records import INTERRUPTED, ProcessRecords

PAGE = 500
_GONE_CALLER = "the server stopped while the caller was waiting for this run"


def recover(records: ProcessRecords, queue: ProcessQueue) -> int:
    """Resume background runs left `running`, end synchronous ones, pump; how many resumed."""
    resumed = 0
    # Read every page before starting any: a resumed run may end and change the pages.
    for process in list(_running(records.deps.processes)):
        if process.event.async_:
            queue.start_claimed(process, resume=True)
            resumed += 1
        else:
            records.finish(
                process.id, ExecutionEnd("ABORTED", error=INTERRUPTED, cause=_GONE_CALLER)
            )
    queue.pump()
    return resumed


def _running(store: ProcessStore) -> Iterator[ProcessRecord]:
    offset = 0
    while True:
        batch = store.find(ProcessQuery(status=ProcessStatus.RUNNING, limit=PAGE, offset=offset))
        yield from batch
        offset += len(batch)
        if len(batch) < PAGE:
            return
