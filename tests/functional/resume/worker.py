"""Resume an example's execution from checkpoint files, in a process of its own.

    python worker.py EXAMPLE.bpmn EXECUTION_ID FOLDER [FOLDER ...]

Each FOLDER holds one checkpoint (a FileCheckpointStore). Prints one JSON line per folder:
the outcome of resuming from it. Started by test_resume_examples.py so that nothing of the
run that wrote the checkpoints is in memory here.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from automations.adapters.local.scenario_files import ScenarioFolder
from automations.asl import Engine, FileCheckpointStore, VirtualClock
from automations.service.outcome import outcome


def main() -> None:
    path, execution_id, folders = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    scenarios = ScenarioFolder(path.parent)
    definition = scenarios.load(path)
    for folder in folders:
        engine = Engine(scenarios.resolver(), VirtualClock(), FileCheckpointStore(folder))
        result = asyncio.run(engine.resume(execution_id, definition))
        done = outcome(result.status, result.output, result.error, result.cause, result.history)
        print(json.dumps({"folder": folder, **done.model_dump(mode="json")}), flush=True)


if __name__ == "__main__":
    main()
