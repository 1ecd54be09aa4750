"""Every example runs with `automations run` and gives what examples/README.md says.

The expected runs live in examples/expectations.json (the README describes the same runs):
status, a subset of the final variables, the error code, and elements the path must include.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from automations.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXPECTATIONS: dict[str, list[dict[str, Any]]] = json.loads(
    (EXAMPLES / "expectations.json").read_text(encoding="utf-8")
)
RUNS = [(stem, i, run) for stem, runs in EXPECTATIONS.items() for i, run in enumerate(runs)]


def test_every_example_has_expected_runs() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.bpmn")} == set(EXPECTATIONS)


@pytest.mark.parametrize(("stem", "index", "expected"), RUNS, ids=[f"{s}-{i}" for s, i, _ in RUNS])
def test_example_run_gives_what_the_readme_says(
    stem: str,
    index: int,
    expected: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", raising=False)
    args = ["run", str(EXAMPLES / f"{stem}.bpmn"), "--input", json.dumps(expected["input"])]
    code = main([*args, "--json"])
    result = json.loads(capsys.readouterr().out)
    assert (code, result["status"]) == (
        (0, "completed") if expected["status"] == "completed" else (1, "error")
    )
    assert {k: result["output"].get(k) for k in expected["output"]} == expected["output"]
    error = result["error"]
    assert (error and error["code"]) == expected.get("error_code")
    if error:
        assert error["element"], "an error names the element where it happened"
    missing = [e for e in expected.get("trace_includes", []) if e not in result["trace"]]
    assert not missing, f"path {result['trace']} lacks {missing}"
