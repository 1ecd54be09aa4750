"""Timer values: validation and compilation give one verdict, and the compiled waits mean what
bpmn/timers.py says (fixed units in seconds, years and months on the calendar)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from automations.asl import VirtualClock, run_execution
from automations.bpmn import ScenarioInvalid, parse_scenario
from automations.compiler import Flavour, compile_scenario
from automations.expressions import compile_jsonata, expression_text
from support.bpmn_documents import load_scenario

HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:auto="urn:automations:bpmn:1" id="D" targetNamespace="urn:t">\n'
    '<bpmn:process id="p" isExecutable="true">\n'
    '<bpmn:startEvent id="S"/>\n'
)
TIMER_LINE = 5  # the line of the timer element in both documents below
TASK = (
    '<bpmn:serviceTask id="T"><bpmn:extensionElements><auto:component type="parse"/>'
    '<auto:input name="data" value="{% $d %}"/><auto:input name="query" value="$.a"/>'
    "</bpmn:extensionElements></bpmn:serviceTask>\n"
)


def _catch(field: str, value: str) -> str:
    return (
        f'{HEAD}<bpmn:intermediateCatchEvent id="W"><bpmn:timerEventDefinition>\n<bpmn:{field}>'
        f"{value}</bpmn:{field}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
        '<bpmn:endEvent id="E"/>\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="W"/>\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="W" targetRef="E"/>\n'
        "</bpmn:process></bpmn:definitions>"
    )


def _boundary(field: str, value: str) -> str:
    return (
        f'{HEAD}<bpmn:boundaryEvent id="B" attachedToRef="T"><bpmn:timerEventDefinition>\n'
        f"<bpmn:{field}>{value}</bpmn:{field}></bpmn:timerEventDefinition></bpmn:boundaryEvent>\n"
        + TASK
        + '<bpmn:endEvent id="E"/><bpmn:endEvent id="Late"/>\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T"/>\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E"/>\n'
        '<bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="Late"/>\n'
        "</bpmn:process></bpmn:definitions>"
    )


def _validation(text: str) -> list[tuple[str, int, str]]:
    try:
        load_scenario(text, file="t.bpmn")
    except ScenarioInvalid as exc:
        return [(p.element, p.line, p.message) for p in exc.problems]
    return []


def _compilation(text: str, flavour: Flavour = Flavour.STANDARD) -> list[tuple[str, int, str]]:
    try:
        compile_scenario(parse_scenario(text, file="t.bpmn"), flavour)
    except ScenarioInvalid as exc:
        return [(p.element, p.line, p.message) for p in exc.problems]
    return []


DURATIONS = [  # value, accepted on a catch event, accepted on a boundary, what a refusal says
    ("P1Y", True, True, ""),
    ("P1M", True, True, ""),
    ("P1W", True, True, ""),
    ("PT1.5M", True, True, ""),
    ("PT0.5H", True, True, ""),
    ("P0D", True, False, "is zero; a timer boundary needs at least one second"),
    ("PT0S", True, False, "is zero"),
    ("-PT1S", False, False, "is negative"),
    ("PT", False, False, "is not an ISO 8601 duration"),
    ("P", False, False, "is not an ISO 8601 duration"),
    ("P1DT", False, False, "is not an ISO 8601 duration"),
    ("P1Y2M3DT4H5M6.5S", True, True, ""),
    ("P1,5D", True, True, ""),
    ("PT0.5S", True, True, ""),
    ("P2W3D", True, True, ""),
    ("PT1.5H30M", False, False, "only the last number may have a fraction"),
    ("P1.5M", False, False, "years and months cannot have a fraction"),
    ("PT1M1H", False, False, "is not an ISO 8601 duration"),
    ("P1H", False, False, "is not an ISO 8601 duration"),
    ("pt5m", False, False, "is not an ISO 8601 duration"),
    ("PT5 M", False, False, "is not an ISO 8601 duration"),
    ("5m", False, False, "is not an ISO 8601 duration"),
    ("P1158D", False, False, "is longer than 99,999,999 seconds"),
    ("P38M", False, False, "is longer than 99,999,999 seconds"),
    ("P" + "9" * 30 + "D", False, False, "is longer than 99,999,999 seconds"),
    ("", False, False, "timeDuration is empty"),
    ("{% $wait %}", True, True, ""),
]
DATES = [
    ("2030-01-31T09:00:00Z", True, ""),
    ("2030-01-31T12:00:00+03:00", True, ""),
    ("20300131T090000Z", True, ""),
    ("2030-01-31T09:00:00.5Z", True, ""),
    ("2030-01-31", False, "is not an ISO 8601 date-time with a time zone"),
    ("2030-01-31T09:00:00", False, "is not an ISO 8601 date-time with a time zone"),
    ("2030-01-31 09:00:00Z", False, "is not an ISO 8601 date-time with a time zone"),
    ("0001-01-01T00:00:00+01:00", False, "is not an ISO 8601 date-time"),
    ("tomorrow", False, "is not an ISO 8601 date-time"),
    ("", False, "timeDate is empty"),
    ("{% $launchAt %}", True, ""),
]


def _same_verdict(text: str, element: str, accepted: bool, message: str) -> None:
    validated, compiled = _validation(text), _compilation(text)
    assert validated == compiled, "validation and compilation disagree"
    if accepted:
        assert validated == []
    else:
        [(where, line, found)] = validated
        assert (where, line) == (element, TIMER_LINE)
        assert message in found


@pytest.mark.parametrize(("value", "on_catch", "on_boundary", "message"), DURATIONS)
def test_a_duration_gets_one_verdict_on_a_catch_event(
    value: str, on_catch: bool, on_boundary: bool, message: str
) -> None:
    _same_verdict(_catch("timeDuration", value), "W", on_catch, message)


@pytest.mark.parametrize(("value", "on_catch", "on_boundary", "message"), DURATIONS)
def test_a_duration_gets_one_verdict_on_a_timer_boundary(
    value: str, on_catch: bool, on_boundary: bool, message: str
) -> None:
    _same_verdict(_boundary("timeDuration", value), "B", on_boundary, message)


@pytest.mark.parametrize(("value", "accepted", "message"), DATES)
def test_a_date_gets_one_verdict_on_a_catch_event(value: str, accepted: bool, message: str) -> None:
    _same_verdict(_catch("timeDate", value), "W", accepted, message)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timeDate", "2030-01-31T09:00:00Z", "a timer boundary needs a timeDuration"),
        ("timeCycle", "R/PT1H", "timeCycle: cycles are not supported"),
    ],
)
def test_a_timer_boundary_takes_only_a_duration(field: str, value: str, message: str) -> None:
    _same_verdict(_boundary(field, value), "B", False, message)


def test_a_cycle_is_refused_alike_on_a_catch_event() -> None:
    _same_verdict(_catch("timeCycle", "R3/PT1H"), "W", False, "cycles are not supported")


# -- what the accepted values compile to ---------------------------------------------------


def _states(text: str, flavour: Flavour = Flavour.STANDARD) -> dict[str, Any]:
    machine = compile_scenario(load_scenario(text, file="t.bpmn"), flavour)
    return dict(machine["States"])


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("P1W", 604_800),
        ("PT1.5M", 90),
        ("PT0.5H", 1800),
        ("P0D", 0),
        ("PT0.5S", 1),  # rounded up: never shorter than asked
        ("P1,5D", 129_600),
        ("P1DT12H300S", 129_900),  # the product's own example
        ("P2W3D", 1_468_800),
    ],
)
def test_fixed_durations_become_whole_seconds(value: str, seconds: int) -> None:
    assert _states(_catch("timeDuration", value))["W"]["Seconds"] == seconds
    if seconds:
        assert _states(_boundary("timeDuration", value))["T"]["TimeoutSeconds"] == seconds


def test_a_date_becomes_a_utc_timestamp_rounded_up_to_the_second() -> None:
    state = _states(_catch("timeDate", "2030-01-31T12:00:00.25+03:00"))["W"]
    assert state["Timestamp"] == "2030-01-31T09:00:01Z"


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _wait_until(value: str, start: str) -> str:
    """What the compiled Wait's Timestamp expression gives when the wait starts at `start`."""
    stamp = _states(_catch("timeDuration", value))["W"]["Timestamp"]
    result = compile_jsonata(expression_text(stamp)).evaluate(
        None, {}, now_ms=int(_epoch(start) * 1000)
    )
    assert isinstance(result, str)
    return result


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("P1M", "2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z"),
        ("P1M", "2028-01-31T09:00:00Z", "2028-02-29T09:00:00Z"),
        ("P1M", "2026-03-31T23:59:59Z", "2026-04-30T23:59:59Z"),
        ("P1M", "2026-12-15T00:00:00Z", "2027-01-15T00:00:00Z"),
        ("P1Y", "2028-02-29T10:30:00Z", "2029-02-28T10:30:00Z"),
        ("P12M", "2028-02-29T10:30:00Z", "2029-02-28T10:30:00Z"),
        ("P1Y2M3DT4H5M6.5S", "2026-01-01T00:00:00Z", "2027-03-04T04:05:07Z"),
        ("P1M", "2026-01-31T09:00:00.250Z", "2026-02-28T09:00:01Z"),
        ("P2Y", "2100-02-28T00:00:00Z", "2102-02-28T00:00:00Z"),
    ],
)
def test_years_and_months_count_on_the_calendar(value: str, start: str, end: str) -> None:
    assert _wait_until(value, start) == end


