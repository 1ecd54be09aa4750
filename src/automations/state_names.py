"""The naming contract between the compiler and whatever reads an execution's history: a state
is named after the BPMN element it comes from, and a helper state of that element after the
element plus `__<role>` (BPMN ids cannot hold `__`: validation refuses them).

Kept apart from the compiler so that reading a history (the process outcome, on every Lambda)
does not import the compiler, the BPMN parser and every component.
"""

from __future__ import annotations

HELPER_SEPARATOR = "__"


def element_of(state_name: str) -> str:
    """The BPMN element a state was compiled from (helper states carry a `__role` suffix)."""
    return state_name.rpartition(HELPER_SEPARATOR)[0] or state_name
