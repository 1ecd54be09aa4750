"""Run a scenario file once in the embedded engine, as `automations run` does."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path
from typing import Any

from automations.asl import ComponentResolver, Definition, Engine, RealClock, VirtualClock
from automations.asl.ports import Clock
from automations.compiler import Flavour
from automations.service.outcome import ProcessOutcome, outcome
from automations.service.scenarios import compile_bpmn, sibling_scenarios


def run_file(path: Path, variables: dict[str, Any], *, real_time: bool = False) -> ProcessOutcome:
    """Compile `path` and run it with `variables` as start variables.

    Call activities find the scenario they call as `<calledElement>.bpmn` beside `path`.
    Without `real_time` the engine runs on a virtual clock: timers and retry back-offs
    take no wall time, which is what a developer trying a scenario wants.
    """
    _, definition = compile_bpmn(path, file=str(path), known_scenarios=sibling_scenarios(path))
    folder = path.resolve().parent

    @cache
    def called(scenario_id: str) -> Definition | None:
        child = folder / f"{scenario_id}.bpmn"
        if not child.is_file():
            return None
        _, asl = compile_bpmn(child, file=str(child), known_scenarios=sibling_scenarios(child))
        return Definition.parse(asl)

    clock: Clock = RealClock() if real_time else VirtualClock()
    engine = Engine(ComponentResolver(definitions=called), clock)
    result = asyncio.run(engine.start(definition, variables, name=path.stem))
    return outcome(result.status, result.output, result.error, result.cause, result.history)


__all__ = ["Flavour", "run_file"]
