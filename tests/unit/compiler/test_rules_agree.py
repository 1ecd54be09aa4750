"""Rules the validator and the compiler both meet (bpmn/rules.py): one verdict, one message,
one place, whether the compiler is given a validated scenario or not."""

from __future__ import annotations

import pytest

from automations.bpmn import ScenarioInvalid, parse_scenario
from automations.compiler import compile_scenario
from support.bpmn_documents import load_scenario

HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">\n'
    '<bpmn:process id="p" isExecutable="true">\n'
)
COMPONENT = (
    '<auto:component type="parse"/><auto:input name="data" value="{% $d %}"/>'
    '<auto:input name="query" value="$.a"/>'
)
SERVICE = f"<bpmn:extensionElements>{COMPONENT}</bpmn:extensionElements>"
SERVICE_LOOP = (
    f'<bpmn:extensionElements>{COMPONENT}<auto:loop inputCollection="{{% $items %}}" '
    'inputElement="i"/></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics/>'
)


def _document(*lines: str) -> str:
    return HEAD + "\n".join(lines) + "\n</bpmn:process></bpmn:definitions>"


def _flow(ident: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def _with_boundary(activity: str, definition: str, cancel: str = "") -> str:
    return _document(
        '<bpmn:startEvent id="S"/>',
        activity,
        f'<bpmn:boundaryEvent id="B" attachedToRef="A"{cancel}>{definition}</bpmn:boundaryEvent>',
        '<bpmn:endEvent id="E"/><bpmn:endEvent id="E2"/>',
        _flow("f1", "S", "A") + _flow("f2", "A", "E") + _flow("f3", "B", "E2"),
    )


TIMER = "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
ERROR = "<bpmn:errorEventDefinition/>"

CASES = [
    (
        "condition out of a task",
        _document(
            '<bpmn:startEvent id="S"/>',
            '<bpmn:task id="A"/>',
            '<bpmn:endEvent id="E"/>',
            _flow("f1", "S", "A"),
            _flow("f2", "A", "E", "{% $ok %}"),
        ),
        ("f2", 7, "flow f2 has a condition but leaves a task; only flows out of an exclusive"),
    ),
    (
        "literal condition on an exclusive branch",
        _document(
            '<bpmn:startEvent id="S"/>',
            '<bpmn:exclusiveGateway id="G" default="f3"/>',
            '<bpmn:endEvent id="E"/>',
            _flow("f1", "S", "G"),
            _flow("f2", "G", "E", "$ok"),
            _flow("f3", "G", "E"),
        ),
        ("f2", 7, "condition of f2 must be a {% JSONata %} expression"),
    ),
    (
        "exclusive branch without condition",
        _document(
            '<bpmn:startEvent id="S"/>',
            '<bpmn:exclusiveGateway id="G"/>',
            '<bpmn:endEvent id="E"/>',
            _flow("f1", "S", "G"),
            _flow("f2", "G", "E", "{% $ok %}"),
            _flow("f3", "G", "E"),
        ),
        ("f3", 8, "flow f3 out of exclusive gateway G needs a condition or must be"),
    ),
    (
        "literal condition on an inclusive branch",
        _document(
            '<bpmn:startEvent id="S"/>',
            '<bpmn:inclusiveGateway id="G"/><bpmn:inclusiveGateway id="J"/>',
            '<bpmn:endEvent id="E"/>',
            _flow("f1", "S", "G"),
            _flow("f2", "G", "J", "$ok"),
            _flow("f3", "G", "J") + _flow("f4", "J", "E"),
        ),
        ("f2", 7, "condition of f2 must be a {% JSONata %} expression"),
    ),
    (
        "literal inputCollection",
        _document(
            '<bpmn:startEvent id="S"/>',
            '<bpmn:task id="A"><bpmn:extensionElements><auto:loop inputCollection="$items" '
            'inputElement="i"/></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics/>'
            "</bpmn:task>",
            '<bpmn:endEvent id="E"/>',
            _flow("f1", "S", "A") + _flow("f2", "A", "E"),
        ),
        ("A", 4, "auto:loop inputCollection must be a {% JSONata %} expression giving a list"),
    ),
    (
        "error boundary on a task without a component",
        _with_boundary('<bpmn:task id="A"/>', ERROR),
        ("B", 5, "A is a task without a component: it cannot fail or time out"),
    ),
    (
        "timer boundary on a subprocess",
        _with_boundary(
            '<bpmn:subProcess id="A"><bpmn:startEvent id="In"/><bpmn:endEvent id="Out"/>'
            + _flow("i1", "In", "Out")
            + "</bpmn:subProcess>",
            TIMER,
        ),
        ("B", 5, "a timer boundary can only limit a service task or a call activity, not a sub"),
    ),
    (
        "timer boundary on a multi-instance service task",
        _with_boundary(f'<bpmn:serviceTask id="A">{SERVICE_LOOP}</bpmn:serviceTask>', TIMER),
        ("B", 5, "not a multi-instance serviceTask (A)"),
    ),
    (
        "non-interrupting error boundary",
        _with_boundary(
            f'<bpmn:serviceTask id="A">{SERVICE}</bpmn:serviceTask>',
            ERROR,
            ' cancelActivity="false"',
        ),
        ("B", 5, "non-interrupting boundary events are not supported"),
    ),
    (
        "an id the compiler's helper states could take",
        _document(
            '<bpmn:startEvent id="S"/>',
            '<bpmn:task id="A__item"/>',
            '<bpmn:endEvent id="E"/>',
            _flow("f1", "S", "A__item") + _flow("f2", "A__item", "E"),
        ),
        ("A__item", 4, "id 'A__item' contains '__'"),
    ),
]


def _problems(load: object, text: str) -> list[tuple[str, int, str]]:
    try:
        scenario = load(text, file="t.bpmn")  # type: ignore[operator]
        compile_scenario(scenario)
    except ScenarioInvalid as exc:
        return [(p.element, p.line, p.message) for p in exc.problems]
    return []


def _has(problems: list[tuple[str, int, str]], expected: tuple[str, int, str]) -> bool:
    element, line, message = expected
    return any((e, n) == (element, line) and message in m for e, n, m in problems)


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_validation_refuses_it_where_and_as_the_compiler_does(
    case: str, text: str, expected: tuple[str, int, str]
) -> None:
    validated = _problems(load_scenario, text)  # validation stops before compiling
    assert _has(validated, expected), validated
    if case.startswith("an id"):
        return  # only validation reads ids: the compiler trusts them
    compiled = _problems(parse_scenario, text)  # the compiler on its own, unvalidated
    assert _has(compiled, expected), compiled
    assert [p for p in compiled if p[2].startswith(expected[2][:20])] == [
        p for p in validated if p[2].startswith(expected[2][:20])
    ]
