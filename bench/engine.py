"""Benchmark: processes per second of the embedded ASL engine vs SpiffWorkflow 3.x, and the memory
of 1,000 processes waiting at the same time.

    .venv/bin/python bench/engine.py [--seconds 3] [--rounds 3] [--waiting 1000] [--profile]

What is measured, in one Python process:

- The process: `bench/scenarios/ten-steps.bpmn` (start, assignments, an exclusive split and
  merge, a parallel fork/join of two branches, a parallel multi-instance over the 20 lines of
  the order, a summary, end). `bench/scenarios/ten-steps-spiff.bpmn` is the same process for
  SpiffWorkflow: Python script tasks, Python conditions, a multi-instance with a data output
  collection. Before any timing, both must end with the same variables.
- Ours, per process: `Engine.start` of the ASL compiled (and parsed into a `Definition`) once
  beforehand, on a VirtualClock, the runs awaited one after the other in one event loop.
  Compilation is measured by bench/compile.py.
- SpiffWorkflow, per process: `BpmnWorkflow(spec)` from the spec parsed once, the input put on
  the start task, `do_engine_steps()` until complete (its own PythonScriptEngine).
- Each side runs for at least `--seconds` after a warm-up of 0.5 s, in `--rounds` alternating
  rounds (so load from other processes hits both alike): processes/second, mean wall ms and
  mean CPU ms (process_time, less sensitive to other processes) per process.
- Memory: `--waiting` executions of `bench/scenarios/wait-hour.bpmn`, whose second state waits
  PT1H on the VirtualClock, held at the same time in one engine. The RSS delta (VmRSS of
  /proc/self/status) is read in one pass, tracemalloc (current and peak) in a second pass,
  since tracemalloc itself costs memory. Then the clock moves one hour on and every execution
  must succeed.

Prints the command and a Markdown table for docs/benchmarks.md. `--profile` adds the cProfile
hot spots of our engine on the ten-step process.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import platform
import pstats
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from automations.asl import Definition, Engine, VirtualClock
from automations.service.scenarios import compile_bpmn

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
TEN_STEPS = SCENARIOS / "ten-steps.bpmn"
TEN_STEPS_SPIFF = SCENARIOS / "ten-steps-spiff.bpmn"
WAIT_HOUR = SCENARIOS / "wait-hour.bpmn"
HOUR = 3600.0
TARGET_RATIO = 5.0  # at least 5x SpiffWorkflow's processes/second
TARGET_MS = 2.0  # under 2 ms per process
TARGET_MB = 200.0  # under 200 MB for 1,000 waiting processes
Timing = tuple[int, float, float]  # (processes run, wall seconds, CPU seconds)


def order_input() -> dict[str, Any]:
    """The start variables: an order of 20 lines (so 20 multi-instance instances)."""
    items = [{"sku": f"SKU-{i}", "price": 10 * (i % 7 + 1), "qty": i % 3 + 1} for i in range(20)]
    return {"order": {"id": "B-1", "items": items}}


def ticket_input(i: int) -> dict[str, Any]:
    return {"ticket": {"id": f"T-{i}", "assignee": "maria"}}


# --- SpiffWorkflow -------------------------------------------------------------------------------


def load_spiff() -> Any:
    parser = BpmnParser()
    parser.add_bpmn_file(str(TEN_STEPS_SPIFF))
    return parser.get_spec("ten-steps-spiff")


def run_spiff(spec: Any, data: dict[str, Any]) -> dict[str, Any]:
    """One SpiffWorkflow process from start to end; returns its final variables."""
    workflow = BpmnWorkflow(spec)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)  # the start event's data
    workflow.do_engine_steps()
    if not workflow.is_completed():
        raise RuntimeError("SpiffWorkflow: the process did not complete")
    return dict(workflow.data)


# --- ours ----------------------------------------------------------------------------------------


def load_ours(path: Path) -> Definition:
    """A scenario compiled to ASL and parsed, once, outside any timing."""
    _, asl = compile_bpmn(path, file=str(path))
    return Definition.parse(asl)


async def no_tasks(resource: str, arguments: Any, context: Any) -> Any:
    raise RuntimeError(f"the benchmark scenarios call no component, yet {resource} was called")


async def run_ours(engine: Engine, definition: Definition, data: dict[str, Any]) -> dict[str, Any]:
    """One execution from start to end; returns its final variables (the Succeed output)."""
    result = await engine.start(definition, data)
    if result.status != "SUCCEEDED":
        raise RuntimeError(f"ours: {result.status} {result.error}: {result.cause}")
    return dict(result.output)


def check_same_variables(ours: dict[str, Any], spiff: dict[str, Any]) -> None:
    if ours != spiff:
        diff = sorted(k for k in ours.keys() | spiff.keys() if ours.get(k) != spiff.get(k))
        raise SystemExit(f"the two processes end with different variables: {diff}")


# --- throughput ----------------------------------------------------------------------------------


def time_sync(run: Callable[[], object], seconds: float) -> Timing:
    """Runs `run()` for at least `seconds`; returns (count, wall seconds, CPU seconds)."""
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(10):
            run()
        count += 10
    return count, elapsed, time.process_time() - cpu


async def time_async(run: Callable[[], Awaitable[object]], seconds: float) -> Timing:
    """`time_sync` for coroutines, awaited one after the other in the running loop."""
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(10):
            await run()
        count += 10
    return count, elapsed, time.process_time() - cpu


def add(a: Timing, b: Timing) -> Timing:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


async def throughput(
    ours: Callable[[], Awaitable[object]], spiff: Callable[[], object], seconds: float, rounds: int
) -> tuple[Timing, Timing]:
    """Both sides in alternating rounds (the machine's load hits both alike), after a warm-up."""
    await time_async(ours, 0.5)
    time_sync(spiff, 0.5)
    ours_total = spiff_total = (0, 0.0, 0.0)
    for _ in range(rounds):
        ours_total = add(ours_total, await time_async(ours, seconds / rounds))
        spiff_total = add(spiff_total, time_sync(spiff, seconds / rounds))
    return ours_total, spiff_total


# --- memory of waiting processes -----------------------------------------------------------------


class CountingClock(VirtualClock):
    """A VirtualClock that counts the sleeps of Wait states (not the machine-timeout timers)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = 0

    async def sleep(self, seconds: float) -> None:
        is_wait = 0 < seconds <= HOUR
        self.waiting += is_wait
        try:
            await super().sleep(seconds)
        finally:
            self.waiting -= is_wait


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def hold_waiting(
    definition: Definition, count: int, measure: Callable[[], dict[str, float]]
) -> dict[str, float]:
    """Starts `count` executions, calls `measure()` once all wait, then lets the hour pass.

    The measuring coroutine runs as the clock's outside work, so the VirtualClock stays still
    until it returns; then the clock jumps one hour and every execution finishes.
    """
    clock = CountingClock()
    engine = Engine(no_tasks, clock)
    began, readings = time.perf_counter(), {}

    async def until_all_wait() -> None:
        while clock.waiting < count:
            await asyncio.sleep(0.001)  # real time; the virtual clock is held meanwhile
        readings["start_s"] = time.perf_counter() - began
        readings.update(measure())

    held = clock.start_work(until_all_wait())
    runs = [
        asyncio.ensure_future(engine.start(definition, ticket_input(i), execution_id=f"wait-{i}"))
        for i in range(count)
    ]
    started_at = clock.now()
    await held
    results = await asyncio.gather(*runs)
    if any(r.status != "SUCCEEDED" for r in results) or clock.now() < started_at + HOUR:
        raise RuntimeError("the waiting executions did not all succeed one hour later")
    return readings


def memory_of_waiting(definition: Definition, count: int) -> dict[str, float]:
    """RSS delta (pass 1) and tracemalloc current/peak (pass 2) of `count` waiting executions."""
    asyncio.run(hold_waiting(definition, 5, dict))  # warm-up: imports, caches
    gc.collect()
    base = rss_mib()
    first = asyncio.run(hold_waiting(definition, count, lambda: {"rss_mb": rss_mib() - base}))
    gc.collect()
    tracemalloc.start()
    second = asyncio.run(hold_waiting(definition, count, traced))
    second["run_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20  # start, wait and finish
    tracemalloc.stop()
    return {**second, **first}  # the start time of the pass without tracemalloc


def traced() -> dict[str, float]:
    current, peak = tracemalloc.get_traced_memory()
    return {"traced_mb": current / 2**20, "peak_mb": peak / 2**20}


# --- profile -------------------------------------------------------------------------------------


def profile_ours(definition: Definition, data: dict[str, Any], runs: int, top: int) -> str:
    """cProfile of `runs` executions: the top functions by own time, and by cumulative time."""
    engine = Engine(no_tasks, VirtualClock())

    async def many() -> None:
        for _ in range(runs):
            await run_ours(engine, definition, data)

    asyncio.run(many())  # warm-up
    profiler = cProfile.Profile()
    profiler.runcall(asyncio.run, many())
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values())
    lines = [f"cProfile of {runs} runs, {total:.2f} s of profiled time", ""]
    for title, column in (("own time", 2), ("cumulative time, project code", 3)):
        rows = sorted(stats.items(), key=lambda kv: kv[1][column], reverse=True)
        if column == 3:
            rows = [r for r in rows if "/automations/" in r[0][0]]
        lines += [f"| {title}: file:function | calls | share |", "|---|---:|---:|"]
        for (file, line, func), entry in rows[:top]:
            share = entry[column] / total * 100
            lines.append(f"| `{short(file)}:{func}` (line {line}) | {entry[1]} | {share:.1f} % |")
        lines.append("")
    return "\n".join(lines)


def short(file: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# --- report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def table(ours: Timing, spiff: Timing, memory: dict[str, float], n: int) -> str:
    ours_rate, spiff_rate = ours[0] / ours[1], spiff[0] / spiff[1]
    ratio = ours_rate / spiff_rate
    ours_ms, spiff_ms = ours[1] / ours[0] * 1000, spiff[1] / spiff[0] * 1000
    ours_cpu, spiff_cpu = ours[2] / ours[0] * 1000, spiff[2] / spiff[0] * 1000
    rss = memory["rss_mb"]
    rows = [
        f"| measure | embedded engine | SpiffWorkflow {version('spiffworkflow')} | target | met |",
        "|---|---:|---:|---|---|",
        f"| ten-step process: processes/s | {ours_rate:,.0f} | {spiff_rate:,.0f} | "
        f"≥ {TARGET_RATIO:g}× SpiffWorkflow | {verdict(ratio >= TARGET_RATIO)} ({ratio:.2f}×) |",
        f"| ten-step process: mean ms per process (wall) | {ours_ms:.2f} | {spiff_ms:.2f} | "
        f"< {TARGET_MS:g} ms | {verdict(ours_ms < TARGET_MS)} |",
        f"| ten-step process: mean CPU ms per process | {ours_cpu:.2f} | {spiff_cpu:.2f} | | |",
        f"| processes run (timed wall s) | {ours[0]:,} ({ours[1]:.1f}) | "
        f"{spiff[0]:,} ({spiff[1]:.1f}) | | |",
        f"| {n:,} processes waiting PT1H: RSS delta | {rss:.1f} MB | | < {TARGET_MB:g} MB | "
        f"{verdict(rss < TARGET_MB)} |",
        f"| {n:,} processes waiting PT1H: tracemalloc current / peak | "
        f"{memory['traced_mb']:.1f} / {memory['peak_mb']:.1f} MB | | | |",
        f"| {n:,} processes from start to end (hour passed): tracemalloc peak | "
        f"{memory['run_peak_mb']:.1f} MB | | | |",
        f"| {n:,} processes waiting: wall time until all wait | {memory['start_s']:.2f} s | | | |",
    ]
    return "\n".join(rows)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    return (
        f"Python {platform.python_version()}, {cpu}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per side")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per side")
    parser.add_argument("--waiting", type=int, default=1000, help="executions held in a Wait")
    parser.add_argument("--profile", action="store_true", help="print cProfile hot spots")
    args = parser.parse_args()

    data = order_input()
    spec = load_spiff()
    ten_steps = load_ours(TEN_STEPS)
    engine = Engine(no_tasks, VirtualClock())
    first = asyncio.run(engine.start(ten_steps, data))
    if first.status != "SUCCEEDED":
        raise SystemExit(f"ours: {first.status} {first.error}: {first.cause}")
    check_same_variables(dict(first.output or {}), run_spiff(spec, data))
    states = sum(event["type"].endswith("StateEntered") for event in first.history)

    ours, spiff = asyncio.run(
        throughput(
            lambda: run_ours(engine, ten_steps, data),
            lambda: run_spiff(spec, data),
            args.seconds,
            args.rounds,
        )
    )
    # After the timing: a thousand executions leave the heap larger and more fragmented.
    memory = memory_of_waiting(load_ours(WAIT_HOUR), args.waiting)

    print(f"    {' '.join(['.venv/bin/python', 'bench/engine.py', *sys.argv[1:]])}\n")
    print(table(ours, spiff, memory, args.waiting))
    print(f"\nOne ten-step process: {states} states entered, {len(first.history)} history events.")
    print(f"\n{machine()}")
    if args.profile:
        print("\n" + profile_ours(ten_steps, data, runs=200, top=15))


if __name__ == "__main__":
    main()
