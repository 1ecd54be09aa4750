"""Differential test: every run of `examples/expectations.json`, compiled to ASL, executed by moto's
Step Functions interpreter and by our embedded engine (`automations.asl`).

moto's interpreter is a port of LocalStack's, which LocalStack checks against AWS snapshots; see
`moto_support` for what is patched in moto and why. Two tests per run:

- moto against the expectations (status, error code, the listed variables, the listed elements
  of the trace);
- the engine against moto (same status, same error name, the same output, compared whole).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import moto_support as support
import pytest

from automations.asl import ComponentResolver, Engine, ExecutionResult, VirtualClock
from automations.compiler import element_of
from automations.service.scenarios import compile_bpmn, sibling_scenarios

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXPECTATIONS: dict[str, list[dict[str, Any]]] = json.loads(
    (EXAMPLES / "expectations.json").read_text(encoding="utf-8")
)
RUNS = [
    pytest.param(stem, index, id=f"{stem}-{index}")
    for stem, runs in EXPECTATIONS.items()
    for index in range(len(runs))
]
PROCESS_STATUS = {"SUCCEEDED": "completed", "FAILED": "error"}
ENGINE_DEADLINE_SECONDS = 1.0  # an engine run takes milliseconds; this only bounds a hang

# Runs known to fail, each with the text that shows it is that failure and not another. A run
# listed here that stops failing this way fails the test: then remove its line.
MOTO_VS_EXPECTATIONS: dict[tuple[str, int], tuple[str, str]] = {}
ENGINE_VS_MOTO: dict[tuple[str, int], tuple[str, str]] = {}


def known_failure(table: dict[tuple[str, int], tuple[str, str]], key: Any, seen: str) -> None:
    """xfail a listed run when `seen` carries its signature; fail it when it no longer does."""
    if key in table:
        signature, reason = table[key]
        assert signature in seen, f"{key} no longer fails with {signature}: unlist it ({seen})"
        pytest.xfail(reason)


@cache
def compiled(stem: str) -> dict[str, Any]:
    path = EXAMPLES / f"{stem}.bpmn"
    _, definition = compile_bpmn(path, file=path.name, known_scenarios=sibling_scenarios(path))
    return definition


@pytest.fixture(scope="module")
def moto_run() -> Iterator[Callable[[str, int], Any]]:
    """Runs an example in moto once per module; both tests read the same `MotoRun`."""
    done: dict[tuple[str, int], Any] = {}
    with support.moto_step_functions() as moto:

        def run(stem: str, index: int) -> Any:
            if (stem, index) not in done:
                arn = moto.machine_arn(stem, compiled)
                done[stem, index] = moto.run(arn, EXPECTATIONS[stem][index]["input"])
            return done[stem, index]

        yield run


def engine_run(stem: str, index: int) -> ExecutionResult:
    """The embedded engine on a virtual clock; call activities run the called example."""
    engine = Engine(ComponentResolver(definitions=compiled), VirtualClock())
    start = engine.start(compiled(stem), EXPECTATIONS[stem][index]["input"], name=f"run-{index}")
    return asyncio.run(asyncio.wait_for(start, ENGINE_DEADLINE_SECONDS))


def test_every_example_has_runs() -> None:
    assert {path.stem for path in EXAMPLES.glob("*.bpmn")} == set(EXPECTATIONS)


@pytest.mark.parametrize(("stem", "index"), RUNS)
def test_moto_matches_expectations(
    moto_run: Callable[[str, int], Any], stem: str, index: int
) -> None:
    expected = EXPECTATIONS[stem][index]
    run = moto_run(stem, index)
    diagnosis = "\n".join([str(run.cause), *run.logged])  # a Parallel's cause hides the real one
    known_failure(MOTO_VS_EXPECTATIONS, (stem, index), diagnosis)
    assert (PROCESS_STATUS.get(run.status, run.status), run.error) == (
        expected["status"],
        expected["error_code"],
    ), diagnosis
    if expected["status"] == "completed":
        assert run.output == {**run.output, **expected["output"]}
    else:
        assert run.output is None
    assert set(expected["trace_includes"]) <= {element_of(name) for name in run.entered}


@pytest.mark.parametrize(("stem", "index"), RUNS)
def test_engine_matches_moto(moto_run: Callable[[str, int], Any], stem: str, index: int) -> None:
    moto = moto_run(stem, index)
    try:
        result = engine_run(stem, index)
    except TimeoutError:
        known_failure(ENGINE_VS_MOTO, (stem, index), "TimeoutError")
        pytest.fail(f"the engine did not finish {stem} within {ENGINE_DEADLINE_SECONDS} s")
    known_failure(ENGINE_VS_MOTO, (stem, index), f"{result.status} {result.error}")
    assert (result.status, result.error, result.output) == (moto.status, moto.error, moto.output), (
        f"engine cause: {result.cause}\nmoto cause: {moto.cause}"
    )
