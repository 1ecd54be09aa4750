"""The compiler's contract, element by element, on small scenarios written inline."""

from __future__ import annotations

from typing import Any

import pytest

from automations.bpmn.errors import ScenarioInvalid
from automations.compiler import Flavour, compile_scenario, element_of
from support.bpmn_documents import load_scenario

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">\n'
)


def bpmn(body: str, errors: str = "") -> str:
    return f'{HEAD}{errors}<bpmn:process id="p" isExecutable="true">\n{body}\n</bpmn:process>\n</bpmn:definitions>\n'


def flows(*pairs: str) -> str:
    out = []
    for i, pair in enumerate(pairs):
        src, dst = pair.split(">")
        out.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{src}" targetRef="{dst}"/>')
    return "\n".join(out)


def task(tid: str, *outputs: tuple[str, str]) -> str:
    outs = "".join(f'<auto:output name="{n}" value="{v}"/>' for n, v in outputs)
    return (
        f'<bpmn:task id="{tid}"><bpmn:extensionElements>{outs}</bpmn:extensionElements></bpmn:task>'
    )


def compiled(text: str, flavour: Flavour = Flavour.STANDARD) -> dict[str, Any]:
    return compile_scenario(load_scenario(text, file="t.bpmn"), flavour)


def problems(text: str, flavour: Flavour = Flavour.STANDARD) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioInvalid) as exc:
        compiled(text, flavour)
    return [(p.element, p.message) for p in exc.value.problems]


START_END = '<bpmn:startEvent id="S"/><bpmn:endEvent id="E"/>'


def test_state_names_are_element_ids_and_variables_start_null() -> None:
    machine = compiled(bpmn(START_END + task("T", ("x", "{% $n + 1 %}")) + flows("S>T", "T>E")))
    assert machine["QueryLanguage"] == "JSONata"
    assert machine["StartAt"] == "S"
    assert list(machine["States"]) == ["S", "T", "E"]
    start = machine["States"]["S"]
    assert set(start["Assign"]) == {"x", "n"}
    assert "$states.input.`n`" in start["Assign"]["n"]
    assert machine["States"]["E"]["Type"] == "Succeed"
    assert "$merge([$states.context.Execution.Input" in machine["States"]["E"]["Output"]


def test_outputs_see_the_ones_before_them() -> None:
    body = (
        START_END
        + task("T", ("a", "{% 1 %}"), ("b", "{% $a + 1 %}"), ("c", "lit"))
        + flows("S>T", "T>E")
    )
    assign = compiled(bpmn(body))["States"]["T"]["Assign"]
    assert assign["a"] == "{% 1 %}"
    assert assign["b"] == "{% ($a := 1; $__value := $a + 1; $exists($__value) ? $__value : null) %}"
    assert assign["c"] == "lit"


def test_exclusive_gateway_tries_conditions_in_file_order_then_default() -> None:
    body = (
        START_END
        + '<bpmn:exclusiveGateway id="G" default="fd"/>'
        + task("A", ("r", "a"))
        + task("B", ("r", "b"))
        + task("C", ("r", "c"))
        + '<bpmn:sequenceFlow id="fs" sourceRef="S" targetRef="G"/>'
        + '<bpmn:sequenceFlow id="fb" sourceRef="G" targetRef="B"><bpmn:conditionExpression>{% $x &gt; 1 %}</bpmn:conditionExpression></bpmn:sequenceFlow>'
        + '<bpmn:sequenceFlow id="fd" sourceRef="G" targetRef="C"/>'
        + '<bpmn:sequenceFlow id="fa" sourceRef="G" targetRef="A"><bpmn:conditionExpression>{% $x &gt; 0 %}</bpmn:conditionExpression></bpmn:sequenceFlow>'
        + flows("A>E", "B>E", "C>E")
    )
    choice = compiled(bpmn(body))["States"]["G"]
    assert [c["Next"] for c in choice["Choices"]] == ["B", "A"]
    assert choice["Default"] == "C"


def test_parallel_block_becomes_parallel_and_merges_branch_variables() -> None:
    body = (
        START_END
        + '<bpmn:parallelGateway id="F"/><bpmn:parallelGateway id="J"/>'
        + task("L", ("left", "{% 1 %}"), ("both", "{% 'l' %}"))
        + task("R", ("right", "{% 2 %}"), ("both", "{% 'r' %}"))
        + flows("S>F", "F>L", "F>R", "L>J", "R>J", "J>E")
    )
    machine = compiled(bpmn(body))
    par = machine["States"]["F"]
    assert par["Type"] == "Parallel"
    assert par["Next"] == "E"
    assert [b["StartAt"] for b in par["Branches"]] == ["L", "R"]
    left = par["Branches"][0]["States"]
    assert left["L"]["Assign"] == {"left__s1": "{% 1 %}", "both__s1": "{% 'l' %}"}
    assert left["J__0"] == {
        "Type": "Pass",
        "Output": '{% {"left": ($exists($left__s1) ? $left__s1 : $left), '
        '"both": ($exists($both__s1) ? $both__s1 : $both)} %}',
        "End": True,
    }
    assert par["Assign"]["left"] == "{% ($r := $states.result; $r[0].`left`) %}"
    assert par["Assign"]["both"].startswith("{% ($r := $states.result; ($r[0].`both` != $both")
    assert "J" not in machine["States"]


