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
from functools import cache
from pathlib import Path

from automations.asl import ComponentResolver, Definition, Engine, FileCheckpointStore, VirtualClock
from automations.service.outcome import outcome
from automations.service.scenarios import compile_bpmn, sibling_scenarios


def main() -> None:
    path, execution_id, folders = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    definition = _definition(path)

    @cache
    def called(scenario_id: str) -> Definition | None:
        child = path.parent / f"{scenario_id}.bpmn"
        return _definition(child) if child.is_file() else None

    for folder in folders:
        engine = Engine(
            ComponentResolver(definitions=called), VirtualClock(), FileCheckpointStore(folder)
        )
        result = asyncio.run(engine.resume(execution_id, definition))
        done = outcome(result.status, result.output, result.error, result.cause, result.history)
        print(json.dumps({"folder": folder, **done.model_dump(mode="json")}), flush=True)


def _definition(path: Path) -> Definition:
    _, asl = compile_bpmn(path, file=str(path), known_scenarios=sibling_scenarios(path))
    return Definition.parse(asl)


if __name__ == "__main__":
    main()
