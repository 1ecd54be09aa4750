"""Benchmark: what storing a running process's path costs the embedded runtime.

    .venv/bin/python bench/live_trace.py [--processes 50] [--waits 40] [--rounds 5]

What is measured, in one Python process, on a fresh SQLite file: `--processes` background runs
started at once through `EmbeddedExecutor` (as `automations dev` starts them), each a loop of
`--waits` zero-second timers (every timer is a checkpoint, so every timer stores the path
too), timed from the first start until every run has ended and its end is stored. Two
executors take turns, round after round (so load from other processes hits both alike): one
stores the path at each checkpoint (`on_trace`, as the runtime wires it), one does not. Prints
the median ms per wait of each, over the rounds, and the difference.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from automations.adapters.local.executor import EmbeddedExecutor
from automations.adapters.sqlite.checkpoints import SqliteCheckpointStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.model.base import from_epoch
from automations.model.process import EventRef, ProcessRecord, ProcessStatus
from automations.ports import ExecutionEnd, ExecutionRequest
from automations.service.outcome import trace_steps

LOOP: dict[str, Any] = {
    "QueryLanguage": "JSONata",
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Assign": {"i": 0}, "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 0, "Next": "Count"},
        "Count": {"Type": "Pass", "Assign": {"i": "{% $i + 1 %}"}, "Next": "More"},
        "More": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $i < $states.input.waits %}", "Next": "Hold"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


def one_round(
    executor: EmbeddedExecutor, store: SqliteProcessStore, tag: str, processes: int, waits: int
) -> float:
    """Seconds from the first start until every run's end is stored."""
    done = threading.Semaphore(0)
    ids = [f"{tag}-{i}" for i in range(processes)]
    for process_id in ids:
        store.create(
            ProcessRecord(
                id=process_id,
                scenario_id="bench",
                scenario_version=1,
                event=EventRef(id="bench", type="$manual"),
                status=ProcessStatus.RUNNING,
                queued_at=from_epoch(time.time()),
            )
        )
    started = time.perf_counter()
    for process_id in ids:

        def ended(end: ExecutionEnd, process_id: str = process_id) -> None:
            from automations.model.process import ProcessChange

            change = ProcessChange(status=ProcessStatus.COMPLETED, trace=trace_steps(end.history))
            store.change(process_id, frozenset({ProcessStatus.RUNNING}), change)
            done.release()

        request = ExecutionRequest(process_id, LOOP, "bench/1", {"waits": waits})
        executor.start(request, ended)
    for _ in ids:
        done.acquire()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=50)
    parser.add_argument("--waits", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.db")
        store = SqliteProcessStore(db)
        executors = {
            "path stored at each checkpoint": EmbeddedExecutor(
                checkpoints=SqliteCheckpointStore(db),
                services_for=lambda request: {},
                children=lambda scenario: None,
                max_payload_bytes=256 * 1024,
                on_trace=store.set_trace,
            ),
            "no path until the end": EmbeddedExecutor(
                checkpoints=SqliteCheckpointStore(db),
                services_for=lambda request: {},
                children=lambda scenario: None,
                max_payload_bytes=256 * 1024,
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in executors}
        try:
            one_round(executors["no path until the end"], store, "warm", 5, 5)
            for r in range(args.rounds):
                for k, (name, executor) in enumerate(executors.items()):
                    seconds = one_round(executor, store, f"r{r}e{k}", args.processes, args.waits)
                    times[name].append(seconds * 1000 / (args.processes * args.waits))
        finally:
            for executor in executors.values():
                executor.close()
            db.close()
    print(
        f"`python bench/live_trace.py --processes {args.processes} --waits {args.waits} "
        f"--rounds {args.rounds}`"
    )
    print(
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end)\n"
    )
    print("| executor | ms per wait (median of rounds) |")
    print("|---|---:|")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"| {name} | {value:.3f} |")
    with_path, without = medians.values()
    print(
        f"\nThe path costs {with_path - without:+.3f} ms per wait ({with_path / without - 1:+.0%})."
    )


if __name__ == "__main__":
    main()
