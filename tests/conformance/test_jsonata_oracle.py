"""The engine's JSONata against the original: jsonata@2.0.6 under Node (`oracle.py`).

Step Functions runs jsonata 2.0.6; the engine runs jsonata-python (with `expressions/jsonata_js`
closing the port's differences) and, by default, its fast closures. Every expression the
project meets is evaluated by both, on both engine paths, and must give the same value or the
same error code:

- every JSONata evaluation of the ASL corpus's runs (text and variables as the run saw them),
  and every `{% %}` of a case the run never reached, on the case's input;
- every `{% %}` of examples/*.bpmn, their compiled machines and the BPMN corpus, on the
  variables of the examples' documented runs;
- all of these again on hypothesis-generated JSON variables.

The built-in functions, one by one, are in `test_jsonata_oracle_functions.py`. Where AWS's
recorded answer is not jsonata's, the engine follows AWS: `PARITY` lists those expressions
with the reason, as `docs/parity.md` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conformance.asl_support import load_case
from tests.conformance.corpus import corpus_dir
from tests.conformance.jsonata_runs import expressions_in
from tests.conformance.oracle import Oracle, Request, compare, parity_table, start
from tests.conformance.test_jsonata_paths import (
    _documented_variables,
    _example_expressions,
    _variables,
)

from automations.expressions import expression_text
from automations.expressions import fast as fast_path

ROOT = Path(__file__).resolve().parents[2]
NOW_MS = 1_790_000_000_000

# Expression text -> why the engine answers otherwise than jsonata 2.0.6 (docs/parity.md; the
# corpus's recorded answers are all jsonata's).
PARITY: dict[str, str] = parity_table()


@pytest.fixture(scope="module")
def oracle() -> Iterator[Oracle]:
    node = start()
    yield node
    node.close()


def _assert_agree(problems: list[str]) -> None:
    shown = "\n".join(problems[:25])
    assert not problems, f"{len(problems)} disagreements with jsonata 2.0.6:\n{shown}"


# --- the ASL corpus ----------------------------------------------------------------------------


@cache
def _corpus_requests() -> tuple[Request, ...]:
    """Every evaluation of the corpus's JSONata runs, recorded on the library path (which sees
    them all), then the expressions no run reached, on their case's input."""
    environment = {**os.environ, fast_path.SWITCH: "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.conformance.jsonata_runs", "--record"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    requests: list[Request] = []
    for name, run in json.loads(done.stdout)["runs"].items():
        seen = set()
        for note in run["evaluations"]:
            seen.add(note["text"])
            requests.append((note["text"], note["input"], note["variables"], note["now_ms"]))
        for value in expressions_in(load_case(name)["definition"]):
            text = expression_text(value)
            if text not in seen:
                seen.add(text)
                requests.append((text, None, {"states": {"input": load_case(name)["input"]}}, None))
    return tuple(requests)


def test_the_corpus_expressions_agree_with_jsonata(oracle: Oracle) -> None:
    corpus_dir("asl")
    requests = _corpus_requests()
    assert len(requests) >= 100  # the corpus's JSONata, not a handful
    _assert_agree(compare(oracle, requests, PARITY))


# --- the examples ------------------------------------------------------------------------------


def test_the_example_expressions_agree_with_jsonata_on_documented_runs(oracle: Oracle) -> None:
    texts = _example_expressions()
    runs = _documented_variables()
    assert len(texts) >= 50 and runs
    requests = [(text, None, variables, NOW_MS) for text in texts for variables in runs]
    _assert_agree(compare(oracle, requests, PARITY))


# --- generated inputs --------------------------------------------------------------------------


@cache
def _all_texts() -> tuple[str, ...]:
    corpus = {text for text, *_ in _corpus_requests()}
    return tuple(sorted(corpus | set(_example_expressions())))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_expression_agrees_with_jsonata_on_generated_variables(
    oracle: Oracle, data: st.DataObject
) -> None:
    corpus_dir("asl")
    text = data.draw(st.sampled_from(_all_texts()), label="expression")
    variables: dict[str, Any] = data.draw(_variables(text), label="variables")
    _assert_agree(compare(oracle, [(text, None, variables, NOW_MS)], PARITY, generated=True))
