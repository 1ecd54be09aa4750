"""The README's first scenario runs and prints what the README shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from automations.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_first_scenario_runs_as_the_readme_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = re.search(r"```xml\n(.*?)```", README, re.S)
    shown = re.search(r"--json\n# (\{.*\})\n", README)
    assert xml and shown
    scenario = tmp_path / "greet.bpmn"
    scenario.write_text(xml.group(1), encoding="utf-8")
    code = main(["run", str(scenario), "--input", '{"name": "Ada"}', "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == json.loads(shown.group(1))
