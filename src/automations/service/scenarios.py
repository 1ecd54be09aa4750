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
    if not SCENARIO_ID.match(scenario_id):
        raise ScenarioInvalid(
            [Problem(scenario_id[:100], 0, "-", "a scenario id is 1-100 letters, digits, - or _")]
        )

    def known(other: str) -> bool:
        return other == scenario_id or store.latest(other) is not None

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
