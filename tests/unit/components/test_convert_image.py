"""The converter's container image (infra/functions/convert/Dockerfile) against the code it
packs: no Docker daemon runs here, so what the image relies on is checked as text."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from automations.components import convert, convert_pdf

ROOT = Path(__file__).resolve().parents[3]
FOLDER = ROOT / "infra" / "functions" / "convert"
DOCKERFILE = (FOLDER / "Dockerfile").read_text("utf-8")
IGNORE = (FOLDER / "Dockerfile.dockerignore").read_text("utf-8").split()


def instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", joined, re.MULTILINE)]


def test_the_image_installs_the_programs_the_converter_runs() -> None:
    apt = " ".join(instructions("RUN"))
    assert re.search(r"apt-get install .*\bchromium\b", apt)
    assert re.search(r"apt-get install .*\blibreoffice-writer-nogui\b", apt)


def test_its_settings_are_the_converters_own() -> None:
    names = re.findall(r"\b(AUTOMATIONS_[A-Z_]+)=", " ".join(instructions("ENV")))
    known = {
        convert_pdf.CHROMIUM_PATH_ENV,
        convert_pdf.CHROMIUM_ARGS_ENV,
        convert_pdf.SOFFICE_PATH_ENV,
        convert.MAX_BYTES_ENV,
    }
    assert names and set(names) <= known
    assert f"{convert_pdf.CHROMIUM_PATH_ENV}={convert_pdf.DEFAULT_CHROMIUM_PATH}" in DOCKERFILE


def test_it_installs_the_convert_extra_which_holds_playwright() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    extra = pyproject["project"]["optional-dependencies"]["convert"]
    assert any(requirement.startswith("playwright") for requirement in extra)
    assert '".[convert]"' in " ".join(instructions("RUN"))


def test_what_it_copies_exists_and_is_sent_in_the_build_context() -> None:
    for copy in instructions("COPY"):
        *sources, _ = copy.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert f"!{source.rstrip('/')}" in [entry.rstrip("/") for entry in IGNORE], source


def test_its_command_is_the_step_runners_handler() -> None:
    assert instructions("CMD") == ['["app.handler"]']
    assert "COPY functions/step-runner/app.py ./app.py" in DOCKERFILE
    handler = (ROOT / "functions" / "step-runner" / "app.py").read_text("utf-8")
    assert re.search(r"^def handler\(", handler, re.MULTILINE)