def _reference(start: datetime, months: int) -> datetime:
    """Python's own calendar: the same day `months` later, clamped to the month's end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


@pytest.mark.parametrize("months", [1, 13])
def test_the_calendar_expression_matches_python_on_every_day_of_a_leap_year(months: int) -> None:
    stamp = _states(_catch("timeDuration", f"P{months}M"))["W"]["Timestamp"]
    expression = compile_jsonata(expression_text(stamp))
    day = datetime(2028, 1, 1, 7, 45, tzinfo=UTC)
    while day.year == 2028:
        got = expression.evaluate(None, {}, now_ms=int(day.timestamp() * 1000))
        assert got == _reference(day, months).strftime("%Y-%m-%dT%H:%M:%SZ"), day
        day += timedelta(days=1)


def test_a_calendar_timeout_is_the_seconds_until_that_day() -> None:
    timeout = _states(_boundary("timeDuration", "P1M"))["T"]["TimeoutSeconds"]
    seconds = compile_jsonata(expression_text(timeout)).evaluate(
        None, {}, now_ms=int(_epoch("2026-01-31T09:00:00Z") * 1000)
    )
    assert seconds == 28 * 86400


def test_a_calendar_wait_runs_until_that_day_in_the_engine() -> None:
    scenario = load_scenario(_catch("timeDuration", "P1M"), file="t.bpmn")
    machine = compile_scenario(scenario, timeout_seconds=40 * 86400)
    clock = VirtualClock(start=_epoch("2026-01-31T09:00:00Z"))
    result = run_execution(machine, {}, clock=clock)
    assert result.status == "SUCCEEDED"
    assert clock.now() == _epoch("2026-02-28T09:00:00Z")


def test_express_refuses_a_calendar_wait() -> None:
    assert _compilation(_catch("timeDuration", "P1M"), Flavour.EXPRESS) == [
        ("W", 4, "EXPRESS workflows cannot run this: a wait of P1M is longer than 5 minutes")
    ]
