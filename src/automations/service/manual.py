"""`$manual`: a person (API or CLI) starts a scenario with the input they give.

Synchronous by default: the caller gets the finished process (its output is the scenario's
variables). Asynchronous: the process is queued like any other and the caller gets it at once.
"""

from __future__ import annotations

from typing import Any

from automations.model.event import EventType
from automations.model.process import ProcessRecord
from automations.service.errors import ScenarioNotFound
from automations.service.processes import Processes, Start
from automations.service.variables import Trigger

MANUAL_SOURCE = "manual"


def run_manual(
    processes: Processes,
    scenario_id: str,
    variables: dict[str, Any],
    *,
    user_id: str | None,
    wait: bool = True,
) -> ProcessRecord:
    """Start the scenario; the finished process when `wait`, else the queued one."""
    if processes.deps.scenarios.latest(scenario_id) is None:
        raise ScenarioNotFound(f"scenario {scenario_id} has no saved version")
    start = Start(
        scenario_id=scenario_id,
        trigger=Trigger(EventType.MANUAL, MANUAL_SOURCE, user_id, sync=wait, facts=variables),
    )
    if wait:
        return processes.run_sync(start)
    queued = processes.enqueue(start)
    assert queued is not None  # a fresh random id cannot exist yet
    processes.pump()
    return processes.get(queued.id)
