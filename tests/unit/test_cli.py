"""The `automations` command: exit codes and the `FILE:LINE: ELEMENT_ID: message` lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from automations.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "order-approval.bpmn"
INVALID = ROOT / "tests" / "fixtures" / "invalid"
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<element>\S+): (?P<message>.+)$")


def test_validate_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(EXAMPLE)])
    assert code == 0
    assert capsys.readouterr().out.strip() == f"{EXAMPLE}: ok"


def test_validate_prints_one_line_per_problem_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = INVALID / "unknown-component.bpmn"
    code = main(["validate", str(path)])
    assert code == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["file"] == str(path)
        assert int(match["line"]) > 0


def test_validate_reports_compiler_problems_too(capsys: pytest.CaptureFixture[str]) -> None:
    path = INVALID / "unstructured-parallel-join.bpmn"
    code = main(["validate", str(path)])
    assert code == 2
    assert f"{path}:10: JoinAB: " in capsys.readouterr().out


def test_compile_prints_the_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compile", str(EXAMPLE)])
    assert code == 0
    definition = json.loads(capsys.readouterr().out)
    assert definition["StartAt"] == "OrderReceived"
    assert definition["QueryLanguage"] == "JSONata"


def test_compile_express_refuses_a_long_wait_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "reminder-timer.bpmn"
    code = main(["compile", str(path), "--flavour", "express"])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "EXPRESS workflows cannot run this" in captured.err


def test_compile_timeout_comes_from_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(EXAMPLE), "--timeout-seconds", "3600"]) == 0
    assert json.loads(capsys.readouterr().out)["TimeoutSeconds"] == 3600


def test_run_of_a_file_that_is_not_there_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothere.bpmn"
    assert main(["run", str(missing)]) == 2
    assert main(["run", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"{missing}:0: -: cannot read the file: No such file or directory",
        f"{tmp_path}:0: -: cannot read the file: Is a directory",
    ]
