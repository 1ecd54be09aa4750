"""compiler/__init__.py: one machine per scenario, its start, its end, its timeout, its text."""

from __future__ import annotations

import json

import pytest
from tests.unit.compiler.graphs import chain, compiled, graph, node, out, refused

from automations.bpmn import ScenarioInvalid, parse_scenario
from automations.bpmn.model import Kind, Process, Scenario
from automations.compiler import DEFAULT_TIMEOUT_SECONDS, Flavour, compile_scenario, to_json
from support.bpmn_documents import load_scenario, make_xml


def _process(**fields: object) -> Process:
    g = graph(
        node("S", Kind.START),
        node("T", Kind.TASK, outputs=[out("total", "{% $price * 2 %}")]),
        node("E", Kind.END),
        *chain("S", "T", "E"),
    )
    assert isinstance(g, Process)
    for name, value in fields.items():
        setattr(g, name, value)
    return g


def test_the_machine_names_its_source_and_flavour_and_starts_at_the_start_event() -> None:
    machine = compiled(_process(name="Doubling"))
    assert {k: v for k, v in machine.items() if k != "States"} == {
        "Comment": "Doubling — compiled from t.bpmn (STANDARD)",
        "QueryLanguage": "JSONata",
        "StartAt": "S",
        "TimeoutSeconds": DEFAULT_TIMEOUT_SECONDS,
    }
    assert list(machine["States"]) == ["S", "T", "E"]
    assert compiled(_process(), Flavour.EXPRESS)["Comment"] == (
        "P — compiled from t.bpmn (EXPRESS)"  # no name: the process id
    )


def test_the_end_of_the_process_outputs_the_input_merged_with_every_variable() -> None:
    end = compiled(_process())["States"]["E"]
    assert end == {
        "Type": "Succeed",
        "Output": '{% $merge([$states.context.Execution.Input, {"total": $total, '
        '"price": $price}]) %}',
    }


def test_the_timeout_is_configurable_and_at_most_five_minutes_for_express() -> None:
    scenario = Scenario("t.bpmn", [_process()])
    assert compile_scenario(scenario, timeout_seconds=60)["TimeoutSeconds"] == 60
    assert compile_scenario(scenario, Flavour.EXPRESS, timeout_seconds=60)["TimeoutSeconds"] == 60
    assert compile_scenario(scenario, Flavour.EXPRESS, timeout_seconds=900)["TimeoutSeconds"] == 300


@pytest.mark.parametrize("starts", [0, 2])
def test_the_main_process_needs_exactly_one_none_start_event(starts: int) -> None:
    g = graph(
        *(node(f"S{i}", Kind.START) for i in range(starts)),
        node("T", Kind.TASK, line=4, outputs=[out("x", "{% 1 %}")]),
        *(f for i in range(starts) for f in chain(f"S{i}", "T", prefix=f"s{i}_")),
    )
    found = refused(g)
    assert found[-1] == ("P", 1, f"needs exactly one none start event, found {starts}")
    # Only what compiling from a start reveals waits for one: nothing else is compiled.
    assert found[:-1] == []


def test_every_problem_is_reported_together() -> None:
    g = graph(
        node("S", Kind.START),
        node("A", Kind.TASK, line=3),
        node("B", Kind.TASK, line=4),
        node("E", Kind.END),
        *chain("S", "A", "B"),
        *chain("A", "E", prefix="x"),
    )
    assert refused(g) == [
        ("A", 3, "has 2 outgoing flows: split with an exclusive or parallel gateway"),
        ("B", 4, "has no outgoing flow: connect it to an end event"),
    ]


def test_the_executable_process_is_the_one_compiled() -> None:
    other = graph(node("X", Kind.START), ident="Other")
    assert isinstance(other, Process)
    main = _process(is_executable=True)
    assert compile_scenario(Scenario("t.bpmn", [other, main]))["StartAt"] == "S"


def test_to_json_is_stable_indented_utf8_text_with_a_final_newline() -> None:
    text = to_json({"Comment": "Привет", "b": [1]})
    assert text == '{\n  "Comment": "Привет",\n  "b": [\n    1\n  ]\n}\n'
    assert json.loads(text) == {"Comment": "Привет", "b": [1]}


@pytest.mark.parametrize(
    "body",
    [
        '<bpmn:endEvent id="E"/>',
        '<bpmn:startEvent id="S1"/><bpmn:startEvent id="S2"/><bpmn:endEvent id="E"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="S1" targetRef="E"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="S2" targetRef="E"/>',
    ],
    ids=["none", "two"],
)
def test_validation_refuses_a_start_event_count_the_compiler_refuses(body: str) -> None:
    # One verdict; the words differ (validation names the extra start, the compiler the process).
    for load in (load_scenario, parse_scenario):
        with pytest.raises(ScenarioInvalid):
            compile_scenario(load(make_xml(body), file="t.bpmn"))
