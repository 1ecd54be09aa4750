"""ASL conformance: every execution AWS recorded (LocalStack's snapshots) run on our engine.

Each case gives a definition and input; AWS's status, output, error, cause and history event
types must come out (normalised as the corpus README says). Cases we cannot make pass are listed
in asl_known_failures.tsv and marked xfail(strict=True), so a fixed case shows up; a listed case
still may not crash: only an AssertionError counts as its expected failure.
"""

from __future__ import annotations

import json

import pytest
from tests.conformance.asl_support import (
    CASES,
    CORPUS,
    INVALID,
    case_names,
    judge,
    known_failures,
    load_case,
    run_case,
    run_case_with_crash,
)
from tests.conformance.corpus import corpus_dir

from automations.asl import (
    Definition,
    ExecutionResult,
    InvalidDefinition,
    InvalidExecutionInput,
    validate_definition,
)
from automations.asl.json_text import parse_execution_input


def _case_params() -> list[object]:
    if not CASES.is_dir():
        return [pytest.param("<corpus missing>", id="corpus-missing")]
    failures = known_failures()
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=failures[name])]
            if name in failures
            else [],
        )
        for name in case_names()
    ]


def _require_corpus() -> None:
    """Skip with the reason (or fail when AUTOMATIONS_REQUIRE_CONFORMANCE=1) if it is absent."""
    corpus_dir("asl")


@pytest.mark.parametrize("name", _case_params())
def test_asl_case(name: str) -> None:
    _require_corpus()
    case = load_case(name)
    result = run_case(case)
    assert isinstance(result, ExecutionResult)
    problems = judge(case, result)
    assert not problems, "\n".join(problems)


def test_known_failures_meet_the_targets() -> None:
    """Every JSONata case passes; at least 95% of all cases pass; listed names exist."""
    _require_corpus()
    failures = known_failures()
    names = set(case_names())
    assert set(failures) <= names, f"unknown cases listed: {sorted(set(failures) - names)}"
    jsonata = [n for n in failures if "jsonata" in load_case(n)["features"]]
    assert not jsonata, f"JSONata cases must pass: {jsonata}"
    assert len(failures) <= 0.05 * len(names)


def _invalid_params() -> list[object]:
    if not INVALID.is_dir():
        return [pytest.param("<corpus missing>", id="corpus-missing")]
    return [pytest.param(p.stem, id=p.stem) for p in sorted(INVALID.glob("*.json"))]


@pytest.mark.parametrize("name", _invalid_params())
def test_asl_invalid(name: str) -> None:
    """The API rejections AWS recorded: InvalidDefinition / InvalidExecutionInput, same message."""
    _require_corpus()
    case = json.loads((INVALID / f"{name}.json").read_text(encoding="utf-8"))
    expected = case["expected_error"]
    message = expected["message"].replace("arn:<partition>:", "arn:aws:")
    if case["api"] == "StartExecution":
        with pytest.raises(InvalidExecutionInput) as raised:
            parse_execution_input(case["input_string"])
    else:
        with pytest.raises(InvalidDefinition) as raised:
            Definition.parse(
                case["definition_string"], state_machine_type=case["state_machine_type"]
            )
    assert expected["code"] == type(raised.value).__name__
    assert str(raised.value) == message


def _validate_params() -> list[object]:
    folder = CORPUS / "validate"
    if not folder.is_dir():
        return [pytest.param("<corpus missing>", id="corpus-missing")]
    return [pytest.param(p.stem, id=p.stem) for p in sorted(folder.glob("*.json"))]


@pytest.mark.parametrize("name", _validate_params())
def test_asl_validate(name: str) -> None:
    """ValidateStateMachineDefinition's verdicts: the same diagnostics (code, location, text)."""
    _require_corpus()
    case = json.loads((CORPUS / "validate" / f"{name}.json").read_text(encoding="utf-8"))
    found = validate_definition(
        case["definition_string"], state_machine_type=case["request_options"]["type"]
    )
    expected = case["expected"]["diagnostics"]
    assert [d.message for d in found] == [d["message"] for d in expected]
    assert [d.code for d in found] == [d["code"] for d in expected]
    assert ("OK" if not found else "FAIL") == case["expected"]["result"]


def test_every_case_gives_the_same_result_after_a_crash_half_way() -> None:
    """Durable execution on the whole corpus: stop after the middle checkpoint, resume in a
    new engine, and the result must still be AWS's (statuses, outputs, errors, histories)."""
    _require_corpus()
    failures = known_failures()
    problems: dict[str, list[str]] = {}
    for name in case_names():
        if name in failures:
            continue
        case = load_case(name)
        _, saves = run_case_with_crash(case, None)
        result, _ = run_case_with_crash(case, max(1, saves // 2))
        found = judge(case, result)
        if found:
            problems[name] = found
    assert not problems, "\n".join(f"{n}: {p[0]}" for n, p in problems.items())
