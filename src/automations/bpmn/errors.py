"""Errors of reading a scenario: each problem points at a file, a line and an element."""

from __future__ import annotations

from dataclasses import dataclass

from automations.errors import AutomationsError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario, where it is, in one line."""

    file: str
    line: int
    element: str  # element id; the tag name or "-" when the element has no id
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.element}: {self.message}"


class ScenarioInvalid(AutomationsError):
    """Raised when a scenario cannot run; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.element, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class BadTimer(AutomationsError):
    """Raised when a timer's text is not a duration or date-time a scenario can wait for."""
