"""`AUTOMATIONS_JSONATA_FAST`: read once; 0 sends every expression through jsonata-python."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from automations.asl import run_execution
from automations.errors import SettingsInvalid
from automations.expressions import fast

_FRESH = itertools.count(1)


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, True),
        ({fast.SWITCH: "1"}, True),
        ({fast.SWITCH: ""}, True),
        ({fast.SWITCH: " 0 "}, False),
    ],
)
def test_the_switch_reads_zero_as_off_and_anything_unset_as_on(
    environ: dict[str, str], on: bool
) -> None:
    assert fast.switched_on(environ) is on


@pytest.mark.parametrize("value", ["no", "false", "2", "off"])
def test_a_value_the_switch_cannot_take_is_an_error_naming_it(value: str) -> None:
    with pytest.raises(SettingsInvalid) as raised:
        fast.switched_on({fast.SWITCH: value})
    assert str(raised.value).startswith(f"{fast.SWITCH}: {value!r} is not 0")


def _machine(n: int) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Assign": {"doubled": f"{{% $states.input.x * 2 + {n} %}}"},
                "Output": {
                    "total": f"{{% $states.input.x + {n} %}}",
                    "same": f"{{% ($n := {n}; $states.input.x) %}}",
                },
                "End": True,
            }
        },
    }


def _closures_made(monkeypatch: pytest.MonkeyPatch, enabled: bool, n: int) -> tuple[Any, list[str]]:
    made: list[str] = []
    real = fast.fast_evaluator

    def spy(text: str) -> Any:
        made.append(text)
        return real(text)

    monkeypatch.setattr(fast, "ENABLED", enabled)
    monkeypatch.setattr(fast, "fast_evaluator", spy)
    # Texts no other test uses: the engine keeps what it makes of a text.
    result = run_execution(_machine(n), {"x": 4})
    return result, made


def test_switched_off_the_engine_makes_no_fast_closure(monkeypatch: pytest.MonkeyPatch) -> None:
    n = next(_FRESH) * 1000 + 7
    result, made = _closures_made(monkeypatch, enabled=False, n=n)
    assert (result.status, result.output) == ("SUCCEEDED", {"total": 4 + n, "same": 4})
    assert made == []


def test_switched_on_the_engine_compiles_its_expressions_to_closures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n = next(_FRESH) * 1000 + 7
    result, made = _closures_made(monkeypatch, enabled=True, n=n)
    assert (result.status, result.output) == ("SUCCEEDED", {"total": 4 + n, "same": 4})
    assert len(made) == 3
