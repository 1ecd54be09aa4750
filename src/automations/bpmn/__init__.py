"""Read a BPMN 2.0 scenario into the scenario graph, safely, reporting every problem at once.

    scenario = load_scenario(Path("examples/rates.bpmn"))

`source` is a `Path` (read from disk), `bytes` (the file's content) or `str` (XML text, as an
editor posts it). Every problem found (XML, XSD, structure, extensions, expressions) comes back
together in one `ScenarioInvalid`, each with file, line, element id and a one-line message.
"""

from __future__ import annotations

from pathlib import Path

from automations.bpmn.errors import Problem, ScenarioInvalid
from automations.bpmn.model import (
    AUTO_NS,
    BPMN_NS,
    Element,
    ErrorDef,
    Flow,
    Graph,
    Kind,
    Loop,
    Param,
    Process,
    RetryPolicy,
    Scenario,
    Timer,
)
from automations.bpmn.parser import build_scenario, graphs
from automations.bpmn.validate import (
    KnownComponent,
    KnownComponents,
    KnownScenarios,
    validate_scenario,
)
from automations.bpmn.xml import DEFAULT_MAX_BYTES, read_document, xsd_problems

Source = str | bytes | Path
MAX_MESSAGE_CHARS = 300  # a problem is one line in a terminal or an editor's gutter


def parse_scenario(
    source: Source, *, file: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Scenario:
    """Parse and check against the XSD, without the semantic checks of `load_scenario`.

    Raises ScenarioInvalid when the file is unsafe, not BPMN, or not representable.
    """
    scenario, problems = _parse(source, file, max_bytes)
    _raise_if(problems)
    return scenario


def load_scenario(
    source: Source,
    *,
    file: str | None = None,
    known_scenarios: KnownScenarios | None = None,
    known_components: KnownComponents | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Scenario:
    """Parse, check against the XSD and validate; the scenario is ready for the compiler.

    `known_scenarios(id)` tells whether a call activity may call scenario `id`;
    `known_components` are the components an `auto:component` may name (the product's are
    `automations.components.registry.CATALOGUE`; without them, none).
    Raises ScenarioInvalid carrying every problem found.
    """
    scenario, problems = _parse(source, file, max_bytes)
    if scenario.processes:
        problems += validate_scenario(
            scenario, known_scenarios=known_scenarios, known_components=known_components
        )
    _raise_if(problems)
    return scenario


def _parse(source: Source, file: str | None, max_bytes: int) -> tuple[Scenario, list[Problem]]:
    doc = read_document(source, file=file, max_bytes=max_bytes)
    scenario, problems = build_scenario(doc)
    return scenario, xsd_problems(doc) + problems


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        # The XSD and the checks can see the same slip; say it once.
        raise ScenarioInvalid(list(dict.fromkeys(_one_line(p) for p in problems)))


def _one_line(problem: Problem) -> Problem:
    """Messages quote the file's own text (ids, values): keep each problem one bounded line,
    whatever newlines or megabytes the file put there."""
    element, message = _squeeze(problem.element, 100), _squeeze(problem.message, MAX_MESSAGE_CHARS)
    if (element, message) == (problem.element, problem.message):
        return problem
    return Problem(problem.file, problem.line, element, message)


def _squeeze(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    keep = limit // 3  # the end of a message usually says what to do: keep some of it
    return f"{text[: limit - keep - 3]}...{text[-keep:]}"


__all__ = [
    "AUTO_NS",
    "BPMN_NS",
    "DEFAULT_MAX_BYTES",
    "Element",
    "ErrorDef",
    "Flow",
    "Graph",
    "Kind",
    "KnownComponent",
    "KnownComponents",
    "KnownScenarios",
    "Loop",
    "Param",
    "Problem",
    "Process",
    "RetryPolicy",
    "Scenario",
    "ScenarioInvalid",
    "Timer",
    "graphs",
    "load_scenario",
    "parse_scenario",
    "validate_scenario",
]
