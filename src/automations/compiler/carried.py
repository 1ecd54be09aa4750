"""Variables carried out of a subprocess that fails, to the error boundary that catches it.

A subprocess with boundary events runs as a one-branch `Parallel` (the scope its `Catch` needs),
and a branch that fails hands back only its error and cause. So an error end event inside one
writes the variables the subprocess assigns into its Cause, as JSON beside the message
(`{"errorMessage": ..., "variables": {...}}`, the shape whose `errorMessage` boundaries and
process errors already read), and the boundary's `Catch` assigns them back. Past
`MAX_CARRIED_CHARS` of JSON they stay behind (Step Functions cuts a cause at 32,768).
"""

from __future__ import annotations

import json

from automations.compiler import jsonata_text as jt
from automations.compiler.context import Region, State

MAX_CARRIED_CHARS = 30_000
# What tells a carrying cause from any other (a plain text, a Lambda error's JSON).
MARKER = '"variables":{'


def carrying_cause(region: Region, message: str | None) -> str:
    """The Cause of an error end event inside such a subprocess (`region.carry` non-empty)."""
    fields = ", ".join(f"{json.dumps(name)}: {region.read(name)}" for name in region.carry)
    text = json.dumps(message, ensure_ascii=False)
    return jt.wrap(
        f"($__carried := {{{fields}}}; $__message := {text}; "
        f"$string($length($string($__carried)) > {MAX_CARRIED_CHARS}"
        ' ? {"errorMessage": $__message}'
        ' : {"errorMessage": $__message, "variables": $__carried}))'
    )


def carried_assign(region: Region, names: list[str]) -> dict[str, str]:
    """A `Catch`'s Assign on the subprocess: each variable as the failed branch left it, or as
    it was before the subprocess when the error carries none (a component's, a timeout)."""
    # The helpers' names have `__`, which scenario variables may not: no read is shadowed.
    carried = (
        "$__cause := $states.errorOutput.Cause; $__carried := ($type($__cause) = 'string' and "
        f"$substring($__cause, 0, 1) = '{{' and $contains($__cause, '{MARKER}') ? "
        "$parse($__cause).variables : {})"
    )
    return {
        region.write(name): jt.wrap(
            f"({carried}; $exists($__carried.{jt.field(name)}) ? "
            f"$__carried.{jt.field(name)} : {region.read(name)})"
        )
        for name in names
    }


def carry_out(region: Region, state: State, names: list[str]) -> None:
    """Give each error catcher of the subprocess's `Parallel` the carried variables."""
    if not names:
        return
    for catcher in state.get("Catch", []):
        if catcher["ErrorEquals"] != ["States.Timeout"]:
            catcher["Assign"] = carried_assign(region, names)
