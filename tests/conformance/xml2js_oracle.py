"""The xml2js oracle (`xml2js_oracle.mjs`: xml2js@0.6.2 under Node), for `test_xml2js_oracle.py`.

One Node process serves a test module; requests go to it as JSON lines and come back in order.
An answer is the JSON text xml2js's result stringifies to (key order included) or its error.

Without Node or `node_modules/xml2js` (a clone without `npm install`), `start` skips the calling
test with the reason; under AUTOMATIONS_REQUIRE_CONFORMANCE=1 (CI) it fails instead.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conformance.corpus import REQUIRE_ENV

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("xml2js_oracle.mjs")
PACKAGE = ROOT / "node_modules" / "xml2js" / "package.json"
VERSION = "0.6.2"  # the latest 0.6.x, the line the product's converter uses
ANSWER_SECONDS = 10.0


@dataclass(frozen=True)
class Answer:
    """xml2js's result as JSON text (`error` empty), or its error message."""

    text: str = ""
    error: str = ""

    def __str__(self) -> str:
        return f"error: {self.error}" if self.error else self.text


class Xml2JsOracle:
    """The Node process; `convert_many` sends a batch and collects its answers in order."""

    def __init__(self, node: str) -> None:
        self._process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def convert_many(self, requests: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Answer]:
        lines = [
            json.dumps({"xml": xml, "options": dict(options)}, ensure_ascii=False) + "\n"
            for xml, options in requests
        ]
        writer = threading.Thread(target=self._write, args=(lines,), daemon=True)
        writer.start()  # (a thread: a large batch must not fill both pipes at once)
        answers = [self._answer() for _ in lines]
        writer.join()
        return answers

    def _write(self, lines: list[str]) -> None:
        assert self._process.stdin is not None
        for line in lines:
            self._process.stdin.write(line)
        self._process.stdin.flush()

    def _answer(self) -> Answer:
        try:
            line = self._answers.get(timeout=ANSWER_SECONDS)
        except queue.Empty:
            raise AssertionError(
                f"the xml2js oracle gave no answer in {ANSWER_SECONDS:g} s"
            ) from None
        if line is None:
            assert self._process.stderr is not None
            raise AssertionError(f"the xml2js oracle stopped: {self._process.stderr.read()}")
        answer = json.loads(line)
        if "error" in answer:
            return Answer(error=answer["error"])
        # JSON.stringify's own text: `{"value":` and the closing brace around it
        return Answer(text=line.rstrip("\n")[len('{"value":') : -1])

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def missing() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js (node) is not on PATH"
    if not PACKAGE.is_file():
        return f"{PACKAGE.parent} is absent (run `npm install` at the project root)"
    version = json.loads(PACKAGE.read_text(encoding="utf-8")).get("version")
    if version != VERSION:
        return f"node_modules/xml2js is {version}, not {VERSION} (run `npm install`)"
    return None


def start() -> Xml2JsOracle:
    """The oracle process, or a skip (a failure under AUTOMATIONS_REQUIRE_CONFORMANCE=1)."""
    reason = missing()
    if reason is not None:
        reason = f"the xml2js oracle cannot run: {reason}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
        pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")
    node = shutil.which("node")
    assert node is not None
    return Xml2JsOracle(node)
