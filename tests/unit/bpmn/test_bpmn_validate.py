"""Semantic checks: every problem at once, each with the element id, the line and what to do."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from automations import bpmn
from automations.bpmn import (
    Element,
    Flow,
    Kind,
    Problem,
    Process,
    Scenario,
    ScenarioInvalid,
    validate_scenario,
)
from support.bpmn_documents import (
    MINIMAL_BODY,
    chain,
    flow,
    load_scenario,
    make_xml,
    task_with,
)

PARSE = '<auto:component type="parse"/>'
PARSE_INPUTS = '<auto:input name="data" value="{% $body %}"/><auto:input name="query" value="$.a"/>'
SERVICE_T = task_with("T", PARSE + PARSE_INPUTS, tag="serviceTask")  # a task that can fail


def _problems(body: str, **kwargs: object) -> list[tuple[str, int, str]]:
    """Load a process body that must be invalid; (element, line, message) of each problem."""
    try:
        load_scenario(make_xml(body), **kwargs)  # type: ignore[arg-type]
    except ScenarioInvalid as exc:
        return [(p.element, p.line, p.message) for p in exc.problems]
    raise AssertionError("the scenario loaded")


def _linear(*elements: str, ids: tuple[str, ...]) -> str:
    """Start -> ids... -> End, the elements given as XML, one per line from line 4."""
    return "\n".join(['<bpmn:startEvent id="Start"/>', *elements, '<bpmn:endEvent id="End"/>']) + (
        "\n" + chain("Start", *ids, "End")
    )


def test_valid_minimal_process_loads() -> None:
    assert load_scenario(make_xml(MINIMAL_BODY)).main.starts()[0].id == "Start"


def test_every_problem_is_reported_at_once() -> None:
    body = (
        _linear(
            task_with("A", '<auto:component type="nope"/>'),
            task_with("B", '<auto:output name="1x" value="{% ( %}"/>'),
            ids=("A", "B"),
        )
        + "\n"
        + flow("dangling", "B", "Ghost")
    )
    with pytest.raises(ScenarioInvalid) as exc:
        load_scenario(make_xml(body))
    assert {(p.element, p.line) for p in exc.value.problems} == {
        ("A", 4),
        ("B", 5),
        ("dangling", 10),
    }
    assert len(exc.value.problems) == 4


# -- references and scopes ---------------------------------------------------------------


def test_dangling_source_ref() -> None:
    body = MINIMAL_BODY + "\n" + flow("f2", "Ghost", "End")
    assert _problems(body) == [("f2", 6, "flow f2: sourceRef 'Ghost' points to no element")]


def test_flow_into_a_subprocess_from_outside_crosses_scopes() -> None:
    body = (
        '<bpmn:startEvent id="Start"/>\n'
        '<bpmn:subProcess id="Sub"><bpmn:startEvent id="In"/></bpmn:subProcess>\n'
        + flow("f", "Start", "In")
        + "\n"
        + flow("g", "Start", "Sub")
    )
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("f", 5)
    assert "targetRef 'In' is in 'Sub'" in message


def test_boundary_attached_to_an_activity_in_another_scope() -> None:
    body = (
        '<bpmn:startEvent id="Start"/>\n'
        '<bpmn:subProcess id="Sub"><bpmn:startEvent id="In"/>'
        '<bpmn:task id="Deep"/>' + flow("i", "In", "Deep") + "</bpmn:subProcess>\n"
        '<bpmn:boundaryEvent id="B" attachedToRef="Deep"><bpmn:errorEventDefinition/>'
        "</bpmn:boundaryEvent>\n" + flow("f", "Start", "Sub")
    )
    assert ("B", 5, "attachedToRef 'Deep' is in another scope; put the event on the activity") in (
        _problems(body)
    )


def test_boundary_attached_to_a_gateway() -> None:
    body = (
        _linear('<bpmn:exclusiveGateway id="G"/>', ids=("G",))
        + '\n<bpmn:boundaryEvent id="B" attachedToRef="G"><bpmn:errorEventDefinition/>'
        "</bpmn:boundaryEvent>"
    )
    assert (
        "B",
        8,
        "boundary event is attached to exclusiveGateway G, which is not an activity",
    ) in _problems(body)


def test_call_activity_without_callback_only_needs_a_called_element() -> None:
    body = _linear('<bpmn:callActivity id="C" calledElement="anything"/>', ids=("C",))
    assert load_scenario(make_xml(body)).main.elements["C"].called_element == "anything"
    missing = _linear('<bpmn:callActivity id="C"/>', ids=("C",))
    assert _problems(missing) == [
        ("C", 4, "call activity needs calledElement (the id of the scenario to call)")
    ]


def test_call_activity_checked_through_the_callback() -> None:
    body = _linear('<bpmn:callActivity id="C" calledElement="other"/>', ids=("C",))
    asked: list[str] = []

    def known(scenario_id: str) -> bool:
        asked.append(scenario_id)
        return False

    assert _problems(body, known_scenarios=known) == [
        ("C", 4, "calledElement 'other' is not a known scenario")
    ]
    assert asked == ["other"]
    assert load_scenario(make_xml(body), known_scenarios=lambda s: s == "other")


def test_error_ref_resolution() -> None:
    body = (
        _linear(
            f"{SERVICE_T}\n"
            '<bpmn:boundaryEvent id="B" attachedToRef="T">'
            '<bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>',
            ids=("T",),
        )
        + "\n"
        + flow("fb", "B", "End")
    )
    xml = make_xml(body, after='<bpmn:error id="E1" errorCode="x"/>')
    assert load_scenario(xml).main.elements["B"].error_code == "x"
    assert _problems(body)[0][:2] == ("B", 5)


# -- start events and reachability -------------------------------------------------------


def test_subprocess_needs_its_own_start_event() -> None:
    body = _linear('<bpmn:subProcess id="Sub"><bpmn:task id="In"/></bpmn:subProcess>', ids=("Sub",))
    assert _problems(body) == [
        (
            "Sub",
            4,
            "subprocess Sub has no none start event; add a <bpmn:startEvent> without an "
            "event definition",
        )
    ]


def test_empty_subprocess_is_not_checked() -> None:
    body = _linear('<bpmn:subProcess id="Sub"/>', ids=("Sub",))
    assert load_scenario(make_xml(body)).main.elements["Sub"].body is not None


def test_an_unsupported_start_is_not_also_a_missing_start() -> None:
    body = (
        '<bpmn:startEvent id="S"><bpmn:messageEventDefinition/></bpmn:startEvent>\n'
        '<bpmn:task id="T"/>\n' + flow("f", "S", "T")
    )
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("S", 3)
    assert message.startswith("startEvent is not supported: a message start event")


def test_boundary_events_and_their_targets_are_reachable_through_the_activity() -> None:
    body = (
        _linear(
            f"{SERVICE_T}\n"
            '<bpmn:boundaryEvent id="B" attachedToRef="T">'
            '<bpmn:errorEventDefinition/></bpmn:boundaryEvent>\n<bpmn:task id="Recover"/>',
            ids=("T",),
        )
        + "\n"
        + flow("b1", "B", "Recover")
        + flow("b2", "Recover", "End")
    )
    assert load_scenario(make_xml(body)).main.elements["T"].boundaries == ["B"]


def test_unreachable_cycle_is_reported_element_by_element() -> None:
    body = (
        MINIMAL_BODY
        + '\n<bpmn:task id="A"/>\n<bpmn:task id="B"/>\n'
        + flow("ab", "A", "B")
        + flow("ba", "B", "A")
    )
    assert [(e, line) for e, line, _ in _problems(body)] == [("A", 6), ("B", 7)]


def test_loops_through_gateways_are_fine() -> None:
    body = (
        '<bpmn:startEvent id="Start"/><bpmn:exclusiveGateway id="G" default="out"/>'
        '<bpmn:task id="T"/><bpmn:endEvent id="End"/>'
        + flow("s", "Start", "T")
        + flow("t", "T", "G")
        + flow("back", "G", "T", "{% $n &lt; 3 %}")
        + flow("out", "G", "End")
    )
    assert set(load_scenario(make_xml(body)).main.elements["G"].outgoing) == {"back", "out"}


def test_end_less_paths_are_fine() -> None:
    body = '<bpmn:startEvent id="Start"/><bpmn:task id="T"/>' + flow("f", "Start", "T")
    assert load_scenario(make_xml(body)).main.elements["T"].outgoing == []


def test_flows_into_start_or_out_of_end_events() -> None:
    body = MINIMAL_BODY + "\n" + flow("back", "End", "Start")
    assert {(e, line) for e, line, _ in _problems(body)} == {("Start", 3), ("End", 4)}


# -- conditions and defaults -------------------------------------------------------------


def test_condition_must_be_an_expression() -> None:
    body = (
        '<bpmn:startEvent id="Start"/><bpmn:exclusiveGateway id="G" default="d"/>'
        '<bpmn:endEvent id="End"/>\n'
        + flow("s", "Start", "G")
        + flow("d", "G", "End")
        + "\n"
        + flow("c", "G", "End", "${amount > 100}")
    )
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("c", 5)
    assert message.startswith("condition of c must be a {% JSONata %} expression")


def test_conditions_out_of_activities_are_refused_as_the_compiler_refuses_them() -> None:
    body = (
        '<bpmn:startEvent id="Start"/><bpmn:task id="T"/><bpmn:endEvent id="End"/>'
        + flow("s", "Start", "T")
        + flow("c", "T", "End", "{% $ok %}")
    )
    assert _problems(body) == [
        (
            "c",
            3,
            "flow c has a condition but leaves a task; only flows out of an exclusive or "
            "inclusive gateway take conditions",
        )
    ]


def test_inclusive_gateway_branches_may_go_without_conditions() -> None:
    body = (
        '<bpmn:startEvent id="Start"/><bpmn:inclusiveGateway id="G"/><bpmn:endEvent id="End"/>'
        + flow("s", "Start", "G")
        + flow("a", "G", "End")
        + flow("b", "G", "End", "{% $x %}")
    )
    assert load_scenario(make_xml(body)).main.elements["G"].outgoing == ["a", "b"]


def test_exclusive_gateway_with_one_outgoing_flow_needs_no_condition() -> None:
    body = _linear('<bpmn:exclusiveGateway id="G"/>', ids=("G",))
    assert load_scenario(make_xml(body)).main.elements["G"].outgoing == ["c1"]


def test_malformed_condition() -> None:
    body = (
        '<bpmn:startEvent id="Start"/><bpmn:exclusiveGateway id="G" default="d"/>'
        '<bpmn:endEvent id="End"/>\n'
        + flow("s", "Start", "G")
        + flow("d", "G", "End")
        + "\n"
        + flow("c", "G", "End", "{% $a = %}")
    )
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("c", 5)
    assert message.startswith("malformed JSONata in condition of c: ")


# -- components --------------------------------------------------------------------------


def test_unknown_component_lists_the_known_ones() -> None:
    body = _linear(task_with("T", '<auto:component type="pars"/>', "serviceTask"), ids=("T",))
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("T", 4)
    assert message.startswith("unknown component 'pars'; known components: ")
    assert "parse" in message and "http.request" in message


@dataclass(frozen=True)
class _Shape:
    inputs: tuple[str, ...]
    required: tuple[str, ...]
    errors: tuple[str, ...]


def test_validation_knows_the_components_its_caller_gives() -> None:
    known = {"acme.send": _Shape(inputs=("to", "text"), required=("to",), errors=("acme.down",))}
    extensions = (
        '<auto:component type="acme.send"/><auto:input name="cc" value="x"/>'
        '<auto:retry maxAttempts="2" errors="acme.lost"/>'
    )
    body = _linear(task_with("T", extensions, "serviceTask"), ids=("T",))
    assert sorted(m for _, _, m in _problems(body, known_components=known)) == [
        "auto:retry: component acme.send never raises 'acme.lost'; it raises: acme.down",
        "component acme.send needs input 'to'; add an auto:input",
        "component acme.send takes no input 'cc'; it takes: text, to",
    ]
    # The product's own components are not known to a caller that did not give them.
    body = _linear(task_with("T", PARSE + PARSE_INPUTS), ids=("T",))
    assert _problems(body, known_components=known) == [
        ("T", 4, "unknown component 'parse'; known components: acme.send")
    ]


def test_without_components_given_every_component_is_unknown() -> None:
    scenario = bpmn.parse_scenario(
        make_xml(_linear(task_with("T", PARSE + PARSE_INPUTS), ids=("T",)))
    )
    assert [p.message for p in validate_scenario(scenario)] == [
        "unknown component 'parse'; known components: none"
    ]


def test_input_the_component_does_not_take_lists_what_it_takes() -> None:
    extensions = PARSE + PARSE_INPUTS + '<auto:input name="xpath" value="/a"/>'
    body = _linear(task_with("T", extensions), ids=("T",))
    assert _problems(body) == [
        (
            "T",
            4,
            "component parse takes no input 'xpath'; it takes: data, group, method, query, returns",
        )
    ]


def test_missing_required_inputs_are_each_reported() -> None:
    body = _linear(task_with("T", PARSE), ids=("T",))
    assert [m for _, _, m in _problems(body)] == [
        "component parse needs input 'data'; add an auto:input",
        "component parse needs input 'query'; add an auto:input",
    ]


def test_input_given_twice() -> None:
    extensions = PARSE + PARSE_INPUTS + '<auto:input name="query" value="$.b"/>'
    body = _linear(task_with("T", extensions), ids=("T",))
    assert _problems(body) == [("T", 4, "input 'query' is given twice")]


@pytest.mark.parametrize(
    ("tag", "extensions", "message"),
    [
        ("subProcess", PARSE, "auto:component belongs on a task, not a subProcess"),
        ("task", '<auto:input name="a" value="1"/>', "auto:input needs an auto:component"),
        ("task", "<auto:retry/>", "auto:retry only applies to an auto:component call"),
    ],
)
def test_extensions_in_the_wrong_place(tag: str, extensions: str, message: str) -> None:
    inner = '<bpmn:startEvent id="In"/>' if tag == "subProcess" else ""
    body = _linear(task_with("T", extensions, tag, inner), ids=("T",))
    assert ("T", 4) in [(e, line) for e, line, m in _problems(body) if message in m]


def test_outputs_on_a_gateway() -> None:
    gateway = '<bpmn:exclusiveGateway id="G"><bpmn:extensionElements>'
    gateway += '<auto:output name="x" value="1"/></bpmn:extensionElements></bpmn:exclusiveGateway>'
    body = _linear(gateway, ids=("G",))
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("G", 4)
    assert message.startswith("auto:output is not allowed on a exclusiveGateway")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("$total", "output name '$total' must be written without the '$' (total)"),
        ("states", "output name 'states' is reserved ($states belongs to Step Functions)"),
        ("a-b", "output name 'a-b' is not a variable name"),
        ("9lives", "output name '9lives' is not a variable name"),
    ],
)
def test_output_names(name: str, message: str) -> None:
    body = _linear(task_with("T", f'<auto:output name="{name}" value="1"/>'), ids=("T",))
    [(element, line, found)] = _problems(body)
    assert (element, line) == ("T", 4)
    assert found.startswith(message)


def test_retry_numbers_and_error_codes() -> None:
    retry = '<auto:retry errors="parse.invalid_data http.timeout States.ALL" maxAttempts="-1"'
    retry += ' intervalSeconds="0" backoffRate="0.5"/>'
    body = _linear(task_with("T", PARSE + PARSE_INPUTS + retry), ids=("T",))
    assert sorted(_problems(body)) == [
        ("T", 4, "auto:retry backoffRate=0.5 must be between 1 and 10"),
        ("T", 4, "auto:retry intervalSeconds=0 must be between 1 and 86400"),
        ("T", 4, "auto:retry maxAttempts=-1 must be between 0 and 100"),
        (
            "T",
            4,
            "auto:retry: component parse never raises 'http.timeout'; it raises: "
            "parse.invalid_data, parse.invalid_query, parse.timeout",
        ),
    ]


# -- expressions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["{% $a + %}", "{% %}", "{% ( %}", "{% " + "(" * 3000 + " %}", "{% $x[ %}", "{% 'open %}"],
)
def test_malformed_jsonata_is_reported_with_a_message(value: str) -> None:
    body = _linear(task_with("T", f'<auto:output name="x" value="{value}"/>'), ids=("T",))
    [(element, line, message)] = _problems(body)
    assert (element, line) == ("T", 4)
    assert message.startswith("malformed JSONata in output 'x': ")
    assert len(message) > len("malformed JSONata in output 'x': ")


def test_well_formed_expressions_and_literals_pass() -> None:
    outputs = "".join(
        f'<auto:output name="v{i}" value="{v}"/>'
        for i, v in enumerate(["{% $a.b[0] %}", "plain text", "", "{% $sum($x.y) &gt; 2 %}"])
    )
    body = _linear(task_with("T", outputs), ids=("T",))
    assert len(load_scenario(make_xml(body)).main.elements["T"].outputs) == 4


# -- loops and timers --------------------------------------------------------------------


def _loop_task(attributes: str) -> str:
    return task_with(
        "T", f"<auto:loop {attributes}/>", inner="<bpmn:multiInstanceLoopCharacteristics/>"
    )


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('inputCollection="$items" inputElement="item"', "inputCollection must be a {% JSONata"),
        ('inputCollection="{% $items %}" inputElement=""', "inputElement '' is not a variable"),
        ('inputCollection="{% $items %}" inputElement="states"', "is reserved"),
        (
            'inputCollection="{% $items %}" inputElement="i" outputCollection="a.b"',
            "outputCollection 'a.b' is not a variable name",
        ),
        (
            'inputCollection="{% $items %}" inputElement="i" outputElement="{% $i %}"',
            "outputElement needs outputCollection",
        ),
        (
            'inputCollection="{% $items[ %}" inputElement="i"',
            "malformed JSONata in inputCollection",
        ),
    ],
)
def test_loop_attributes(attributes: str, message: str) -> None:
    body = _linear(_loop_task(attributes), ids=("T",))
    assert any(e == "T" and line == 4 and message in m for e, line, m in _problems(body))


def _timer(field: str, value: str) -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="W"><bpmn:timerEventDefinition><bpmn:{field}>{value}'
        f"</bpmn:{field}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timeDuration", "PT5M"),
        ("timeDuration", "P1DT2H"),
        ("timeDuration", "PT0.5S"),
        ("timeDuration", "P2W"),
        ("timeDuration", "{% $wait %}"),
        ("timeDate", "2030-01-31T09:00:00Z"),
        ("timeDate", "2030-01-31T09:00:00+02:00"),
        ("timeDate", "{% $launchAt %}"),
    ],
)
def test_good_timers(field: str, value: str) -> None:
    timer = load_scenario(make_xml(_linear(_timer(field, value), ids=("W",)))).main.elements["W"]
    assert timer.timer is not None and timer.timer.value == value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timeDuration", "5m", "timeDuration '5m' is not an ISO 8601 duration"),
        ("timeDuration", "P", "timeDuration 'P' is not an ISO 8601 duration"),
        ("timeDuration", "PT", "timeDuration 'PT' is not an ISO 8601 duration"),
        ("timeDuration", "", "timeDuration is empty"),
        ("timeDate", "2030-01-31", "is not an ISO 8601 date-time with a time zone"),
        ("timeDate", "2030-01-31T09:00:00", "is not an ISO 8601 date-time with a time zone"),
        ("timeDate", "tomorrow", "is not an ISO 8601 date-time"),
        ("timeCycle", "R/PT1H", "timeCycle: cycles are not supported, use a loop"),
        ("timeDuration", "{% $a + %}", "malformed JSONata in timeDuration"),
    ],
)
def test_bad_timers(field: str, value: str, message: str) -> None:
    [(element, line, found)] = _problems(_linear(_timer(field, value), ids=("W",)))
    assert (element, line) == ("W", 4)
    assert message in found


def test_timer_without_definition_value() -> None:
    catch = '<bpmn:intermediateCatchEvent id="W"><bpmn:timerEventDefinition/>'
    catch += "</bpmn:intermediateCatchEvent>"
    assert _problems(_linear(catch, ids=("W",))) == [
        ("W", 4, "timer needs a timeDuration or a timeDate")
    ]


# -- the validator on its own ------------------------------------------------------------


def test_validate_scenario_on_a_graph_built_by_hand() -> None:
    process = Process(id="P", line=1)
    process.elements["S"] = Element("S", Kind.START, "startEvent", 2, outgoing=["f"])
    process.elements["E"] = Element("E", Kind.END, "endEvent", 3, incoming=["f"])
    process.flows["f"] = Flow("f", "S", "E", 4, condition="{% true %}", condition_line=5)
    problems = validate_scenario(Scenario("hand.bpmn", [process]))
    assert [(p.file, p.element, p.line) for p in problems] == [("hand.bpmn", "f", 5)]
    assert isinstance(problems[0], Problem)


def test_two_hundred_elements_load_in_a_few_milliseconds() -> None:
    tasks = [
        task_with(f"T{i}", f'<auto:output name="v{i}" value="{{% $v{i - 1} + 1 %}}"/>')
        for i in range(200)
    ]
    text = make_xml(_linear(*tasks, ids=tuple(f"T{i}" for i in range(200))))
    load_scenario(text)  # warm the schema cache
    best = min(_timed(lambda: load_scenario(text)) for _ in range(5))
    assert best < 0.05, f"{best * 1000:.1f} ms"


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def test_problems_stay_one_short_line_whatever_the_file_quotes() -> None:
    body = _linear(_timer("timeDuration", "x" * 10_000 + "&#10;y"), ids=("W",))
    [(element, line, message)] = _problems(body)
    assert (element, line, len(message) <= 300, "\n" in message) == ("W", 4, True, False)
    assert message.endswith("nor a {% %} expression")


def test_call_activity_inputs_are_the_called_scenario_start_variables() -> None:
    call = '<bpmn:callActivity id="C" calledElement="x"><bpmn:extensionElements>'
    call += '<auto:input name="total" value="{% $total %}"/></bpmn:extensionElements>'
    call += "</bpmn:callActivity>"
    scenario = load_scenario(make_xml(_linear(call, ids=("C",))))
    assert [p.name for p in scenario.main.elements["C"].inputs] == ["total"]
