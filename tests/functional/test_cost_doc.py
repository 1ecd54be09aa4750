"""docs/cost.md holds what bench/cost.py computes now: the counts follow the examples."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_cost() -> Any:
    name = "bench_cost"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "cost.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


cost = load_cost()


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    # rate-with-fallback relies on loopback and private addresses being refused
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", raising=False)
    return list(cost.count_all())


def test_the_document_holds_what_the_script_computes(counts: list[Any]) -> None:
    document = cost.DOC.read_text(encoding="utf-8")
    assert cost.generated_in(document) == cost.generated(counts), (
        "docs/cost.md is out of date: run `.venv/bin/python bench/cost.py --write`"
    )


def test_every_run_of_every_example_is_counted(counts: list[Any]) -> None:
    runs = cost.expectations()
    assert [(c.stem, c.index) for c in counts] == [
        (stem, index) for stem, listed in runs.items() for index in range(len(listed))
    ]
    assert {path.stem for path in cost.EXAMPLES.glob("*.bpmn")} == {c.stem for c in counts}
    assert [c.status for c in counts] == [
        run["status"] for listed in runs.values() for run in listed
    ]


def test_the_counts_are_what_the_histories_show(counts: list[Any]) -> None:
    by_run = {(c.stem, c.index): c for c in counts}
    # counter-loop with n = 5: Init, then LoopCheck and AddStep five times, LoopCheck, Report,
    # and the start and end events' states.
    loop = by_run["counter-loop", 0]
    assert (loop.transitions, loop.lambda_calls) == (15, 0)
    # extract-order-numbers: one `parse` call per message, three messages.
    assert by_run["extract-order-numbers", 0].lambda_calls == 3
    # call-discount counts its child execution's states too.
    assert by_run["call-discount", 0].transitions > by_run["discount-calculator", 0].transitions
    # A scenario with a call activity or a long wait has no EXPRESS machine.
    assert not by_run["call-discount", 0].express and not by_run["reminder-timer", 0].express
    assert by_run["order-approval", 0].express


def test_the_table_replaces_only_what_lies_between_the_markers() -> None:
    document = f"intro\n{cost.BEGIN}\nold\n{cost.END}\noutro\n"
    assert cost.replace_table(document, "new\n") == f"intro\n{cost.BEGIN}\nnew\n{cost.END}\noutro\n"


def test_each_call_is_billed_at_the_memory_of_its_components_function(counts: list[Any]) -> None:
    from cfnlint.decode import cfn_yaml

    from automations.components import registry

    template = cfn_yaml.load(str(cost.TEMPLATE))
    by_name = {
        str(r["Properties"]["FunctionName"]["Fn::Sub"]): int(r["Properties"]["MemorySize"])
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    memory = cost.function_memory_mb()
    assert sorted(memory) == registry.names()
    for name, mb in memory.items():
        assert by_name["${DeploymentName}-" + name.replace(".", "-")] == mb

    # extract-order-numbers calls `parse` three times; nothing else.
    run = next(c for c in counts if c.stem == "extract-order-numbers")
    assert run.components == ("parse", "parse", "parse")
    per_call = cost.LAMBDA_PER_REQUEST + memory["parse"] / 1024 * cost.LAMBDA_SECONDS * (
        cost.LAMBDA_PER_GB_SECOND
    )
    assert run.lambda_per_million == pytest.approx(cost.MILLION * 3 * per_call)
