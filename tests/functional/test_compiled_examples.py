"""Every example compiles, matches its golden file, and passes asl-validator and cfn-lint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from automations.bpmn.errors import ScenarioInvalid
from automations.compiler import Flavour, to_json
from automations.service.scenarios import compile_bpmn, sibling_scenarios

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.bpmn"))
GOLDEN = ROOT / "statemachines" / "examples"
FAKE_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:automations-{}"
FAKE_SM_ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:{}"


def compile_example(path: Path, flavour: Flavour) -> dict[str, Any] | None:
    """The compiled machine, or None when the flavour refuses the scenario (EXPRESS only)."""
    try:
        _, definition = compile_bpmn(
            path, file=path.name, flavour=flavour, known_scenarios=sibling_scenarios(path)
        )
    except ScenarioInvalid as exc:
        assert flavour is Flavour.EXPRESS, str(exc)
        assert all("EXPRESS" in p.message for p in exc.problems), str(exc)
        return None
    return definition


def golden_path(path: Path, flavour: Flavour) -> Path:
    suffix = ".asl.json" if flavour is Flavour.STANDARD else ".express.asl.json"
    return GOLDEN / (path.stem + suffix)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("flavour", list(Flavour))
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_matches_golden_file(path: Path, flavour: Flavour) -> None:
    definition = compile_example(path, flavour)
    golden = golden_path(path, flavour)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        if definition is None:
            golden.unlink(missing_ok=True)
        else:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(to_json(definition), encoding="utf-8")
    if definition is None:
        assert not golden.exists(), f"{golden.name} is stale: EXPRESS refuses {path.name}"
        return
    assert golden.exists(), f"missing {golden}; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert to_json(definition) == golden.read_text(encoding="utf-8")


def deployable(definition: dict[str, Any]) -> str:
    """The definition with `${Component.x}` / `${Scenario.x}` replaced as a deployment would."""
    text = json.dumps(definition)
    for name in _placeholders(text, "${Component."):
        text = text.replace("${Component." + name + "}", FAKE_ARN.format(name.replace(".", "-")))
    for name in _placeholders(text, "${Scenario."):
        text = text.replace("${Scenario." + name + "}", FAKE_SM_ARN.format(name))
    return text


def _placeholders(text: str, prefix: str) -> set[str]:
    found = set()
    start = text.find(prefix)
    while start != -1:
        end = text.index("}", start)
        found.add(text[start + len(prefix) : end])
        start = text.find(prefix, end)
    return found


@pytest.fixture(scope="module")
def compiled() -> dict[str, tuple[Flavour, dict[str, Any]]]:
    machines: dict[str, tuple[Flavour, dict[str, Any]]] = {}
    for path in EXAMPLES:
        for flavour in Flavour:
            definition = compile_example(path, flavour)
            if definition is not None:
                machines[f"{path.stem}-{flavour.value.lower()}"] = (flavour, definition)
    return machines


def test_asl_validator_accepts_every_compiled_example(
    compiled: dict[str, tuple[Flavour, dict[str, Any]]], tmp_path: Path
) -> None:
    validator = ROOT / "node_modules" / ".bin" / "asl-validator"
    assert validator.exists(), "run `make install` (npm install) first"
    args: list[str] = []
    for name, (_, definition) in compiled.items():
        target = tmp_path / f"{name}.json"
        target.write_text(deployable(definition), encoding="utf-8")
        args += ["--json-path", str(target)]
    done = subprocess.run([str(validator), *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cfn_lint_accepts_every_compiled_example(
    compiled: dict[str, tuple[Flavour, dict[str, Any]]], tmp_path: Path
) -> None:
    resources = {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        }
    }
    for name, (flavour, definition) in compiled.items():
        logical = "".join(part.capitalize() for part in name.split("-"))
        resources[logical] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineType": flavour.value,
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "Definition": json.loads(deployable(definition)),
            },
        }
    template = tmp_path / "template.json"
    template.write_text(
        json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=1),
        encoding="utf-8",
    )
    cfn_lint = shutil.which("cfn-lint", path=str(ROOT / ".venv" / "bin")) or "cfn-lint"
    done = subprocess.run([cfn_lint, str(template)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
