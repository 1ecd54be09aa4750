"""A failure's words in the scenario's terms: the element, which output, input or condition,
the expression as written, what went wrong; never `$states`, event ids or Python's names."""

from __future__ import annotations

import pytest

from automations.service.messages import authored, plain_cause
from automations.service.outcome import readable_cause

PREFIX = "An error occurred while executing the state 'Convert' (entered at the event id #6). "


@pytest.mark.parametrize(
    ("cause", "message"),
    [
        (
            PREFIX + "The JSONata expression '$order.missing' specified for the field "
            "'Assign/amount' returned nothing (undefined).",
            "Convert: the expression `$order.missing` of the output `amount` gave no value "
            "(a property or variable it reads is missing)",
        ),
        (
            PREFIX + "The JSONata expression '($result := $states.result.Payload; "
            "$number($result.body.code))' specified for the field 'Assign/rate' threw an error "
            "during evaluation: ValueError: could not convert string to float: 'abc'",
            "Convert: the expression `$number($result.body.code)` of the output `rate` failed: "
            "could not convert string to float: 'abc'",
        ),
        (
            "An error occurred while executing the state 'Call__retry' (entered at the event id "
            "#12). The JSONata expression '$order.url' specified for the field "
            "'Arguments/Payload/inputs/url' returned nothing (undefined).",
            "Call: the expression `$order.url` of the input `url` gave no value (a property or "
            "variable it reads is missing)",
        ),
        (
            PREFIX + "The JSONata expression '$order.flag' specified for the field 'Condition' "
            "returned an unexpected result type. Expected 'boolean', but was 'str' for value: "
            '"yes"',
            "Convert: the expression `$order.flag` of a condition gave a value of the wrong type: "
            "Expected 'boolean', but was 'str' for value: \"yes\"",
        ),
        (PREFIX + "Map state input must be an array", "Convert: Map state input must be an array"),
        ("The order total must be greater than 0", "The order total must be greater than 0"),
        ("KeyError: 'x'", "'x'"),
    ],
)
def test_causes_are_said_in_the_scenarios_terms(cause: str, message: str) -> None:
    assert plain_cause(cause) == message
    assert "$states" not in message and "event id" not in message


def test_a_component_failure_from_lambda_is_its_message() -> None:
    cause = '{"errorType": "http.status", "errorMessage": "GET https://x.example answered 500"}'
    assert readable_cause(cause) == "GET https://x.example answered 500"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("($result := $states.result.Payload; $result.rate * 2)", "$result.rate * 2"),
        ("($r := $states.result; $a := $r.x; ($a; $a + 1))", "($a; $a + 1)"),
        ("($a := 1; $a + 1)", "($a := 1; $a + 1)"),  # the author's own block
        ("($x) + ($y)", "($x) + ($y)"),
        ("($result := $states.result.Payload; 'a;b' & $result)", "'a;b' & $result"),
        ("$states.result.Payload.body", "$result.body"),
    ],
)
def test_the_authors_expression_is_found_in_the_compiled_block(text: str, expected: str) -> None:
    assert authored(text) == expected
