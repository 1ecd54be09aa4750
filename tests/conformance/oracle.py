"""The JSONata oracle (`jsonata_oracle.mjs`: jsonata@2.0.6 under Node) and the engine, side by side.

One Node process serves a whole test session (`support/node_oracle.py` runs it); requests go to
it as JSON lines and come back in order. Both evaluators' answers are reduced to an `Outcome`
that compares the way Step Functions' output would: a value by its JSON text (the oracle's is
JSON.stringify's, the engine's is the `json.dumps` it stores and sends), an error by its code
(messages differ between ports).

Without Node or `node_modules/jsonata` (a clone without `npm install`), `start` skips the calling
test with the reason; under AUTOMATIONS_REQUIRE_CONFORMANCE=1 (CI) it fails instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automations.expressions import (
    UNDEFINED,
    ExpressionError,
    JsonataUnsupportedResult,
    compile_jsonata,
)
from automations.expressions.errors import Unsupported
from automations.expressions.fast import fast_evaluator
from support.node_oracle import NodeProcess, NodeScript, value_text

ROOT = Path(__file__).resolve().parents[2]
PARITY_DOC = ROOT / "docs" / "parity.md"
VERSION = "2.0.6"  # the version AWS states Step Functions implements
SCRIPT = NodeScript(
    "the JSONata oracle", Path(__file__).with_name("jsonata_oracle.mjs"), "jsonata", VERSION
)

# The engine's own limits (README: a text's and an array's size, an evaluation's time), which
# jsonata does not have: a difference on purpose.
LIMITS = frozenset({"L1001", "L1002", "D1012"})

# Functions whose results are random: compared by the shape of the value, not its digits.
RANDOM = re.compile(r"\$(random|uuid|shuffle)\s*\(")


@dataclass(frozen=True)
class Outcome:
    """What an evaluation gave: `value` (with its JSON text), `undefined`, `function`, `error`."""

    kind: str
    text: str = ""  # the JSON text of a value
    code: str = ""  # the code of an error
    message: str = ""

    def __str__(self) -> str:
        if self.kind == "value":
            return self.text
        if self.kind == "error":
            return f"error {self.code or '(no code)'}: {self.message}"
        return self.kind


def engine_text(value: Any) -> str:
    """A value as the engine writes it (its stores' and answers' `json.dumps`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    return type(value if not isinstance(value, int) else 0.0).__name__


def agree(text: str, ours: Outcome, oracle: Outcome) -> bool:
    """Whether the engine's outcome is the oracle's: the same JSON text (for random functions
    the same shape: same kinds, numbers and strings where the other has them), or the same
    error code."""
    if ours.kind != oracle.kind:
        return False
    if ours.kind == "error":
        return ours.code == oracle.code
    if ours.kind != "value" or ours.text == oracle.text:
        return True
    if RANDOM.search(text):
        return bool(_shape(json.loads(ours.text)) == _shape(json.loads(oracle.text)))
    return False


def differs_only_in_number_text(ours: Outcome, oracle: Outcome) -> bool:
    """Two value texts that hold the same numbers (as doubles) and differ only in how they are
    written (`1e-07` and `1e-7`, `1e+16` and `10000000000000000`)."""
    if ours.kind != "value" or oracle.kind != "value":
        return False
    try:
        ours_read = json.loads(ours.text, parse_int=float, parse_float=float)
        return bool(ours_read == json.loads(oracle.text, parse_int=float, parse_float=float))
    except OverflowError:  # an integer no double holds: not the oracle's number
        return False


# --- the engine ------------------------------------------------------------------------------


def _engine_value(value: Any) -> Outcome:
    if value is UNDEFINED:
        return Outcome("undefined")
    return Outcome("value", engine_text(value))


def _engine_error(err: ExpressionError) -> Outcome:
    if isinstance(err, JsonataUnsupportedResult):
        return Outcome("function")
    return Outcome("error", code=getattr(err, "code", ""), message=str(err))


def library(
    text: str, input: Any, variables: Mapping[str, Any], now_ms: int | None = None
) -> Outcome:
    """The engine's answer through jsonata-python alone (AUTOMATIONS_JSONATA_FAST=0)."""
    try:
        return _engine_value(compile_jsonata(text).evaluate(input, variables, now_ms=now_ms))
    except ExpressionError as err:
        return _engine_error(err)


def fast(
    text: str, input: Any, variables: Mapping[str, Any], now_ms: int | None = None
) -> tuple[Outcome, bool]:
    """The engine's answer with its fast path on (the default), and whether a fast closure
    gave it (else the library did, as the engine then asks it)."""
    try:
        closure = fast_evaluator(text)
    except ExpressionError as err:
        return _engine_error(err), False
    if closure is not None and input is None:
        try:
            return _engine_value(closure(dict(variables))), True
        except Unsupported:
            pass
        except ExpressionError as err:
            return _engine_error(err), True
    return library(text, input, variables, now_ms), False


# --- comparing ------------------------------------------------------------------------------

Request = tuple[str, Any, Mapping[str, Any], int | None]


@dataclass
class Tally:
    """What the session compared, printed at its end (tests/conformance/conftest.py)."""

    expressions: set[str] = field(default_factory=set)
    evaluations: int = 0
    generated: int = 0  # of the evaluations, those on hypothesis-generated inputs
    number_text_only: int = 0  # agreed as doubles, written differently (`1e+16`, `1e16`)
    explained: int = 0  # where the engine differs on purpose (docs/parity.md says why)

    def summary(self) -> str:
        return (
            f"JSONata oracle (jsonata {VERSION}): {len(self.expressions)} expressions, "
            f"{self.evaluations} evaluations ({self.generated} on generated inputs) compared "
            f"on both engine paths; {self.number_text_only} agreed only as doubles, "
            f"{self.explained} differ on purpose (docs/parity.md)"
        )


TALLY = Tally()


def compare(
    oracle: Oracle,
    requests: Iterable[Request],
    explained: Mapping[str, str] | None = None,
    *,
    generated: bool = False,
) -> list[str]:
    """Evaluate each request with the oracle and with both engine paths; the disagreements,
    each in words. `explained` names the expressions where the engine differs on purpose
    (`parity_table`): those are counted, not sent (jsonata never answers one of them)."""
    batch = []
    for request in requests:
        TALLY.expressions.add(request[0])
        TALLY.evaluations += 1
        TALLY.generated += generated
        if explained and request[0] in explained:
            TALLY.explained += 1
        else:
            batch.append(request)
    problems = []
    for (text, input, variables, now_ms), theirs in zip(
        batch, oracle.evaluate_many(batch), strict=True
    ):
        answers = {
            "plain": library(text, input, variables, now_ms),
            "fast": fast(text, input, variables, now_ms)[0],
        }
        for path, ours in answers.items():
            if agree(text, ours, theirs):
                continue
            if ours.kind == "error" and ours.code in LIMITS:
                TALLY.explained += 1
                continue
            if differs_only_in_number_text(ours, theirs):
                TALLY.number_text_only += 1
                continue
            problems.append(
                f"{text!r} (input {input!r}, variables {dict(variables)!r}):"
                f" the engine ({path}) gave {ours}, jsonata gave {theirs}"
            )
    return problems


# --- the oracle ------------------------------------------------------------------------------


class Oracle:
    """The Node process; `evaluate_many` sends a batch and collects its answers in order."""

    def __init__(self, node: str) -> None:
        # A timeout restarts the process: the tests after the failing one get a fresh one.
        self._process = NodeProcess(node, SCRIPT, restart_after_timeout=True)
        self.requests = 0

    def evaluate(
        self,
        text: str,
        input: Any = None,
        variables: Mapping[str, Any] | None = None,
        now_ms: int | None = None,
    ) -> Outcome:
        return self.evaluate_many([(text, input, variables or {}, now_ms)])[0]

    def evaluate_many(
        self, requests: Iterable[tuple[str, Any, Mapping[str, Any], int | None]]
    ) -> list[Outcome]:
        batch, texts = [], []
        for text, input, variables, now_ms in requests:
            request: dict[str, Any] = {"expression": text, "input": input, "bindings": variables}
            if now_ms is not None:
                request["now_ms"] = now_ms
            batch.append(request)
            texts.append(text)
        outcomes = [_outcome(line) for line in self._process.ask_many(batch, about=texts)]
        self.requests += len(batch)
        return outcomes

    def close(self) -> None:
        self._process.close()


def _outcome(line: str) -> Outcome:
    answer = json.loads(line)
    if "value" in answer:
        return Outcome("value", value_text(line))
    if "error" in answer:
        error = answer["error"]
        return Outcome("error", code=error["code"], message=error["message"])
    return Outcome("function" if answer.get("function") else "undefined")


def parity_table() -> dict[str, str]:
    """Expression -> why the engine answers otherwise than jsonata, from docs/parity.md's table
    (the document is the list: an expression it does not name must agree)."""
    rows = re.findall(r"^\| `(.+?)` \| (.+?) \|$", PARITY_DOC.read_text(encoding="utf-8"), re.M)
    return dict(rows)


def start() -> Oracle:
    """The oracle process, or a skip (a failure under AUTOMATIONS_REQUIRE_CONFORMANCE=1)."""
    return Oracle(SCRIPT.node())
