"""A Node script as a test oracle: the real npm package, one long-lived process, JSON lines.

The differential tests (`tests/conformance/oracle.py` for jsonata, `xml2js_oracle.py` for
xml2js) each send a batch of JSON requests, one a line, to their `.mjs` script and read one
answer line a request, in order. This module owns that plumbing; the oracles own what the
requests and answers mean.

Without Node or the package at its pinned version in `node_modules` (a clone without
`npm install`), `NodeScript.node` skips the calling test with the reason; under
AUTOMATIONS_REQUIRE_CONFORMANCE=1 (CI) it fails instead.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_ENV = "AUTOMATIONS_REQUIRE_CONFORMANCE"
ANSWER_SECONDS = 10.0  # one answer; neither package has a time limit of its own

_VALUE_OPENING = '{"value":'


@dataclass(frozen=True)
class NodeScript:
    """An oracle's script and the npm package it needs; `name` says which oracle in messages
    ("the JSONata oracle")."""

    name: str
    path: Path
    package: str
    version: str

    @property
    def _package_json(self) -> Path:
        return ROOT / "node_modules" / self.package / "package.json"

    def missing(self) -> str | None:
        """Why the oracle cannot run here, or None when it can."""
        if shutil.which("node") is None:
            return "Node.js (node) is not on PATH"
        if not self._package_json.is_file():
            return f"{self._package_json.parent} is absent (run `npm install` at the project root)"
        version = json.loads(self._package_json.read_text(encoding="utf-8")).get("version")
        if version != self.version:
            return (
                f"node_modules/{self.package} is {version}, not {self.version} (run `npm install`)"
            )
        return None

    def node(self) -> str:
        """The `node` executable, or a skip (a failure under AUTOMATIONS_REQUIRE_CONFORMANCE=1)."""
        reason = self.missing()
        if reason is not None:
            reason = f"{self.name} cannot run: {reason}"
            if os.environ.get(REQUIRE_ENV) == "1":
                pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
            pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")
        node = shutil.which("node")
        assert node is not None
        return node


class NodeProcess:
    """The running script; `ask_many` sends a batch and collects its answer lines in order.

    With `restart_after_timeout`, an answer that does not come kills the process and starts a
    fresh one, so that the tests after the failing one do not read its late answers."""

    def __init__(self, node: str, script: NodeScript, *, restart_after_timeout: bool) -> None:
        self._node = node
        self._script = script
        self._restart_after_timeout = restart_after_timeout
        self._start()

    def _start(self) -> None:
        self._process = subprocess.Popen(
            [self._node, str(self._script.path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        # Each process its own queue: a killed one's last lines must not reach its successor.
        self._answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_read, args=(self._process, self._answers), daemon=True).start()

    def ask_many(
        self, requests: Sequence[Mapping[str, Any]], about: Sequence[str] | None = None
    ) -> list[str]:
        """The answer line (no newline) to each request; `about[i]`, when given, names request
        i in the message of a timeout."""
        lines = [json.dumps(request, ensure_ascii=False) + "\n" for request in requests]
        writer = threading.Thread(target=self._write, args=(lines,), daemon=True)
        writer.start()  # (a thread: a large batch must not fill both pipes at once)
        answers = [self._answer(about[i] if about else None) for i in range(len(lines))]
        writer.join()
        return answers

    def _write(self, lines: list[str]) -> None:
        assert self._process.stdin is not None
        for line in lines:
            self._process.stdin.write(line)
        self._process.stdin.flush()

    def _answer(self, about: str | None) -> str:
        try:
            line = self._answers.get(timeout=ANSWER_SECONDS)
        except queue.Empty:
            if self._restart_after_timeout:
                self.close()
                self._start()
            to = f" to {about!r}" if about is not None else ""
            raise AssertionError(
                f"{self._script.name} gave no answer in {ANSWER_SECONDS:g} s{to}"
            ) from None
        if line is None:
            assert self._process.stderr is not None
            raise AssertionError(f"{self._script.name} stopped: {self._process.stderr.read()}")
        return line.rstrip("\n")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def _read(process: subprocess.Popen[str], answers: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        answers.put(line)
    answers.put(None)  # the process ended


def value_text(line: str) -> str:
    """The JSON text of an answer `{"value": ...}` as the script wrote it (JSON.stringify's own
    text, its key order and number spelling kept): the line without that opening and its
    closing brace."""
    assert line.startswith(_VALUE_OPENING) and line.endswith("}"), line
    return line[len(_VALUE_OPENING) : -1]
