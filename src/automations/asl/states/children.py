"""Running child frames (Parallel branches, Map iterations) side by side.

`run_together` starts every coroutine as an asyncio task; the first one to raise cancels the
rest, and its exception (not a group) propagates. Branches waiting on I/O therefore really run
at the same time, and a failing branch stops its siblings as Step Functions does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from automations.asl.frames import Frame


class ChildFailed(Exception):
    """Raised by a child wrapper when its frame failed (the parent state fails with it)."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        super().__init__(f"{frame.id} failed: {frame.error}")


async def run_together(work: list[Coroutine[Any, Any, None]], *, inline: bool = False) -> None:
    """Run `work` side by side; `inline` (children that never wait) runs it one after the
    other instead, exactly as tasks that never yield would run: all of them, in order, then the
    earliest-listed failure is raised."""
    if inline:
        first: BaseException | None = None
        for item in work:
            try:
                await item
            except Exception as failure:
                first = first or failure
        if first is not None:
            raise first
        return
    tasks = [asyncio.ensure_future(item) for item in work]
    if not tasks:
        return
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:  # the earliest-listed failure wins among those already done
            error = task.exception() if task in done and not task.cancelled() else None
            if error is not None:
                raise error
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        # Collect every outcome, so no failure is left "never retrieved".
        await asyncio.gather(*tasks, return_exceptions=True)


def child_frame(parent: Frame, branch: int, index: int, start: str, child_input: Any) -> Frame:
    """A new frame for branch `branch` (-1: the Map processor) of the parent's current state."""
    label = f"[{index}]"
    return Frame(
        id=f"{parent.id}/{parent.state}{label}",
        path=(*parent.path, (parent.state, branch)),
        state=start,
        input=child_input,
        parent=parent,
        index=index,
        last_event=parent.last_event,
    )
