"""compiler/timers.py: a timer's text -> the fields of a `Wait` or an activity's `TimeoutSeconds`.

What the texts mean, and which are refused, is bpmn/timers.py's (test_timer_values.py holds the
two verdicts side by side); here: which ASL field each accepted form becomes, and EXPRESS.
"""

from __future__ import annotations

import pytest
from tests.unit.compiler.graphs import Problems, graph, node, problems_of, region, succeed, timer

from automations.bpmn.model import Element, Kind, Timer
from automations.compiler import Flavour, timers
from automations.compiler.context import Region
from automations.expressions import compile_jsonata, expression_text

EXPRESS = "EXPRESS workflows cannot run this: "


def _at(kind: Kind, flavour: Flavour = Flavour.STANDARD) -> tuple[Region, Element]:
    element = node("W", kind, line=3)
    return region(graph(element), flavour=flavour), element


def _wait(t: Timer | None, flavour: Flavour = Flavour.STANDARD) -> tuple[object, Problems]:
    r, element = _at(Kind.TIMER_CATCH, flavour)
    return timers.wait_fields(r, element, t), problems_of(r)


def _timeout(t: Timer | None, flavour: Flavour = Flavour.STANDARD) -> tuple[object, Problems]:
    r, element = _at(Kind.TIMER_BOUNDARY, flavour)
    return timers.timeout_value(r, element, t), problems_of(r)


# -- Wait ----------------------------------------------------------------------------------


def test_a_fixed_duration_waits_whole_seconds() -> None:
    assert _wait(timer("PT1M30S")) == ({"Seconds": 90}, [])
    assert _wait(timer("PT0.2S")) == ({"Seconds": 1}, [])


def test_a_date_waits_until_a_utc_timestamp() -> None:
    assert _wait(timer("2030-06-01T12:00:00+02:00", "date")) == (
        {"Timestamp": "2030-06-01T10:00:00Z"},
        [],
    )


def test_an_expression_is_the_seconds_or_the_timestamp_it_computes() -> None:
    assert _wait(timer("{% $delay %}")) == ({"Seconds": "{% $delay %}"}, [])
    assert _wait(timer("{% $at %}", "date")) == ({"Timestamp": "{% $at %}"}, [])


def test_an_expression_inside_a_branch_reads_the_branch_copy() -> None:
    r, element = _at(Kind.TIMER_CATCH)
    branch = r.scope(r.graph, succeed, ["delay"])
    fields = timers.wait_fields(branch, element, timer("{% $delay * 60 %}"))
    assert fields == {
        "Seconds": "{% ($delay := ($exists($delay__s1) ? $delay__s1 : $delay); $delay * 60) %}"
    }


def test_a_calendar_duration_waits_until_a_timestamp_computed_at_the_start() -> None:
    fields, problems = _wait(timer("P1MT1H"))
    assert problems == []
    assert isinstance(fields, dict) and list(fields) == ["Timestamp"]
    stamp = fields["Timestamp"]
    assert stamp.startswith("{% $fromMillis((") and stamp.endswith(
        ", '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]Z') %}"
    )
    start = 1_769_850_000_000  # 2026-01-31T09:00:00Z (+ 1 h = 10:00, clamped to 28 February)
    assert compile_jsonata(expression_text(stamp)).evaluate(None, {}, now_ms=start) == (
        "2026-02-28T10:00:00Z"
    )


def test_calendar_end_counts_the_months_and_adds_the_fixed_part() -> None:
    from automations.bpmn.timers import parse_duration

    text = timers._calendar_end(parse_duration("P1Y2MT90S"))
    assert "+ 14; " in text  # months counted from year 0, plus 14
    assert text.endswith("$ceil($start / 1000) * 1000 + 90000)")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (None, "timer needs a timeDuration or a timeDate"),
        (timer("R3/PT1H", "cycle", line=5), "timeCycle: cycles are not supported, use a loop"),
        (timer("", line=5), "timeDuration is empty; give a duration like PT5M"),
        (timer("5 minutes", line=5), "timeDuration '5 minutes' is not an ISO 8601 duration"),
    ],
)
def test_a_refused_timer_gives_no_fields_and_says_why_at_its_line(
    given: Timer | None, message: str
) -> None:
    fields, problems = _wait(given)
    assert fields is None
    [(element, line, found)] = problems
    assert (element, line) == ("W", 5 if given else 3)
    assert found.startswith(message)


def test_express_takes_waits_up_to_five_minutes() -> None:
    assert _wait(timer("PT5M"), Flavour.EXPRESS) == ({"Seconds": 300}, [])
    assert _wait(timer("PT5M1S"), Flavour.EXPRESS)[1] == [
        ("W", 3, EXPRESS + "a wait of 301 s is longer than 5 minutes")
    ]
    assert _wait(timer("P1M"), Flavour.EXPRESS)[1] == [
        ("W", 3, EXPRESS + "a wait of P1M is longer than 5 minutes")
    ]
    assert _wait(timer("2030-01-01T00:00:00Z", "date"), Flavour.EXPRESS)[1] == [
        ("W", 3, EXPRESS + "a wait until a date may exceed 5 minutes")
    ]
    assert _wait(timer("{% $at %}", "date"), Flavour.EXPRESS)[1] == [
        ("W", 3, EXPRESS + "a wait until a date may exceed 5 minutes")
    ]
    # A computed number of seconds is the author's to keep under the limit.
    assert _wait(timer("{% $delay %}"), Flavour.EXPRESS)[1] == []


# -- TimeoutSeconds ------------------------------------------------------------------------


def test_a_timeout_is_whole_seconds_or_the_seconds_an_expression_computes() -> None:
    assert _timeout(timer("PT1.5S")) == (2, [])
    assert _timeout(timer("{% $limit %}")) == ("{% $limit %}", [])


def test_a_calendar_timeout_is_the_seconds_until_the_calendar_end() -> None:
    value, problems = _timeout(timer("P1M"))
    assert problems == []
    assert isinstance(value, str) and value.startswith("{% $ceil((($d := $fromMillis($millis())")
    assert value.endswith(" - $millis()) / 1000) %}")


def test_a_timer_boundary_refuses_a_date_and_a_zero_duration() -> None:
    assert _timeout(timer("2030-01-01T00:00:00Z", "date", line=5)) == (
        None,
        [("W", 5, "a timer boundary needs a timeDuration (how long the activity may take)")],
    )
    value, [(_, _, message)] = _timeout(timer("PT0S", line=5))
    assert value is None
    assert message.startswith("timeDuration 'PT0S' is zero; a timer boundary needs")


def test_express_refuses_a_timeout_longer_than_five_minutes_as_a_timeout() -> None:
    assert _timeout(timer("PT5M"), Flavour.EXPRESS) == (300, [])
    assert _timeout(timer("PT10M"), Flavour.EXPRESS)[1] == [
        ("W", 3, EXPRESS + "a timeout of 600 s is longer than 5 minutes")
    ]
    assert _timeout(timer("P1M"), Flavour.EXPRESS)[1] == [
        ("W", 3, EXPRESS + "a timeout of P1M is longer than 5 minutes")
    ]
