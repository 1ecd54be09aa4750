"""The BPMN MIWG corpus: files exported by real modelling tools, vendor extensions and all.

Most use elements a scenario cannot run (message events, event subprocesses, ...), so many are
reported invalid. What must hold for every one: no crash, and either a scenario or problems that
each point at an element id and a line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conformance.corpus import CONFORMANCE_ROOT, corpus_dir

from automations.bpmn import ScenarioInvalid, load_scenario

CORPUS = "bpmn-miwg"
FILES = sorted((CONFORMANCE_ROOT / CORPUS).rglob("*.bpmn"))


def test_corpus_is_present() -> None:
    assert len(list(corpus_dir(CORPUS).rglob("*.bpmn"))) >= 100


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CONFORMANCE_ROOT / CORPUS)))
def test_file_loads_or_every_problem_points_at_an_element(path: Path) -> None:
    try:
        scenario = load_scenario(path)
    except ScenarioInvalid as exc:
        located = [p for p in exc.problems if p.element.strip() and p.line > 0]
        assert located == exc.problems, str(exc)
        assert {p.file for p in exc.problems} == {str(path)}
        assert all("\n" not in p.message for p in exc.problems)
    else:
        assert scenario.processes


@pytest.mark.parametrize(("required", "outcome"), [("", "skip"), ("1", "fail")])
def test_missing_corpus_skips_or_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, required: str, outcome: str
) -> None:
    from tests.conformance import corpus

    monkeypatch.setattr(corpus, "CONFORMANCE_ROOT", tmp_path)
    monkeypatch.setenv(corpus.REQUIRE_ENV, required)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected) as exc:
        corpus.corpus_dir("nowhere")
    assert "conformance corpus 'nowhere' not found" in str(exc.value)
