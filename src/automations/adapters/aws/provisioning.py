"""A ScenarioStore that publishes a version's state machines when the version is saved.

The version is stored first, then each compiled kind is published on the scenario's machine
(`Machines.publish`: created on the first save, updated with a new Step Functions version on a
changed one, untouched on an unchanged one): a scenario that calls itself finds its new version
as the latest one. The Step Functions version's description names the scenario version that
first published it. If publishing fails, the error reaches the caller and the version stays
saved; the executor publishes a scenario's newest definition on first need anyway.

Two saves of one scenario at once may publish in the opposite order of their numbers; so after
publishing, a newer saved version (if one appeared) is published again: the machine's current
definition, which call activities run, ends as the newest one's. Then old versions are pruned.
"""

from __future__ import annotations

from typing import Any

from automations.adapters.aws.machines import Machines
from automations.model.scenario import ScenarioVersion
from automations.ports import ScenarioStore


class ProvisioningScenarioStore:
    """`inner` for everything; `add_version` also publishes each compiled kind's machine."""

    def __init__(self, inner: ScenarioStore, machines: Machines) -> None:
        self._inner = inner
        self._machines = machines

    def add_version(
        self, scenario_id: str, bpmn: str, compiled: dict[str, dict[str, Any]]
    ) -> ScenarioVersion:
        saved = self._inner.add_version(scenario_id, bpmn, compiled)
        self._publish(saved)
        latest = self._inner.latest(scenario_id)
        if latest is not None and latest.version > saved.version:
            self._publish(latest)
        for flavour in sorted(compiled):
            self._machines.prune(scenario_id, flavour)
        return saved

    def _publish(self, version: ScenarioVersion) -> None:
        said = f"scenario {version.scenario_id} version {version.version}"[:256]
        for flavour, definition in sorted(version.compiled.items()):
            self._machines.publish(version.scenario_id, flavour, definition, said)

    def get_version(self, scenario_id: str, version: int) -> ScenarioVersion | None:
        return self._inner.get_version(scenario_id, version)

    def latest(self, scenario_id: str) -> ScenarioVersion | None:
        return self._inner.latest(scenario_id)

    def versions(self, scenario_id: str) -> list[int]:
        return self._inner.versions(scenario_id)

    def all(self) -> list[ScenarioVersion]:
        return self._inner.all()

    def delete(self, scenario_id: str) -> bool:
        # Its machines and versions stay: queued and running processes use them, a redrive
        # may, and saving the scenario again goes on with the same machines. The stack's
        # teardown deletes them (functions/teardown).
        return self._inner.delete(scenario_id)
