"""Run scenario files in the embedded engine, as `automations run` does."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from automations.adapters.local.connections import EnvConnections
from automations.adapters.local.secrets import EnvSecrets
from automations.asl import ComponentResolver, Definition, Engine, RealClock, VirtualClock
from automations.asl.ports import Clock
from automations.components.connections import SERVICE_KEY as CONNECTIONS_KEY
from automations.service.outcome import ProcessOutcome, outcome
from automations.service.scenarios import compile_bpmn, sibling_scenarios


class ScenarioFolder:
    """Scenarios on disk: the id `x` is the file `x.bpmn` in one folder, compiled once.

    It is what a call activity's `calledElement` refers to when scenarios are files; pass
    `definition` as the engine resolver's lookup.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.definition = cache(self._compile)

    def _compile(self, scenario_id: str) -> Definition | None:
        path = self.folder / f"{scenario_id}.bpmn"
        if not path.is_file():
            return None
        _, asl = compile_bpmn(path, file=str(path), known_scenarios=sibling_scenarios(path))
        return Definition.parse(asl)

    def load(self, path: Path) -> Definition:
        """The file's machine; raises ScenarioInvalid when it is invalid, missing or unreadable."""
        if not path.is_file():  # reading it raises ScenarioInvalid saying why, as for any file
            compile_bpmn(path, file=str(path))
        definition = self.definition(path.stem)
        assert definition is not None  # the file is there, and compiling it raised if invalid
        return definition

    def resolver(self, services: Mapping[str, Any] | None = None) -> ComponentResolver:
        """Components with `services` (a local database's ports, for `automations run --db`),
        and named connections (sql.query, mail.*, messengers, AI) from
        `AUTOMATIONS_CONNECTIONS`, as in `automations dev`."""
        connections = EnvConnections(EnvSecrets())
        return ComponentResolver(
            definitions=self.definition,
            services={CONNECTIONS_KEY: connections, **(services or {})},
        )


def run_file(
    path: Path,
    variables: dict[str, Any],
    *,
    real_time: bool = False,
    services: Mapping[str, Any] | None = None,
) -> ProcessOutcome:
    """Compile `path` and run it with `variables` as start variables (its components given
    `services` too: records, files and the like; without them those components fail as
    unavailable).

    Call activities find the scenario they call as `<calledElement>.bpmn` beside `path`.
    Without `real_time` the engine runs on a virtual clock: timers and retry back-offs
    take no wall time, which is what a developer trying a scenario wants.
    """
    folder = ScenarioFolder(path.parent)
    definition = folder.load(path)
    clock: Clock = RealClock() if real_time else VirtualClock()
    engine = Engine(folder.resolver(services), clock)
    result = asyncio.run(engine.start(definition, variables, name=path.stem))
    return outcome(result.status, result.output, result.error, result.cause, result.history)
