"""Script tasks: a JavaScript script runs as a `code.js` call that sees the process variables;
any other script is refused where it stands (element id and line)."""

from __future__ import annotations

import pytest

from automations.bpmn import Kind, ScenarioInvalid
from automations.compiler import compile_scenario
from support.bpmn_documents import chain, load_scenario, make_xml

CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


def script_task(attributes: str, script: str = "return a + 1", extensions: str = "") -> str:
    ext = f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else ""
    body = (
        '<bpmn:startEvent id="Start"/>\n'
        f'<bpmn:scriptTask id="S" {attributes}>{ext}\n'
        f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>\n"
        '<bpmn:endEvent id="End"/>\n' + chain("Start", "S", "End")
    )
    return make_xml(body).replace("<bpmn:definitions ", f"<bpmn:definitions {CAMUNDA} ", 1)


@pytest.mark.parametrize(
    "script_format",
    ["javascript", "JavaScript", "text/javascript", "application/javascript", "js", "ECMAScript"],
)
def test_a_javascript_script_task_is_a_code_js_call(script_format: str) -> None:
    node = load_scenario(script_task(f'scriptFormat="{script_format}"')).main.elements["S"]
    assert (node.kind, node.component) == (Kind.SERVICE_TASK, "code.js")
    assert [(p.name, p.value, p.line) for p in node.inputs] == [("code", "return a + 1", 5)]
    assert node.script_variables


def test_its_script_gets_every_process_variable_and_its_outputs_read_the_result() -> None:
    output = '<auto:output name="b" value="{% $result * 2 %}"/>'
    xml = script_task('scriptFormat="javascript" camunda:resultVariable="raw"', extensions=output)
    state = compile_scenario(load_scenario(xml))["States"]["S"]
    inputs = state["Arguments"]["Payload"]["inputs"]
    assert inputs["code"] == "return a + 1"
    assert inputs["variables"] == (
        '{% $merge([$states.context.Execution.Input, {"raw": $raw, "b": $b}]) %}'
    )
    assert list(state["Assign"]) == ["raw", "b"]
    assert state["Arguments"]["FunctionName"] == "${Component.code.js}"


def test_an_auto_input_named_variables_is_what_the_script_sees() -> None:
    given = '<auto:input name="variables" value="{% {\'a\': 1} %}"/>'
    xml = script_task('scriptFormat="javascript"', extensions=given)
    node = load_scenario(xml).main.elements["S"]
    assert not node.script_variables
    inputs = compile_scenario(load_scenario(xml))["States"]["S"]["Arguments"]["Payload"]["inputs"]
    assert inputs["variables"] == "{% {'a': 1} %}"


@pytest.mark.parametrize(
    ("attributes", "said"),
    [
        ('scriptFormat="groovy"', "its scriptFormat is 'groovy'"),
        ('scriptFormat="python"', "its scriptFormat is 'python'"),
        ("", "it has no scriptFormat"),
    ],
)
def test_other_scripts_are_refused_at_their_element_and_line(attributes: str, said: str) -> None:
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(script_task(attributes))
    [problem] = caught.value.problems
    assert (problem.element, problem.line) == ("S", 4)
    assert problem.message == (
        f'scriptTask is not supported: {said}; only JavaScript scripts run (scriptFormat="javascript")'
    )


def test_a_script_task_with_a_script_cannot_name_another_component() -> None:
    component = '<auto:component type="parse"/>'
    with pytest.raises(ScenarioInvalid, match=r"runs it as code\.js; remove its auto:component"):
        load_scenario(script_task('scriptFormat="javascript"', extensions=component))


def test_a_script_task_without_a_script_still_only_assigns() -> None:
    node = load_scenario(script_task('scriptFormat="groovy"', script="  ")).main.elements["S"]
    assert (node.kind, node.component) == (Kind.TASK, None)
