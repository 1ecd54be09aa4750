"""The virtual clock: long waits cost no wall time, and it holds still while real work runs."""

from __future__ import annotations

import asyncio
import time

from automations.asl import Engine, RealClock, VirtualClock, run_execution

DAY = 24 * 3600


def test_sleeping_a_day_takes_no_wall_time() -> None:
    clock = VirtualClock(start=1000.0)

    async def main() -> float:
        await clock.sleep(DAY)
        return clock.now()

    started = time.monotonic()
    assert asyncio.run(main()) == 1000.0 + DAY
    assert time.monotonic() - started < 1


def test_sleepers_wake_in_time_order() -> None:
    clock = VirtualClock(start=0.0)
    woken: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woken.append((name, clock.now()))

    async def main() -> None:
        await asyncio.gather(sleeper("c", 30), sleeper("a", 10), sleeper("b", 20))

    asyncio.run(main())
    assert woken == [("a", 10.0), ("b", 20.0), ("c", 30.0)]


def test_time_stands_still_while_outside_work_runs() -> None:
    clock = VirtualClock(start=0.0)

    def slow() -> str:
        time.sleep(0.05)  # real time, e.g. a component doing I/O in a thread
        return "done"

    async def main() -> tuple[str, float]:
        timer = asyncio.ensure_future(clock.sleep(1))
        work = clock.start_work(asyncio.to_thread(slow))
        result = await work
        at = clock.now()
        await timer
        return result, at

    result, at = asyncio.run(main())
    assert result == "done"
    assert at == 0.0  # the one-second timer did not fire while the thread worked


def test_outside_work_may_itself_wait_on_the_clock() -> None:
    clock = VirtualClock(start=0.0)

    async def work() -> float:
        await clock.sleep(5)
        return clock.now()

    async def main() -> float:
        return await clock.start_work(work())

    assert asyncio.run(main()) == 5.0


def test_a_one_day_wait_state_costs_no_wall_time() -> None:
    definition = {
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "Seconds": DAY, "End": True}},
    }
    clock = VirtualClock(start=0.0)
    started = time.monotonic()
    result = run_execution(definition, {"a": 1}, clock=clock)
    assert result.status == "SUCCEEDED"
    assert result.output == {"a": 1}
    assert clock.now() == DAY
    assert time.monotonic() - started < 1


def test_the_machine_timeout_uses_the_clock() -> None:
    definition = {
        "TimeoutSeconds": 5,
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    result = run_execution(definition, clock=VirtualClock(start=0.0))
    assert result.status == "TIMED_OUT"
    assert [e["type"] for e in result.history][-1] == "ExecutionTimedOut"


def test_the_real_clock_really_sleeps() -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": True}}}
    result = asyncio.run(Engine(clock=RealClock()).start(definition))
    assert result.status == "SUCCEEDED"


def test_several_virtual_clocks_share_one_event_loop() -> None:
    definition = {
        "TimeoutSeconds": 5,
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "End": True}},
    }

    async def main() -> list[str]:
        statuses = []
        for _ in range(3):  # each run leaves a cancelled timer behind on its own clock
            engine = Engine(clock=VirtualClock(start=0.0))
            result = await asyncio.wait_for(engine.start(definition), 5)
            statuses.append(result.status)
        first, second = VirtualClock(start=0.0), VirtualClock(start=100.0)
        await asyncio.gather(first.sleep(10), second.sleep(20))
        statuses.append(f"{first.now()} {second.now()}")
        return statuses

    assert asyncio.run(main()) == ["TIMED_OUT"] * 3 + ["10.0 120.0"]


def test_work_with_several_sleeping_tasks_releases_the_clock_once() -> None:
    clock = VirtualClock(start=0.0)

    async def work() -> float:
        await asyncio.gather(clock.sleep(5), clock.sleep(7))
        await clock.sleep(1)
        return clock.now()

    async def main() -> float:
        return await asyncio.wait_for(clock.start_work(work()), 5)

    assert asyncio.run(main()) == 8.0
