"""Parallel: every branch gets the same input and its own variable scope; the result is the list
of branch outputs in branch order. The first branch to fail stops the others and the state
fails with that branch's error.
"""

from __future__ import annotations

from typing import Any

from automations.asl import jsonata_io, jsonpath_io
from automations.asl.errors import StatesFailure
from automations.asl.run import Outcome, StateRun
from automations.asl.states.children import ChildFailed, child_frame, run_together
from automations.asl.states.common import finish_with_result


async def run_parallel(run: StateRun) -> Outcome:
    state, frame = run.state, run.frame
    if state.jsonata:
        states = jsonata_io.states_binding(run, run.input)
        branch_input = run.input
        if state.has("Arguments"):
            branch_input = jsonata_io.evaluate_field(
                run, state.get("Arguments"), "Arguments", states
            )
    else:
        branch_input = jsonpath_io.input_path(run, run.input)
        if state.has("Parameters"):
            branch_input = jsonpath_io.payload(run, state.get("Parameters"), branch_input)
    if not frame.progress.get("started"):
        started = run.emit("ParallelStateStarted")
        frame.children = [
            child_frame(frame, index, index, branch.start_at, branch_input)
            for index, branch in enumerate(state.branches)
        ]
        for child in frame.children:
            child.last_event = started
        frame.progress["started"] = True
        run.execution.checkpoint()
    run.execution.persist()
    await _run_branches(run)
    run.emit("ParallelStateSucceeded")
    return finish_with_result(run, [child.output for child in frame.children])


async def _run_branches(run: StateRun) -> None:
    async def branch(child: Any) -> None:
        if child.status == "RUNNING":
            await run.execution.run_frame(child)
            run.execution.checkpoint()
        if child.status == "FAILED":
            raise ChildFailed(child)

    children = run.frame.children
    try:
        inline = not any(machine.suspends for machine in run.state.branches)
        await run_together([branch(child) for child in children], inline=inline)
    except ChildFailed as failed:
        for child in children:
            if child.status == "RUNNING":
                child.status = "ABORTED"
        run.frame.last_event = failed.frame.last_event
        raise StatesFailure(failed.frame.error, failed.frame.cause) from None
    run.frame.last_event = max(child.last_event for child in children)
