"""The xml2js oracle (`xml2js_oracle.mjs`: xml2js@0.6.2 under Node), for `test_xml2js_oracle.py`.

One Node process serves a test module (`support/node_oracle.py` runs it); requests go to it as
JSON lines and come back in order. An answer is the JSON text xml2js's result stringifies to
(key order included) or its error.

Without Node or `node_modules/xml2js` (a clone without `npm install`), `start` skips the calling
test with the reason; under AUTOMATIONS_REQUIRE_CONFORMANCE=1 (CI) it fails instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.node_oracle import NodeProcess, NodeScript, value_text

VERSION = "0.6.2"  # the latest 0.6.x, the line the product's converter uses
SCRIPT = NodeScript(
    "the xml2js oracle", Path(__file__).with_name("xml2js_oracle.mjs"), "xml2js", VERSION
)


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
        self._process = NodeProcess(node, SCRIPT, restart_after_timeout=False)

    def convert_many(self, requests: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Answer]:
        lines = self._process.ask_many(
            [{"xml": xml, "options": dict(options)} for xml, options in requests]
        )
        return [_answer(line) for line in lines]

    def close(self) -> None:
        self._process.close()


def _answer(line: str) -> Answer:
    answer = json.loads(line)
    if "error" in answer:
        return Answer(error=answer["error"])
    return Answer(text=value_text(line))


def start() -> Xml2JsOracle:
    """The oracle process, or a skip (a failure under AUTOMATIONS_REQUIRE_CONFORMANCE=1)."""
    return Xml2JsOracle(SCRIPT.node())
