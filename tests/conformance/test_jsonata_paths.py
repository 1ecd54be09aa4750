"""Differential: the fast JSONata path and jsonata-python alone give the same answers.

`AUTOMATIONS_JSONATA_FAST=0` sends every expression through jsonata-python; by default the
fast path (expressions/fast.py closures and the per-state field plans) answers what it can.
Both must agree, value for value (int vs float, null vs undefined) and error for error:

- every JSONata case of the ASL corpus runs in two processes, one per setting of the switch,
  and ends the same way (status, output, error, cause, the whole history);
- every JSONata evaluation of those runs (its text and the variables it saw) is evaluated again
  here through the fast path and through the library, as is every `{% %}` the runs never
  reached (on the case's own input);
- every `{% %}` of examples/*.bpmn, of their compiled machines and of the BPMN corpus is
  evaluated both ways on generated variables: plausible values (the examples' own inputs) and
  arbitrary JSON under the names the expression reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conformance.asl_support import load_case
from tests.conformance.corpus import CONFORMANCE_ROOT, corpus_dir
from tests.conformance.jsonata_runs import expressions_in

from automations.bpmn.xml import read_document
from automations.expressions import ExpressionError, compile_jsonata, expression_text
from automations.expressions import fast as fast_path
from automations.expressions.errors import Unsupported
from automations.expressions.fast import fast_evaluator
from automations.expressions.free_vars import free_variables
from automations.expressions.template import is_expression

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
COMPILED_EXAMPLES = ROOT / "statemachines" / "examples"
BPMN_CORPUS = CONFORMANCE_ROOT / "bpmn-miwg"


# --- the two paths, one expression at a time ------------------------------------------------


def _library(text: str, variables: dict[str, Any], now_ms: int | None) -> tuple[Any, ...]:
    try:
        return ("value", compile_jsonata(text).evaluate(None, variables, now_ms=now_ms))
    except ExpressionError as err:
        return ("error", type(err).__name__, getattr(err, "code", ""), str(err))


def _fast(text: str, variables: dict[str, Any], now_ms: int | None) -> tuple[tuple[Any, ...], bool]:
    """What the engine's fast path answers, and whether its closure answered (not the library)."""
    try:
        closure = fast_evaluator(text)
    except ExpressionError as err:
        return ("error", type(err).__name__, getattr(err, "code", ""), str(err)), False
    if closure is not None:
        try:
            return ("value", closure(dict(variables))), True
        except Unsupported:
            pass  # the engine then asks the library, as below
    return _library(text, variables, now_ms), False


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 is not 1.0, None is not UNDEFINED)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _agree(text: str, variables: dict[str, Any], now_ms: int | None = None) -> bool:
    """Assert both paths answer alike; True when the fast closure gave the answer."""
    before = json.dumps(variables, sort_keys=True)
    fast, answered = _fast(text, variables, now_ms)
    assert json.dumps(variables, sort_keys=True) == before, f"{text!r}: the fast path wrote"
    library = _library(text, variables, now_ms)
    assert _same(fast, library), f"{text!r} with {variables!r}:\n fast {fast!r}\n  lib {library!r}"
    return answered


# --- the ASL corpus, in two processes -------------------------------------------------------


