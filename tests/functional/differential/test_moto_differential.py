"""Every example run of `examples/expectations.json`, compiled and executed by moto's Step Functions.

moto's interpreter is a port of LocalStack's, which LocalStack checks against AWS: where it and
our expectations disagree, one of them (or our compiler) is wrong. See `moto_support` for what
is patched in moto and why.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from automations.compiler import element_of
from automations.service.scenarios import compile_bpmn, sibling_scenarios


def _load_support() -> Any:
    """`moto_support` beside this file (tests/ is no package; pytest runs in importlib mode)."""
    name = "differential_moto_support"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("moto_support.py"))
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


support = _load_support()
ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
EXPECTATIONS: dict[str, list[dict[str, Any]]] = json.loads(
    (EXAMPLES / "expectations.json").read_text(encoding="utf-8")
)
STATUS = {"SUCCEEDED": "completed", "FAILED": "error"}  # what a process status is in moto's terms

# Runs that fail in moto because the compiled machine breaks a Step Functions rule moto enforces
# (our side, not moto's: see the report in the module docstring of each reason).
OUTER_SCOPE_WRITE = (
    "compiler: a Parallel branch Assigns a process variable that the start state already "
    "declared in the outer scope; moto (LocalStack's interpreter) raises IllegalOuterScopeWrite "
    "(AWS: Parallel/Map iterations cannot assign outer-scope variables) and the run fails with "
    "States.Runtime"
)
SHADOWED_COUNT = (
    "example: the process variable `count` shadows JSONata's $count(), so `$count($orderNumbers)`"
    " in Summarize fails with T1006 'Attempted to invoke a non-function' (JSONata bindings "
    "shadow built-in functions; jsonata-python does the same)"
)
KNOWN_FAILURES = {
    ("parallel-enrichment", 0): OUTER_SCOPE_WRITE,
    ("validate-in-subprocess", 0): OUTER_SCOPE_WRITE,
    ("notify-inclusive", 0): OUTER_SCOPE_WRITE,
    ("notify-inclusive", 1): OUTER_SCOPE_WRITE,
    ("extract-order-numbers", 0): SHADOWED_COUNT,
}


def _runs() -> Iterator[Any]:
    for stem, runs in EXPECTATIONS.items():
        for index, expected in enumerate(runs):
            reason = KNOWN_FAILURES.get((stem, index))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(stem, expected, id=f"{stem}-{index}", marks=marks)


@cache
def compiled(stem: str) -> dict[str, Any]:
    path = EXAMPLES / f"{stem}.bpmn"
    _, definition = compile_bpmn(path, file=path.name, known_scenarios=sibling_scenarios(path))
    return definition


@pytest.fixture(scope="module")
def moto_sfn() -> Iterator[Any]:
    with support.moto_step_functions() as harness:
        yield harness


def test_every_example_has_a_run() -> None:
    stems = {path.stem for path in EXAMPLES.glob("*.bpmn")}
    assert stems == set(EXPECTATIONS)


@pytest.mark.parametrize(("stem", "expected"), _runs())
def test_moto_run_matches_expectations(
    moto_sfn: Any, stem: str, expected: dict[str, Any]
) -> None:
    run = moto_sfn.run(moto_sfn.machine_arn(stem, compiled), expected["input"])
    assert (STATUS.get(run.status, run.status), run.error) == (
        expected["status"],
        expected["error_code"],
    ), run.cause
    if expected["status"] == "completed":
        assert run.output == {**run.output, **expected["output"]}
    else:
        assert run.output is None
    entered = {element_of(name) for name in run.entered}
    assert set(expected["trace_includes"]) <= entered, run.entered
