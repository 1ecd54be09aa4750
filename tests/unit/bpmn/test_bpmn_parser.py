"""XML -> scenario graph: what each BPMN construct becomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.bpmn import (
    Kind,
    Loop,
    Param,
    RetryPolicy,
    Scenario,
    ScenarioInvalid,
    Timer,
    graphs,
    parse_scenario,
)
from automations.bpmn.parser import MAX_SUBPROCESS_DEPTH, normalize_value
from support.bpmn_documents import (
    MINIMAL_BODY,
    chain,
    flow,
    load_scenario,
    make_xml,
    task_with,
)

ORDER = Path(__file__).with_name("order.bpmn")


@pytest.fixture(scope="module")
def order() -> Scenario:
    return load_scenario(ORDER, known_scenarios={"approve-order"}.__contains__)


def test_order_elements_and_kinds(order: Scenario) -> None:
    kinds = {e.id: e.kind for e in order.main.elements.values()}
    assert kinds == {
        "Start": Kind.START,
        "FetchRate": Kind.SERVICE_TASK,
        "RateFailed": Kind.ERROR_BOUNDARY,
        "RateSlow": Kind.TIMER_BOUNDARY,
        "Big": Kind.EXCLUSIVE_GATEWAY,
        "Fork": Kind.PARALLEL_GATEWAY,
        "Lines": Kind.SUBPROCESS,
        "Approve": Kind.CALL_ACTIVITY,
        "Join": Kind.PARALLEL_GATEWAY,
        "Cool": Kind.TIMER_CATCH,
        "Done": Kind.END,
        "Fail": Kind.ERROR_END,
        "Stop": Kind.TERMINATE_END,
    }


def test_order_process_attributes(order: Scenario) -> None:
    assert (order.main.id, order.main.name, order.main.is_executable) == (
        "Order",
        "Handle an order",
        True,
    )
    assert (order.main.line, order.file) == (7, str(ORDER))


def test_service_task_extensions(order: Scenario) -> None:
    task = order.main.elements["FetchRate"]
    assert (task.component, task.component_line, task.line) == ("http.request", 12, 10)
    assert task.inputs == [
        Param("url", "{% 'https://rates.example/' & $currency %}", 13),  # padding trimmed
        Param("method", "GET", 14),
    ]
    assert task.outputs == [Param("rate", "{% $result.body.rate %}", 15)]
    assert task.retry == RetryPolicy(["http.timeout", "http.status"], 3, 2, 2.0, 16)
    assert task.boundaries == ["RateFailed", "RateSlow"]


def test_boundary_events(order: Scenario) -> None:
    failed, slow = order.main.elements["RateFailed"], order.main.elements["RateSlow"]
    assert (failed.attached_to, failed.error_ref, failed.error_code, failed.error_message) == (
        "FetchRate",
        "Error_Status",
        "http.status",
        "Bad status",
    )
    assert failed.outputs == [Param("failure", "{% $error.message %}", 21)]
    assert (slow.attached_to, slow.cancel_activity, slow.timer) == (
        "FetchRate",
        True,
        Timer("duration", "PT30S", 26),
    )


def test_error_without_code_uses_its_id_as_code(order: Scenario) -> None:
    fail = order.main.elements["Fail"]
    assert (fail.error_ref, fail.error_code, fail.error_message) == (
        "Error_Rate",
        "Error_Rate",
        "No rate",
    )
    assert set(order.errors) == {"Error_Status", "Error_Rate"}
    assert order.errors["Error_Status"].code == "http.status"


def test_flows_conditions_and_default(order: Scenario) -> None:
    big = order.main.elements["Big"]
    assert (big.outgoing, big.default_flow, big.incoming) == (["f3", "f4"], "f4", ["f2"])
    f3 = order.main.flows["f3"]
    assert (f3.name, f3.condition, f3.condition_line, f3.line) == (
        "big",
        "{% $order.total * $rate > 1000 %}",
        32,
        31,
    )
    assert order.main.flows["f4"].condition is None


def test_subprocess_body_and_multi_instance(order: Scenario) -> None:
    body = order.main.elements["Lines"].body
    assert body is not None
    assert (body.id, body.line, list(body.elements), list(body.flows)) == (
        "Lines",
        40,
        ["LinesStart", "Price", "LinesEnd"],
        ["l1", "l2"],
    )
    assert body.elements["Price"].loop == Loop(
        "{% $order.items %}", "item", "totals", "{% $item.price * $item.qty %}", True, 45
    )
    assert [g.id for g in graphs(order)] == ["Order", "Lines"]


def test_call_activity_and_timer_date(order: Scenario) -> None:
    assert order.main.elements["Approve"].called_element == "approve-order"
    assert order.main.elements["Cool"].timer == Timer("date", "2030-01-31T09:00:00Z", 58)


def test_artifacts_lanes_and_diagram_are_not_elements(order: Scenario) -> None:
    assert not {"Lanes", "Lane_1", "Note", "Assoc", "Diagram"} & set(order.main.elements)
    assert "Assoc" not in order.main.flows


def test_incoming_and_outgoing_come_from_the_flows_in_document_order() -> None:
    body = (
        '<bpmn:startEvent id="Start"><bpmn:outgoing>f9</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:exclusiveGateway id="G" default="b"/>'
        '<bpmn:endEvent id="End"><bpmn:incoming>zzz</bpmn:incoming></bpmn:endEvent>'
        + flow("s", "Start", "G")
        + flow("b", "G", "End")
        + flow("a", "G", "End", "{% true %}")
    )
    scenario = load_scenario(make_xml(body))
    assert scenario.main.elements["G"].outgoing == ["b", "a"]
    assert scenario.main.elements["End"].incoming == ["b", "a"]
    assert scenario.main.elements["Start"].outgoing == ["s"]


@pytest.mark.parametrize(
    "tag",
    [
        "task",
        "scriptTask",
        "serviceTask",
        "userTask",
        "manualTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
    ],
)
def test_every_task_kind_is_a_task_or_a_service_task(tag: str) -> None:
    component = '<auto:component type="parse"/><auto:input name="data" value="x"/>'
    component += '<auto:input name="query" value="$.a"/>'
    body = (
        f'<bpmn:startEvent id="Start"/><bpmn:{tag} id="Plain"/>'
        + task_with("Called", component, tag)
        + '<bpmn:endEvent id="End"/>'
        + chain("Start", "Plain", "Called", "End")
    )
    elements = load_scenario(make_xml(body)).main.elements
    assert (elements["Plain"].kind, elements["Called"].kind) == (Kind.TASK, Kind.SERVICE_TASK)
    assert elements["Called"].tag == tag


@pytest.mark.parametrize(
    ("xml_element", "note_part"),
    [
        ('<bpmn:eventBasedGateway id="X"/>', "waits for events"),
        ('<bpmn:complexGateway id="X"/>', "use exclusive, parallel or inclusive"),
        ('<bpmn:transaction id="X"/>', "embedded subprocess"),
        ('<bpmn:adHocSubProcess id="X"/>', "embedded subprocess"),
        ('<bpmn:intermediateThrowEvent id="X"/>', "no effect"),
        (
            '<bpmn:intermediateThrowEvent id="X"><bpmn:signalEventDefinition/>'
            "</bpmn:intermediateThrowEvent>",
            "throws a signal event",
        ),
        (
            '<bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition/>'
            "</bpmn:intermediateCatchEvent>",
            "waits for a message event",
        ),
        (
            '<bpmn:endEvent id="X"><bpmn:messageEventDefinition/></bpmn:endEvent>',
            "throws a message event",
        ),
        (
            '<bpmn:endEvent id="X"><bpmn:errorEventDefinition/><bpmn:messageEventDefinition/>'
            "</bpmn:endEvent>",
            "error+message",
        ),
        ('<bpmn:subProcess id="X" triggeredByEvent="true"/>', "event subprocesses"),
        ('<bpmn:task id="X" isForCompensation="true"/>', "compensation"),
        (
            '<bpmn:scriptTask id="X" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script>'
            "</bpmn:scriptTask>",
            "only JavaScript scripts run",
        ),
    ],
)
def test_unsupported_flow_nodes_keep_a_note(xml_element: str, note_part: str) -> None:
    scenario = parse_scenario(make_xml(MINIMAL_BODY + xml_element))
    node = scenario.main.elements["X"]
    assert node.kind is Kind.UNSUPPORTED
    assert node.note is not None and note_part in node.note
    assert node.body is None


@pytest.mark.parametrize("definition", ["message", "timer", "signal", "escalation"])
def test_start_events_with_a_definition_are_unsupported(definition: str) -> None:
    body = f'<bpmn:startEvent id="S"><bpmn:{definition}EventDefinition/></bpmn:startEvent>'
    node = parse_scenario(make_xml(body)).main.elements["S"]
    assert node.kind is Kind.UNSUPPORTED
    assert node.note is not None and f"a {definition} start event" in node.note


def test_non_interrupting_timer_boundary_is_unsupported() -> None:
    body = (
        '<bpmn:task id="T"/><bpmn:boundaryEvent id="B" attachedToRef="T" cancelActivity="false">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    node = parse_scenario(make_xml(body)).main.elements["B"]
    assert (node.kind, node.cancel_activity, node.attached_to) == (Kind.UNSUPPORTED, False, "T")


def test_catch_all_error_boundary_has_no_ref() -> None:
    body = (
        '<bpmn:task id="T"/><bpmn:boundaryEvent id="B" attachedToRef="T">'
        "<bpmn:errorEventDefinition/></bpmn:boundaryEvent>"
    )
    node = parse_scenario(make_xml(body)).main.elements["B"]
    assert (node.kind, node.error_ref, node.error_code) == (Kind.ERROR_BOUNDARY, None, None)


def test_error_ref_with_a_namespace_prefix() -> None:
    body = (
        '<bpmn:endEvent id="E" xmlns:tns="urn:test">'
        '<bpmn:errorEventDefinition errorRef="tns:Err"/></bpmn:endEvent>'
    )
    after = '<bpmn:error id="Err" errorCode="oops"/>'
    node = parse_scenario(make_xml(body, after=after)).main.elements["E"]
    assert (node.error_ref, node.error_code) == ("Err", "oops")


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [("", False), ('isExecutable="false"', False), ('isExecutable="true"', True)],
)
def test_is_executable_as_written_default_false(attribute: str, expected: bool) -> None:
    scenario = parse_scenario(make_xml(MINIMAL_BODY, process=f'id="P" {attribute}'))
    assert scenario.main.is_executable is expected


def test_every_process_is_read_and_main_is_the_executable_one() -> None:
    second = (
        '<bpmn:collaboration id="C"><bpmn:participant id="Pa" processRef="Q"/></bpmn:collaboration>'
        '<bpmn:process id="Q" isExecutable="true"><bpmn:startEvent id="QS"/></bpmn:process>'
    )
    scenario = parse_scenario(make_xml(MINIMAL_BODY, process='id="P"', after=second))
    assert [p.id for p in scenario.processes] == ["P", "Q"]
    assert scenario.main.id == "Q"


def test_empty_condition_expression_means_no_condition() -> None:
    body = MINIMAL_BODY.replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="End"/>',
        '<bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="End">'
        "<bpmn:conditionExpression/></bpmn:sequenceFlow>",
    )
    f1 = load_scenario(make_xml(body)).main.flows["f1"]
    assert (f1.condition, f1.condition_line) == (None, None)


def test_parse_scenario_skips_the_semantic_checks() -> None:
    scenario = parse_scenario(make_xml(flow("f", "A", "Nowhere")))
    assert scenario.main.flows["f"].target == "Nowhere"


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ('<auto:input name="url"/>', "auto:input needs both name= and value="),
        ('<auto:output value="1"/>', "auto:output needs both name= and value="),
        ("<auto:component/>", "auto:component needs type="),
        ('<auto:component type="a"/><auto:component type="b"/>', "only one auto:component"),
        ("<auto:retry/><auto:retry/>", "only one auto:retry"),
        ("<auto:wat/>", "unknown extension auto:wat; known: auto:component, auto:input"),
        ('<auto:retry maxAttempts="three"/>', "maxAttempts='three' is not a int number"),
        ('<auto:retry intervalSeconds="1.5"/>', "intervalSeconds='1.5' is not a int number"),
        ('<auto:retry backoffRate="nan"/>', "backoffRate='nan' is not a float number"),
        ('<auto:retry maxAttempts="' + "9" * 5000 + '"/>', "is not a int number"),
    ],
)
def test_extension_mistakes_are_parse_problems(extensions: str, message: str) -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(make_xml(task_with("T", extensions)))
    assert [(p.element, p.line) for p in exc.value.problems] == [("T", 3)] * len(exc.value.problems)
    assert any(message in p.message for p in exc.value.problems), str(exc.value)


def test_retry_defaults_and_floats() -> None:
    scenario = parse_scenario(make_xml(task_with("T", '<auto:retry backoffRate="1.5"/>')))
    assert scenario.main.elements["T"].retry == RetryPolicy([], 3, 1, 1.5, 3)


def test_multi_instance_without_auto_loop_and_the_reverse_are_parse_problems() -> None:
    body = '<bpmn:task id="A"><bpmn:multiInstanceLoopCharacteristics/></bpmn:task>\n' + task_with(
        "B", '<auto:loop inputCollection="{% $x %}" inputElement="i"/>'
    )
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(make_xml(body))
    assert [(p.element, p.line) for p in exc.value.problems] == [("A", 3), ("B", 4)]


def test_element_without_id_is_reported_by_tag() -> None:
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(make_xml(MINIMAL_BODY + "\n<bpmn:task name='nameless'/>"))
    assert [(p.element, p.line, p.message) for p in exc.value.problems] == [
        ("task", 6, "bpmn:task has no id; give it one")
    ]


def test_duplicate_id_across_scopes_is_reported() -> None:
    body = (
        '<bpmn:subProcess id="Sub"><bpmn:startEvent id="Start"/></bpmn:subProcess>\n' + MINIMAL_BODY
    )
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(make_xml(body))
    assert ("Start", 4, "duplicate id 'Start' (first used on line 3)") in [
        (p.element, p.line, p.message) for p in exc.value.problems
    ]


def test_a_file_without_process_is_a_problem() -> None:
    text = make_xml("", process='id="C"').replace("bpmn:process", "bpmn:collaboration")
    with pytest.raises(ScenarioInvalid) as exc:
        parse_scenario(text)
    assert [(p.element, p.line, p.message) for p in exc.value.problems] == [
        ("Defs", 1, "the file has no bpmn:process")
    ]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("  {% $a %}\n", "{% $a %}"),
        ("  literal  ", "  literal  "),
        ("{%%}", "{%%}"),
        ("{%}", "{%}"),
    ],
)
def test_normalize_value(value: str, stored: str) -> None:
    assert normalize_value(value) == stored


def test_subprocess_nesting_is_bounded() -> None:
    depth = MAX_SUBPROCESS_DEPTH + 1
    body = "".join(
        f'<bpmn:subProcess id="S{i}"><bpmn:startEvent id="In{i}"/>' for i in range(depth)
    )
    scenario = parse_scenario(make_xml(body + "</bpmn:subProcess>" * depth))
    deepest = list(graphs(scenario))[-1].elements[f"S{MAX_SUBPROCESS_DEPTH}"]
    assert (deepest.kind, deepest.note) == (Kind.UNSUPPORTED, "subprocesses nest at most 32 deep")
