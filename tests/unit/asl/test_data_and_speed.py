"""States never change data another state holds; a ten-step machine runs in well under 2 ms."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from automations.asl import Definition, Engine, VirtualClock, run_execution


def test_branches_share_an_input_without_changing_it_for_each_other() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Write",
                        "States": {
                            "Write": {
                                "Type": "Pass",
                                "Result": "mine",
                                "ResultPath": "$.shared.note",
                                "End": True,
                            }
                        },
                    },
                    {"StartAt": "Read", "States": {"Read": {"Type": "Pass", "End": True}}},
                ],
                "ResultPath": "$.branches",
                "End": True,
            }
        },
    }
    original = {"shared": {"n": 1}}
    result = run_execution(definition, original)
    assert result.output["branches"] == [{"shared": {"n": 1, "note": "mine"}}, {"shared": {"n": 1}}]
    assert result.output["shared"] == {"n": 1}
    assert original == {"shared": {"n": 1}}


def ten_steps() -> Definition:
    states: dict[str, Any] = {
        f"S{i}": {
            "Type": "Pass",
            "Parameters": {"step": i, "previous.$": "$.step"},
            "ResultPath": "$.last",
            "Next": f"S{i + 1}",
        }
        for i in range(9)
    }
    states["S9"] = {"Type": "Pass", "End": True}
    return Definition.parse({"StartAt": "S0", "States": states})


def test_a_ten_step_machine_runs_well_under_two_milliseconds() -> None:
    definition = ten_steps()
    engine = Engine(clock=VirtualClock())

    async def batch(runs: int) -> float:
        started = time.perf_counter()
        for _ in range(runs):
            await engine.start(definition, {"step": 0})
        return (time.perf_counter() - started) / runs

    async def best() -> float:
        await batch(20)  # warm the caches
        return min([await batch(50) for _ in range(5)])

    assert asyncio.run(best()) < 0.002