def _runs(switch: str, *extra: str) -> dict[str, Any]:
    environment = {**os.environ, fast_path.SWITCH: switch, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.conformance.jsonata_runs", *extra],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def library_runs() -> dict[str, Any]:
    corpus_dir("asl")
    return _runs("0", "--record")


@pytest.fixture(scope="module")
def fast_runs() -> dict[str, Any]:
    corpus_dir("asl")
    return _runs("1")


def test_the_switch_chooses_the_path(
    library_runs: dict[str, Any], fast_runs: dict[str, Any]
) -> None:
    assert (library_runs["fast_path"], fast_runs["fast_path"]) == (False, True)
    assert library_runs["runs"].keys() == fast_runs["runs"].keys()
    assert len(library_runs["runs"]) >= 100  # the corpus's JSONata cases, not a handful


def test_every_jsonata_case_ends_alike_on_both_paths(
    library_runs: dict[str, Any], fast_runs: dict[str, Any]
) -> None:
    differ = [
        name
        for name, run in library_runs["runs"].items()
        if run["result"] != fast_runs["runs"][name]["result"]
    ]
    assert not differ, f"results or histories differ between the paths: {differ}"


def test_every_corpus_expression_gives_the_same_on_both_paths(
    library_runs: dict[str, Any],
) -> None:
    evaluated = answered = 0
    for name, run in library_runs["runs"].items():
        seen: set[str] = set()
        for note in run["evaluations"]:
            seen.add(note["text"])
            answered += _agree(note["text"], note["variables"], note["now_ms"])
            evaluated += 1
        case = load_case(name)
        for value in expressions_in(case["definition"]):
            text = expression_text(value)
            if text not in seen:  # a branch the run did not take: the case's input then
                answered += _agree(text, {"states": {"input": case["input"]}})
                evaluated += 1
    assert evaluated >= 100
    assert answered * 2 >= evaluated, f"the fast closures answered only {answered}/{evaluated}"


# --- the examples and the BPMN corpus, on generated variables --------------------------------


def _bpmn_expressions(path: Path) -> set[str]:
    """The JSONata of every `{% %}` attribute or text in a BPMN file."""
    found: set[str] = set()
    for element in read_document(path).root.iter():
        values = [*element.attrib.values(), element.text or ""]
        found.update(expression_text(v.strip()) for v in values if is_expression(v.strip()))
    return found


def _asl_expressions(path: Path) -> set[str]:
    definition = json.loads(path.read_text(encoding="utf-8"))
    return {expression_text(value) for value in expressions_in(definition)}


@cache
def _example_expressions() -> list[str]:
    found: set[str] = set()
    for path in sorted(EXAMPLES.glob("*.bpmn")) + sorted(BPMN_CORPUS.rglob("*.bpmn")):
        found |= _bpmn_expressions(path)
    for path in sorted(COMPILED_EXAMPLES.glob("*.asl.json")):
        found |= _asl_expressions(path)
    return sorted(found)


@cache
def _plausible_values() -> dict[str, list[Any]]:
    """Every value the examples' documented runs give a start variable, by variable name."""
    runs = json.loads((EXAMPLES / "expectations.json").read_text(encoding="utf-8"))
    values: dict[str, list[Any]] = {}
    for expected in (run for listed in runs.values() for run in listed):
        for name, value in expected["input"].items():
            values.setdefault(name, []).append(value)
    return values


_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3000)
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.5, 2.0, 12.5, -0.0, 1e15, 1e21])
    | st.sampled_from(["", "x", "21", "2.5", "A-1001", "gold", "approved", "1e3"])
    | st.text(max_size=6)
)


def _variables(text: str) -> st.SearchStrategy[dict[str, Any]]:
    """Variables for `text`: each name it reads absent, plausible or arbitrary JSON whose
    objects use the words of the expression as keys (so its paths find something)."""
    keys = st.sampled_from(sorted(set(_WORDS.findall(text)) | {"a", "id", "total"}))
    json_value = st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=10,
    )
    plausible = _plausible_values()
    names = sorted(free_variables(text))
    optional = {
        name: st.sampled_from(plausible[name]) | json_value if name in plausible else json_value
        for name in names
    }
    states = st.fixed_dictionaries(
        {},
        optional={
            "input": st.dictionaries(keys, json_value, max_size=5),
            "result": json_value,
            "errorOutput": json_value,
            "context": json_value,
        },
    )
    return st.fixed_dictionaries({"states": states}, optional=optional)


def _documented_variables() -> list[dict[str, Any]]:
    """One set of variables per documented example run: its input and its final variables,
    with `$states` as a compiled machine sees it (the input, the execution's input)."""
    runs = json.loads((EXAMPLES / "expectations.json").read_text(encoding="utf-8"))
    found = []
    for expected in (run for listed in runs.values() for run in listed):
        given, final = expected["input"], expected["output"]
        states = {"input": given, "result": final, "context": {"Execution": {"Input": given}}}
        found.append({**given, **final, "states": states})
    return found


def test_example_expressions_agree_on_the_documented_runs_variables() -> None:
    texts = _example_expressions()
    with_closures = [text for text in texts if fast_evaluator(text) is not None]
    assert len(texts) >= 50
    assert len(with_closures) >= len(texts) // 2, "the fast path covers few example expressions"
    runs = _documented_variables()
    answered = sum(_agree(text, variables) for text in texts for variables in runs)
    assert answered * 2 >= len(texts) * len(runs), "the fast closures hardly ever answered"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_example_expressions_agree_on_generated_variables(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(_example_expressions()), label="expression")
    _agree(text, data.draw(_variables(text), label="variables"), now_ms=1_790_000_000_000)
