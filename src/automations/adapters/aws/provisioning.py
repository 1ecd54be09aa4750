"""A ScenarioStore that creates a version's state machines when the version is saved.

The version is stored first, then its machines are ensured: a scenario that calls itself finds
its new version as the latest one. If creating a machine fails, the error reaches the caller
and the version stays saved; the executor creates missing machines on first need anyway.
Saving the same BPMN twice names the same machines, so the second save creates none.
"""

from __future__ import annotations

from typing import Any

from automations.adapters.aws.machines import Machines
from automations.model.scenario import ScenarioVersion
from automations.ports import ScenarioStore


class ProvisioningScenarioStore:
    """`inner` for everything; `add_version` also ensures each compiled flavour's machine."""

    def __init__(self, inner: ScenarioStore, machines: Machines) -> None:
        self._inner = inner
        self._machines = machines

    def add_version(
        self, scenario_id: str, bpmn: str, compiled: dict[str, dict[str, Any]]
    ) -> ScenarioVersion:
        saved = self._inner.add_version(scenario_id, bpmn, compiled)
        for flavour, definition in sorted(compiled.items()):
            self._machines.ensure(scenario_id, flavour, definition)
        return saved

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None:
        return self._inner.get_version(scenario_id, version)

    def latest(self, scenario_id: str) -> ScenarioVersion | None:
        return self._inner.latest(scenario_id)

    def versions(self, scenario_id: str) -> list[int]:
        return self._inner.versions(scenario_id)

    def all(self) -> list[ScenarioVersion]:
        return self._inner.all()

    def delete(self, scenario_id: str) -> bool:
        # Its machines stay: running executions use them, and a new save may name them again.
        return self._inner.delete(scenario_id)
