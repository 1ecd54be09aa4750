"""Scenario use cases that need no store: check a BPMN text and compile it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from automations.bpmn import load_scenario
from automations.bpmn.model import Scenario
from automations.compiler import Flavour, compile_scenario

KnownScenarios = Callable[[str], bool]


def compile_bpmn(
    source: str | bytes | Path,
    *,
    file: str | None = None,
    flavour: Flavour = Flavour.STANDARD,
    known_scenarios: KnownScenarios | None = None,
    timeout_seconds: int = 86400,
) -> tuple[Scenario, dict[str, Any]]:
    """Parse, validate and compile; raises ScenarioInvalid with every problem of the file."""
    scenario = load_scenario(source, file=file, known_scenarios=known_scenarios)
    return scenario, compile_scenario(scenario, flavour, timeout_seconds=timeout_seconds)


def sibling_scenarios(path: Path) -> KnownScenarios:
    """For files on disk: a call activity's calledElement names `<id>.bpmn` beside the caller."""
    folder = path.resolve().parent
    return lambda scenario_id: (folder / f"{scenario_id}.bpmn").is_file()
