"""Scenario use cases that need no store: check a BPMN text and compile it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from automations.bpmn import load_scenario
from automations.bpmn.errors import Problem, ScenarioInvalid
from automations.bpmn.model import Scenario
from automations.bpmn.xml import document_text
from automations.compiler import Flavour, compile_scenario
from automations.components.registry import CATALOGUE
from automations.model.scenario import ScenarioVersion
from automations.ports import ScenarioStore

KnownScenarios = Callable[[str], bool]


def compile_bpmn(
    source: str | bytes | Path,
    *,
    file: str | None = None,
    flavour: Flavour = Flavour.STANDARD,
    known_scenarios: KnownScenarios | None = None,
    timeout_seconds: int = 86400,
) -> tuple[Scenario, dict[str, Any]]:
    """Parse, validate (against every registered component) and compile; raises
    ScenarioInvalid with every problem of the file."""
    scenario = load_scenario(
        source, file=file, known_scenarios=known_scenarios, known_components=CATALOGUE
    )
    return scenario, compile_scenario(scenario, flavour, timeout_seconds=timeout_seconds)


def sibling_scenarios(path: Path) -> KnownScenarios:
    """For files on disk: a call activity's calledElement names `<id>.bpmn` beside the caller."""
    folder = path.resolve().parent
    return lambda scenario_id: (folder / f"{scenario_id}.bpmn").is_file()


SCENARIO_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def _id_problem(scenario_id: str) -> Problem | None:
    if SCENARIO_ID.match(scenario_id):
        return None
    return Problem(scenario_id[:100], 0, "-", "a scenario id is 1-100 letters, digits, - or _")


def _known_in(store: ScenarioStore, scenario_id: str | None) -> KnownScenarios:
    """Call activities may name a stored scenario, or the one being saved (itself)."""
    return lambda other: other == scenario_id or store.latest(other) is not None


def check_scenario(
    store: ScenarioStore,
    bpmn: str | bytes,
    *,
    scenario_id: str | None = None,
    timeout_seconds: int = 86400,
) -> list[Problem]:
    """Every problem that would make `save_scenario` refuse this file (none: it would save);
    nothing is stored. `scenario_id` is the id it would be saved as, when known."""
    problem = None if scenario_id is None else _id_problem(scenario_id)
    if problem is not None:
        return [problem]
    try:
        compile_bpmn(
            bpmn,
            file=f"{scenario_id or 'draft'}.bpmn",
            known_scenarios=_known_in(store, scenario_id),
            timeout_seconds=timeout_seconds,
        )
    except ScenarioInvalid as exc:
        return exc.problems
    return []


def save_scenario(
    store: ScenarioStore, scenario_id: str, bpmn: str | bytes, *, timeout_seconds: int = 86400
) -> ScenarioVersion:
    """Compile a BPMN file for both flavours and store it as the scenario's next version.

    `bpmn` is the file's bytes (read in the encoding the file says, as the CLI reads a file;
    stored as text) or its text.

    Raises ScenarioInvalid (nothing stored) when the STANDARD machine cannot be built. A
    scenario EXPRESS cannot run (a long wait, a call activity) is stored without that flavour;
    its synchronous events then run the STANDARD machine.
    """
    problem = _id_problem(scenario_id)
    if problem is not None:
        raise ScenarioInvalid([problem])
    known = _known_in(store, scenario_id)
    file = f"{scenario_id}.bpmn"
    _, standard = compile_bpmn(
        bpmn, file=file, known_scenarios=known, timeout_seconds=timeout_seconds
    )
    compiled = {Flavour.STANDARD.value: standard}
    try:
        _, express = compile_bpmn(
            bpmn,
            file=file,
            flavour=Flavour.EXPRESS,
            known_scenarios=known,
            timeout_seconds=timeout_seconds,
        )
        compiled[Flavour.EXPRESS.value] = express
    except ScenarioInvalid:
        pass  # only what EXPRESS refuses can fail here: STANDARD compiled the same file
    text = bpmn if isinstance(bpmn, str) else document_text(bpmn, file=file)
    return store.add_version(scenario_id, text, compiled)
