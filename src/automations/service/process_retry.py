"""Retry: a process that ended in error goes on from the element that failed.

The same process (id, scenario version, start variables) runs again from where it broke off,
with the variables it held there (some changed first, if asked): what completed before is not
run again, so its emails, records and payments happen once. The executor does the going on
(`Executor.redrive`: the embedded engine from its checkpoint, Step Functions with
RedriveExecution); here the process is claimed, so that a second retry while it runs is
refused, and what cannot be retried says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.model.process import ProcessChange, ProcessRecord, ProcessStatus
from automations.ports import RedriveRefused
from automations.service.errors import ProcessNotRetryable
from automations.service.process_queue import ProcessQueue
from automations.service.process_records import STANDARD, ProcessRecords

_ERROR = frozenset({ProcessStatus.ERROR})
_RUNNING = frozenset({ProcessStatus.RUNNING})


def retry(
    records: ProcessRecords,
    queue: ProcessQueue,
    process: ProcessRecord,
    variables: Mapping[str, Any] | None = None,
) -> ProcessRecord:
    """Run `process` on from where it failed; the process, now `running`."""
    deps = records.deps
    _check(process)
    version = deps.scenarios.get_version(process.scenario_id, process.scenario_version)
    if version is None or STANDARD not in version.compiled:
        raise ProcessNotRetryable(
            f"process {process.id}: version {process.scenario_version} of scenario "
            f"{process.scenario_id} is gone, and a retry runs the version it started with"
        )
    claimed = deps.processes.change(
        process.id, _ERROR, ProcessChange(status=ProcessStatus.RUNNING, retried=True)
    )
    if claimed is None:  # another retry (or a stop) came first
        current = deps.processes.get(process.id)
        _check(current or process, being_retried=True)
        raise ProcessNotRetryable(f"process {process.id} changed while it was being retried")
    request = records.request(claimed, version, express=False)
    try:
        deps.executor.redrive(
            request, variables, lambda end: queue.finish_and_pump(claimed.id, end)
        )
    except RedriveRefused as refused:
        # As it was: the error it ended with still says what happened.
        deps.processes.change(
            process.id,
            _RUNNING,
            ProcessChange(
                status=ProcessStatus.ERROR,
                finished_at=process.finished_at,
                duration_ms=process.duration_ms,
                error=process.error,
            ),
        )
        raise ProcessNotRetryable(
            f"process {process.id} cannot be retried: {refused.message}"
        ) from None
    return claimed


def _check(process: ProcessRecord, *, being_retried: bool = False) -> None:
    """Refuse, saying why, what is not a process that ended in error after it ran."""
    status = process.status
    if status is ProcessStatus.RUNNING and (being_retried or process.retries):
        raise ProcessNotRetryable(
            f"process {process.id} is running (retried {process.retries} time(s)): "
            "wait until it ends; only a process that ended in error can be retried"
        )
    if status is not ProcessStatus.ERROR:
        raise ProcessNotRetryable(
            f"process {process.id} is {status}: only a process that ended in error can be retried"
        )
    if process.started_at is None:
        code = process.error.code if process.error else "error"
        raise ProcessNotRetryable(
            f"process {process.id} never ran ({code}): there is nothing to go on from; "
            "start the scenario again"
        )
    if not process.event.async_:
        raise ProcessNotRetryable(
            f"process {process.id} ran while its caller waited (a web request, a hook, a "
            "synchronous run): such a run keeps no checkpoint, and on AWS it is an EXPRESS "
            "execution, which Step Functions cannot redrive; start the scenario again"
        )
