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


def test_the_pictures_the_readme_shows_are_there() -> None:
    """The README's images exist and are PNG screenshots of the app's size (not empty or
    placeholder files): `make screenshots` writes them."""
    root = Path(__file__).resolve().parents[2]
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert {"docs/screenshots/editor.png", "docs/screenshots/process.png"} <= set(images)
    for image in images:
        data = (root / image).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{image} is not a PNG"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (1280, 760), f"{image} is {width}x{height}"
        assert 10_000 < len(data) < 400_000, f"{image} has {len(data)} bytes"
