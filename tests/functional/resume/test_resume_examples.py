"""Durable execution: for every example run, stop after each checkpoint, resume in a fresh
process from the JSON checkpoint, and get the same status and output as without a stop.

The run that writes the checkpoints keeps each one (what a crash right after that save would
leave behind); a separate Python process (worker.py) then resumes from every one of them.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.scenario_files import ScenarioFolder
from automations.asl import Engine, FileCheckpointStore, VirtualClock
from automations.service.outcome import outcome

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
WORKER = Path(__file__).with_name("worker.py")
RUNS = [
    (stem, i, run)
    for stem, runs in json.loads(
        (EXAMPLES / "expectations.json").read_text(encoding="utf-8")
    ).items()
    for i, run in enumerate(runs)
]
EXECUTION = "resume-test"


class RecordingStore:
    """Keeps every checkpoint saved, in order (the last one is also what load returns)."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    def save(self, execution_id: str, checkpoint: dict[str, Any]) -> None:
        if execution_id == EXECUTION:  # nested call-activity executions keep their own
            self.saved.append(json.dumps(checkpoint))

    def load(self, execution_id: str) -> dict[str, Any] | None:
        return json.loads(self.saved[-1]) if self.saved else None


SCENARIOS = ScenarioFolder(EXAMPLES)


@pytest.mark.parametrize(("stem", "index", "run"), RUNS, ids=[f"{s}-{i}" for s, i, _ in RUNS])
def test_resume_from_every_checkpoint_gives_the_same_result(
    stem: str, index: int, run: dict[str, Any], tmp_path: Path
) -> None:
    path = EXAMPLES / f"{stem}.bpmn"
    store = RecordingStore()
    engine = Engine(SCENARIOS.resolver(), VirtualClock(), store)
    result = asyncio.run(
        engine.start(SCENARIOS.load(path), run["input"], execution_id=EXECUTION, name=EXECUTION)
    )
    expected = outcome(result.status, result.output, result.error, result.cause, result.history)
    assert store.saved, "an execution saves checkpoints"
    folders = []
    for k, text in enumerate(store.saved):
        folder = tmp_path / f"after-{k + 1}"
        FileCheckpointStore(folder).save(EXECUTION, json.loads(text))
        folders.append(str(folder))
    done = subprocess.run(
        [sys.executable, str(WORKER), str(path), EXECUTION, *folders],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    resumed = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(resumed) == len(folders)
    for got in resumed:
        assert (got["status"], got["output"]) == (expected.status, expected.output), got["folder"]
        assert got["error"] == (expected.error and expected.error.model_dump(mode="json"))
