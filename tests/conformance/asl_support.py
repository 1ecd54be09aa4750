"""Helpers of the ASL conformance test: load corpus cases, normalise results, compare.

The corpus (../shared/conformance/asl, derived from LocalStack's AWS-recorded snapshots) stores
expected values after LocalStack's snapshot normalisation. We re-implement what the comparison
needs from its reference helpers (`normalise_like_snapshot`, `loose_equal` in extract.py): parse
`{...}` JSON text once, replace ISO-8601 date-times by "date", `*timestamp*` keys by
"timestamp", treat `<...>` tokens as wildcards, and apply the case's own transformers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conformance.corpus import CONFORMANCE_ROOT

CORPUS = CONFORMANCE_ROOT / "asl"
CASES = CORPUS / "cases"
INVALID = CORPUS / "invalid"
KNOWN_FAILURES = Path(__file__).with_name("asl_known_failures.tsv")

PATTERN_ISO8601 = re.compile(
    r"(?:[1-9]\d{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|"
    r"(?:0[13578]|1[02])-31)|(?:[1-9]\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|"
    r"[13579][26])00)-02-29)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?"
    r"(?:Z|[+-][01]\d:?([0-5]\d)?)"
)
PLACEHOLDER = re.compile(r"<[^<>\"]{1,80}>")
# Values the snapshot tool put in place of the account, role and partition: wildcards too.
_STAND_INS = ("snf_role_arn", "sfn_role_arn", "111111111111")
TIMESTAMP_KEY = re.compile(r"timestamp", re.IGNORECASE)


def case_names() -> list[str]:
    return sorted(path.stem for path in CASES.glob("*.json"))


def load_case(name: str) -> dict[str, Any]:
    return dict(json.loads((CASES / f"{name}.json").read_text(encoding="utf-8")))


def known_failures() -> dict[str, str]:
    """case name -> reason, from the committed TSV (comment lines start with #)."""
    reasons: dict[str, str] = {}
    if KNOWN_FAILURES.exists():
        for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, reason = line.partition("\t")
                reasons[name.strip()] = reason.strip()
    return reasons


# --- normalisation, as the snapshot tool applied it to the recorded values ------------------------


def parse_like_snapshot(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def normalise(value: Any, transformers: list[dict[str, Any]] | None = None) -> Any:
    value = parse_like_snapshot(value)
    value = json.loads(json.dumps(value))  # a private copy

    def keys(node: Any) -> None:
        if isinstance(node, dict):
            for key, item in list(node.items()):
                if (
                    TIMESTAMP_KEY.search(key) or key in ("creationTime", "ingestionTime")
                ) and not PATTERN_ISO8601.match(str(item)):
                    node[key] = "timestamp"
                else:
                    keys(item)
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, dict):
                    keys(item)

    if isinstance(value, dict):
        keys(value)
    for transformer in transformers or []:
        value = _transform(value, transformer)
    return json.loads(PATTERN_ISO8601.sub("date", json.dumps(value)))


def _transform(value: Any, transformer: dict[str, Any]) -> Any:
    kind = transformer.get("type")
    if kind == "JsonpathTransformer":
        key = transformer["jsonpath"].rsplit(".", 1)[-1]
        return _replace_key(value, key, transformer["replacement"])
    if kind == "TransformerUtility.regex":
        text, replacement = transformer["args"]
        return json.loads(json.dumps(value).replace(text, replacement))
    return value


def _replace_key(node: Any, key: str, replacement: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: replacement if k == key else _replace_key(v, key, replacement)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_replace_key(item, key, replacement) for item in node]
    return node


def loose_equal(actual: Any, recorded: Any) -> bool:
    """Equal, where recorded strings may hold placeholders (`<...>`, "date", "timestamp")."""
    if isinstance(recorded, str) and isinstance(actual, str):
        if actual == recorded:
            return True
        for stand_in in _STAND_INS:
            recorded = recorded.replace(stand_in, "<any>")
        if PLACEHOLDER.search(recorded) or "date" in recorded or "timestamp" in recorded:
            pattern = re.escape(recorded)
            pattern = re.sub(r"\\<[^<>]*?\\>|<[^<>]*?>", ".*", pattern)
            return re.fullmatch(pattern, actual, flags=re.S) is not None
        return False
    if isinstance(recorded, str) and PLACEHOLDER.fullmatch(recorded):
        return True  # a placeholder replaced a non-string
    if isinstance(recorded, dict) and isinstance(actual, dict):
        return recorded.keys() == actual.keys() and all(
            loose_equal(actual[k], recorded[k]) for k in recorded
        )
    if isinstance(recorded, list) and isinstance(actual, list):
        return len(recorded) == len(actual) and all(
            loose_equal(a, r) for a, r in zip(actual, recorded, strict=True)
        )
    if isinstance(actual, bool) or isinstance(recorded, bool):
        return type(actual) is type(recorded) and actual == recorded
    if isinstance(actual, int | float) and isinstance(recorded, int | float):
        return actual == recorded  # numerically: 1 and 1.0 are the same JSON number
    return bool(actual == recorded)


# --- histories ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryDifference:
    message: str


def compare_event_types(
    actual: list[str], expected: list[str], parallel_sorted: bool
) -> HistoryDifference | None:
    """Event types in order. Where the case's transformer sorted Parallel stretches, compare
    outside them in order and, inside, that every recorded event is among ours (the recorded
    stretch lost some events when it was sorted)."""
    if not parallel_sorted:
        if actual != expected:
            return HistoryDifference(f"event types differ:\n  got  {actual}\n  want {expected}")
        return None
    got_outside, got_inside = _split_parallel(actual)
    want_outside, want_inside = _split_parallel(expected)
    if got_outside != want_outside:
        return HistoryDifference(
            f"event types outside Parallel differ:\n  got  {got_outside}\n  want {want_outside}"
        )
    missing = Counter(want_inside) - Counter(got_inside)
    if missing:
        return HistoryDifference(f"Parallel events missing: {dict(missing)}")
    return None


def _split_parallel(types: list[str]) -> tuple[list[str], list[str]]:
    """Events outside the sorted stretch (from the first ParallelStateStarted to the last
    ParallelStateExited, or to the execution's end event) and those inside it."""
    if "ParallelStateStarted" not in types:
        return types, []
    start = types.index("ParallelStateStarted")
    exits = [i for i, kind in enumerate(types) if kind == "ParallelStateExited"]
    end = exits[-1] if exits else len(types) - 1
    return types[: start + 1] + types[end:], types[start + 1 : end]


# --- running a case and judging the result -------------------------------------------------------


def run_case(case: dict[str, Any], **start: Any) -> Any:
    """Run one corpus case on a virtual clock; returns the engine's ExecutionResult. `seed`
    pins retry jitter (two runs to compare); other `start` keywords go to `Engine.start`."""
    import asyncio

    from automations.asl import Engine, EngineOptions, VirtualClock

    options = EngineOptions(seed=start.pop("seed", None))
    engine = Engine(clock=VirtualClock(start=1_790_000_000.0), options=options)
    return asyncio.run(
        engine.start(
            case["definition"],
            input_text=case["input_string"],
            state_machine_type=case["state_machine_type"],
            name="execution-name",
            state_machine_name="state-machine-name",
            **start,
        )
    )


def judge(case: dict[str, Any], result: Any) -> list[str]:
    """Differences between our result and AWS's recorded one (empty: the case passes)."""
    expected = case["expected"]
    transformers = case.get("snapshot_transformers") or []
    problems: list[str] = []
    if result.status != expected["status"]:
        problems.append(f"status {result.status} != {expected['status']}")
    if result.error != expected["error"]:
        problems.append(f"error {result.error!r} != {expected['error']!r}")
    both_succeeded = expected["status"] == result.status == "SUCCEEDED"
    if both_succeeded and not loose_equal(
        normalise(result.output, transformers), expected["output"]
    ):
        problems.append(
            f"output {json.dumps(result.output)[:500]}\n  != {json.dumps(expected['output'])[:500]}"
        )
    if not _same_cause(result.cause, expected["cause"], transformers):
        problems.append(f"cause {result.cause!r}\n  != {expected['cause']!r}")
    if case.get("expected_history"):
        problems.extend(_history_problems(case, result.history, transformers))
    return problems


def _same_cause(actual: str | None, expected: str | None, transformers: list[Any]) -> bool:
    if actual is None or expected is None:
        return actual == expected
    # A cause quoting the input (`... '{json}'`) was stored with the JSON as <json-input:N>.
    return loose_equal(actual, expected) or loose_equal(normalise(actual, transformers), expected)


def _history_problems(
    case: dict[str, Any], events: list[dict[str, Any]], transformers: list[Any]
) -> list[str]:
    recorded = case["expected_history"]
    sorted_parallel = any(
        t.get("type") == "SfnNoneRecursiveParallelTransformer" for t in transformers
    )
    difference = compare_event_types(
        [e["type"] for e in events], [e["type"] for e in recorded], sorted_parallel
    )
    if difference is not None:
        return [difference.message]
    if sorted_parallel or any(t.get("type") == "GenericTransformer" for t in transformers):
        return []  # those stretches were reordered or rewritten: types are all we can compare
    problems: list[str] = []
    for ours, theirs in zip(events, recorded, strict=True):
        for key in ("stateEnteredEventDetails", "stateExitedEventDetails"):
            if key not in theirs:
                continue
            for field in ("name", "input", "output"):
                if field not in theirs[key]:
                    continue
                got = normalise(ours.get(key, {}).get(field), transformers)
                if not loose_equal(got, theirs[key][field]) and not loose_equal(
                    got, normalise(theirs[key][field])
                ):
                    problems.append(
                        f"event {theirs['id']} {theirs['type']} {field}: "
                        f"{str(got)[:300]} != {str(theirs[key][field])[:300]}"
                    )
    return problems


def run_case_with_crash(case: dict[str, Any], stop_after: int | None) -> tuple[Any, int]:
    """Run a case saving after every transition; with `stop_after`, crash after that many
    saves and resume in a fresh engine. Returns (result, number of saves of a full run)."""
    import asyncio

    from automations.asl import (
        CheckpointStop,
        Engine,
        EngineOptions,
        InMemoryCheckpointStore,
        StopAfter,
        VirtualClock,
    )

    def engine(store: Any) -> Engine:
        options = EngineOptions(checkpoint_each_transition=True)
        return Engine(clock=VirtualClock(start=1_790_000_000.0), checkpoints=store, options=options)

    def start(store: Any) -> Any:
        return asyncio.run(
            engine(store).start(
                case["definition"],
                input_text=case["input_string"],
                state_machine_type=case["state_machine_type"],
                name="execution-name",
                state_machine_name="state-machine-name",
                execution_id="resumed",
            )
        )

    counter = InMemoryCheckpointStore()
    result = start(counter)
    if stop_after is None or stop_after >= counter.saves:
        return result, counter.saves
    store = InMemoryCheckpointStore()
    try:
        start(StopAfter(store, stop_after))
    except CheckpointStop:
        return asyncio.run(engine(store).resume("resumed", case["definition"])), counter.saves
    raise AssertionError(f"the run did not stop after {stop_after} checkpoints")
