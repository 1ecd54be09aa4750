"""Reading a state machine definition: `Definition.parse(dict | str)`.

The parse keeps each state's raw fields (handlers read them) and adds what every run would
otherwise recompute: the effective query language, transitions, retriers, catchers, nested
machines. Validation reports the first problem the way CreateStateMachine does
(`SCHEMA_VALIDATION_FAILED: <message> at <location>`); `validate_definition` returns them all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from automations.asl.errors import InvalidDefinition
from automations.asl.validation import (
    JSONATA,
    JSONPATH,
    QueryLanguage,
    StateMachineType,
    check_definition,
    load_definition,
)

__all__ = [
    "JSONATA",
    "JSONPATH",
    "Catcher",
    "Definition",
    "MachinePath",
    "QueryLanguage",
    "Retrier",
    "State",
    "StateMachine",
    "StateMachineType",
]


@dataclass(frozen=True, slots=True)
class Retrier:
    """One entry of a state's `Retry` list."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    """One entry of a state's `Catch` list (`raw` keeps ResultPath / Output / Assign)."""

    error_equals: tuple[str, ...]
    next: str
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class State:
    """A state: its raw fields plus what the interpreter needs ready-made."""

    name: str
    type: str
    query_language: QueryLanguage
    raw: Mapping[str, Any]
    next: str | None = None
    end: bool = False
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()
    branches: tuple[StateMachine, ...] = ()
    processor: StateMachine | None = None
    distributed: bool = False
    # Whether any JSONata text of the state could read `$states.context` (building the context
    # object for every state costs more than this check once).
    reads_context: bool = True
    # What `jsonata_io` makes of the state's own JSONata fields, built on first use: a cache
    # (not part of the definition; never compared).
    plans: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Whether the state's query language is JSONata (every run asks: a field, not a property).
    jsonata: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "jsonata", self.query_language == JSONATA)

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def has(self, key: str) -> bool:
        return key in self.raw


@dataclass(frozen=True, slots=True)
class StateMachine:
    """A set of states with its start: the whole machine, a Parallel branch or a Map processor."""

    start_at: str
    states: Mapping[str, State]
    # Whether running it may wait on anything (a task, a timer, a retry's back-off). Machines
    # that cannot are run inline by their Parallel/Map: the same order as asyncio tasks that
    # never yield, without a task per branch or item.
    suspends: bool = True


# A frame finds its machine by a path of (state name, branch index); -1 is a Map's processor.
MachinePath = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Definition:
    """A parsed, validated state machine definition."""

    raw: Mapping[str, Any]
    machine: StateMachine
    query_language: QueryLanguage
    timeout_seconds: float | None
    _machines: dict[MachinePath, StateMachine] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(
        cls, source: Mapping[str, Any] | str, *, state_machine_type: StateMachineType = "STANDARD"
    ) -> Definition:
        """Parse and validate; raise InvalidDefinition with AWS's wording for the first problem."""
        raw = load_definition(source)
        problems = check_definition(raw, state_machine_type)
        if problems:
            first = problems[0]
            raise InvalidDefinition(first.message, first.location)
        language: QueryLanguage = raw.get("QueryLanguage", JSONPATH)
        machine = _build_machine(raw, language)
        timeout = raw.get("TimeoutSeconds")
        return cls(raw, machine, language, float(timeout) if timeout is not None else None)

    def machine_at(self, path: MachinePath) -> StateMachine:
        """The nested machine a frame runs (cached)."""
        found = self._machines.get(path)
        if found is None:
            found = self.machine
            for state_name, index in path:
                state = found.states[state_name]
                if index < 0:
                    assert state.processor is not None
                    found = state.processor
                else:
                    found = state.branches[index]
            self._machines[path] = found
        return found

    @cached_property
    def fingerprint(self) -> str:
        """A stable digest of the definition, to check a checkpoint belongs to it."""
        text = json.dumps(self.raw, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- building ----------------------------------------------------------------------------------


def _build_machine(raw: Mapping[str, Any], default: QueryLanguage) -> StateMachine:
    states = {
        name: _build_state(name, body, default) for name, body in raw.get("States", {}).items()
    }
    return StateMachine(raw["StartAt"], states, any(map(_may_suspend, states.values())))


_NEVER_WAIT = frozenset({"Pass", "Choice", "Succeed", "Fail"})


def _may_suspend(state: State) -> bool:
    if state.type in _NEVER_WAIT:
        return False
    if state.type not in ("Parallel", "Map") or state.retriers or state.distributed:
        return True
    nested = [*state.branches, *([state.processor] if state.processor else [])]
    return any(machine.suspends for machine in nested)


def _build_state(name: str, raw: Mapping[str, Any], default: QueryLanguage) -> State:
    language: QueryLanguage = raw.get("QueryLanguage", default)
    processor_raw = raw.get("ItemProcessor") or raw.get("Iterator")
    config = (processor_raw or {}).get("ProcessorConfig", {})
    return State(
        name=name,
        type=raw["Type"],
        query_language=language,
        raw=raw,
        next=raw.get("Next"),
        end=bool(raw.get("End", False)),
        retriers=tuple(_retrier(r) for r in raw.get("Retry", ())),
        catchers=tuple(
            Catcher(tuple(c["ErrorEquals"]), c["Next"], c) for c in raw.get("Catch", ())
        ),
        branches=tuple(_build_machine(b, default) for b in raw.get("Branches", ())),
        processor=_build_machine(processor_raw, default) if processor_raw else None,
        distributed=config.get("Mode") == "DISTRIBUTED",
        reads_context=_reads_context(raw),
    )


# `$states` followed by anything but `.input`, `.result` or `.errorOutput` (`$states.context`,
# `$keys($states)`, `$s := $states`, ...) may read the context; JSONPath's `$$` always does.
_CONTEXT_READ = re.compile(r"\$states(?!\.(?:input|result|errorOutput)\b)|\$\$")


def _reads_context(raw: Mapping[str, Any]) -> bool:
    return bool(_CONTEXT_READ.search(json.dumps(raw, ensure_ascii=False)))


def _retrier(raw: Mapping[str, Any]) -> Retrier:
    delay = raw.get("MaxDelaySeconds")
    return Retrier(
        error_equals=tuple(raw["ErrorEquals"]),
        interval_seconds=float(raw.get("IntervalSeconds", 1)),
        max_attempts=int(raw.get("MaxAttempts", 3)),
        backoff_rate=float(raw.get("BackoffRate", 2.0)),
        max_delay_seconds=float(delay) if delay is not None else None,
        jitter_strategy=str(raw.get("JitterStrategy", "NONE")),
    )
