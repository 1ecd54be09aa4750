"""Each file in tests/fixtures/invalid/ holds one mistake and says where it must be reported.

The expectation is an XML comment on the first line, `<!-- expect: ELEMENT LINE [message] -->`,
or, for a file that cannot start with a comment (empty, not XML, or with an XML declaration,
which must come first), a sidecar `<name>.expect` holding `ELEMENT LINE [message]`.
ELEMENT `-` means the file as a whole; [message] is a part of the problem's message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from automations.bpmn import ScenarioInvalid
from automations.service.scenarios import compile_bpmn
from support.bpmn_documents import load_scenario

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "invalid"
KNOWN_SCENARIOS = {"approve-order"}
# Valid to the loader on purpose: only the compiler can see what is wrong with them.
COMPILER_ONLY = {
    "unstructured-parallel-join.bpmn",
    "join-without-fork.bpmn",
    "implicit-split.bpmn",
    "branch-ends-inside-fork.bpmn",
}

_EXPECT = re.compile(r"(?:<!--\s*)?expect:\s*(\S+)\s+(\d+)(?:\s+(.*?))?\s*(?:-->|$)", re.M)


class Expectation(NamedTuple):
    element: str
    line: int
    message_part: str


def _expectation(path: Path) -> Expectation:
    sidecar = path.with_suffix(".expect")
    text = (
        "expect: " + sidecar.read_text()
        if sidecar.exists()
        else path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    )
    match = _EXPECT.search(text)
    assert match, f"{path.name}: no expect comment or .expect file"
    return Expectation(match[1], int(match[2]), match[3] or "")


def _invalid_files() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.bpmn") if p.name not in COMPILER_ONLY)


def test_there_are_enough_invalid_fixtures() -> None:
    assert len(_invalid_files()) >= 22


@pytest.mark.parametrize("path", _invalid_files(), ids=lambda p: p.stem)
def test_invalid_fixture_is_reported_at_its_element_and_line(path: Path) -> None:
    expected = _expectation(path)
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(path, known_scenarios=KNOWN_SCENARIOS.__contains__)
    assert any(
        p.element == expected.element
        and p.line == expected.line
        and expected.message_part in p.message
        for p in exc.value.problems
    ), f"expected {expected} in:\n{exc.value}"


def test_problems_name_the_fixture_file() -> None:
    path = FIXTURES / "dangling-flow.bpmn"
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(path)
    assert {p.file for p in exc.value.problems} == {str(path)}


def test_unstructured_parallel_join_is_left_to_the_compiler() -> None:
    scenario = load_scenario(FIXTURES / "unstructured-parallel-join.bpmn")
    assert [flow.target for flow in scenario.main.out_flows("Fork")] == ["A", "B", "C"]


@pytest.mark.parametrize("name", sorted(COMPILER_ONLY))
def test_compiler_only_fixture_is_reported_by_the_compiler(name: str) -> None:
    path = FIXTURES / name
    expected = _expectation(path)
    load_scenario(path)  # the loader accepts it: the problem is one of structure
    with pytest.raises(ScenarioInvalid) as exc:
        compile_bpmn(path, file=str(path))
    assert any(
        p.element == expected.element
        and p.line == expected.line
        and expected.message_part in p.message
        for p in exc.value.problems
    ), f"expected {expected} in:\n{exc.value}"