def test_unstructured_join_is_reported_at_the_gateway() -> None:
    body = (
        START_END
        + '<bpmn:parallelGateway id="F"/><bpmn:parallelGateway id="J1"/><bpmn:parallelGateway id="J2"/>'
        + task("A")
        + task("B")
        + task("C")
        + flows("S>F", "F>A", "F>B", "F>C", "A>J1", "B>J1", "J1>J2", "C>J2", "J2>E")
    )
    found = problems(bpmn(body))
    assert any(element == "J1" and "meet here before J2" in msg for element, msg in found), found


def test_branch_ending_in_an_end_event_is_not_a_block() -> None:
    body = (
        START_END
        + '<bpmn:endEvent id="E2"/><bpmn:parallelGateway id="F"/>'
        + task("A")
        + task("B")
        + flows("S>F", "F>A", "F>B", "A>E", "B>E2")
    )
    found = problems(bpmn(body))
    assert any(element == "F" and "never meet again" in msg for element, msg in found), found


def test_error_boundary_becomes_catch_with_error_binding() -> None:
    errors = '<bpmn:error id="Err" errorCode="parse.invalid_data"/>'
    body = (
        START_END
        + '<bpmn:serviceTask id="T"><bpmn:extensionElements><auto:component type="parse"/>'
        '<auto:input name="data" value="{% $text %}"/><auto:input name="query" value="$.a"/>'
        '<auto:output name="v" value="{% $result.value %}"/></bpmn:extensionElements></bpmn:serviceTask>'
        + '<bpmn:boundaryEvent id="B" attachedToRef="T"><bpmn:extensionElements>'
        '<auto:output name="why" value="{% $error.code %}"/></bpmn:extensionElements>'
        '<bpmn:errorEventDefinition errorRef="Err"/></bpmn:boundaryEvent>'
        + task("Fallback", ("v", "{% 0 %}"))
        + flows("S>T", "T>E", "B>Fallback", "Fallback>E")
    )
    states = compiled(bpmn(body, errors))["States"]
    task_state = states["T"]
    assert task_state["Resource"] == "arn:aws:states:::lambda:invoke"
    assert task_state["Arguments"]["FunctionName"] == "${Component.parse}"
    assert task_state["Arguments"]["Payload"]["inputs"] == {
        "data": "{% ($__value := $text; $exists($__value) ? $__value : null) %}",
        "query": "$.a",
    }
    assert task_state["Catch"] == [{"ErrorEquals": ["parse.invalid_data"], "Next": "B"}]
    assert task_state["Retry"][-1]["ErrorEquals"][0] == "Lambda.ServiceException"
    assert (
        task_state["Assign"]["v"]
        == "{% ($result := $states.result.Payload; $__value := $result.value; $exists($__value) ? $__value : null) %}"
    )
    assert states["B"]["Assign"]["why"].startswith("{% ($error := {")
    assert states["B"]["Next"] == "Fallback"


def test_express_refuses_a_long_wait_and_standard_accepts_it() -> None:
    body = (
        START_END + '<bpmn:intermediateCatchEvent id="W"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        + flows("S>W", "W>E")
    )
    assert compiled(bpmn(body))["States"]["W"] == {"Type": "Wait", "Seconds": 3600, "Next": "E"}
    found = problems(bpmn(body), Flavour.EXPRESS)
    assert found == [
        ("W", "EXPRESS workflows cannot run this: a wait of 3600 s is longer than 5 minutes")
    ]


def test_express_caps_the_machine_timeout() -> None:
    text = bpmn(START_END + flows("S>E"))
    assert compiled(text)["TimeoutSeconds"] == 86400
    assert compiled(text, Flavour.EXPRESS)["TimeoutSeconds"] == 300


def test_multi_instance_becomes_map_collecting_output_element() -> None:
    body = (
        START_END + '<bpmn:task id="M"><bpmn:extensionElements>'
        '<auto:loop inputCollection="{% $items %}" inputElement="item" outputCollection="totals" '
        'outputElement="{% $item * 2 %}"/></bpmn:extensionElements>'
        "<bpmn:multiInstanceLoopCharacteristics/></bpmn:task>" + flows("S>M", "M>E")
    )
    machine = compiled(bpmn(body))
    mapped = machine["States"]["M"]
    assert mapped["Type"] == "Map"
    assert mapped["Items"] == "{% $items %}"
    processor = mapped["ItemProcessor"]
    # One state per item: the item is the state's input, the collected value its output.
    assert processor["StartAt"] == "M__instance"
    assert processor["States"] == {
        "M__instance": {
            "Type": "Pass",
            "Output": "{% ($item := $states.input; $__value := $item * 2; $exists($__value) ? $__value : null) %}",
            "End": True,
        }
    }
    assert mapped["Assign"] == {"totals": "{% $states.result %}"}
    assert "item" not in machine["States"]["S"]["Assign"]


def test_element_of_strips_helper_suffixes() -> None:
    assert element_of("Task_1") == "Task_1"
    assert element_of("M__item") == "M"
    assert element_of("J__0") == "J"
