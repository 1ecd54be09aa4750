"""The conformance tests' end of session: how much the JSONata oracle compared."""

from __future__ import annotations

from typing import Any

from tests.conformance.oracle import TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY.evaluations:
        terminalreporter.write_line(TALLY.summary())
