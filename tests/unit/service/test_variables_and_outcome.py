from __future__ import annotations

from automations.model.event import EventType
from automations.service.outcome import trace_steps
from automations.service.response import response_of
from automations.service.variables import VARIABLES, Trigger, start_variables
from automations.service.webrequests import answer_of, body_of, cookies_of

FACTS = {
    "catalogId": "15",
    "recordId": "1234",
    "values": {"2": "x"},
    "prevValues": {"2": "y"},
    "allValues": {"2": "x", "3": 1},
}


def test_every_event_type_but_manual_has_its_variables() -> None:
    assert set(VARIABLES) | {EventType.MANUAL} == set(EventType)


def test_before_create_has_no_record_id_and_update_has_prev_values() -> None:
    create = start_variables(Trigger(EventType.BEFORE_CREATE, "4", "2", True, FACTS), "7")
    update = start_variables(Trigger(EventType.AFTER_UPDATE, "5", None, False, FACTS), "7")
    assert create == {
        "catalogId": "15",
        "values": {"2": "x"},
        "prevValues": {"2": "y"},
        "event": {"id": "4", "type": "$record.before.create", "async": False},
        "script": {"id": "7"},
        "user": {"id": "2"},
    }
    assert update["prevValues"] == {"2": "y"} and "allValues" not in update
    assert update["user"] == {"id": None} and update["event"]["async"] is True


def test_manual_passes_the_input_but_not_over_the_common_variables() -> None:
    given = {"a": 1, "event": "mine"}
    variables = start_variables(Trigger(EventType.MANUAL, "manual", "3", True, given), "s")
    assert variables["a"] == 1 and variables["event"]["type"] == "$manual"


def _event(i: int, kind: str, name: str, at: float) -> dict[str, object]:
    key = "stateEnteredEventDetails" if kind == "entered" else "stateExitedEventDetails"
    return {"id": i, "timestamp": at, "type": kind, key: {"name": name}}


def test_trace_steps_fold_helper_states_and_map_iterations() -> None:
    history = [
        _event(1, "entered", "A", 1.0),
        _event(2, "exited", "A", 1.5),
        _event(3, "entered", "M", 2.0),
        _event(4, "entered", "M__instance", 2.1),
        _event(5, "exited", "M__instance", 2.2),
        _event(6, "entered", "M__instance", 2.3),
        _event(7, "exited", "M__instance", 2.4),
        _event(8, "exited", "M", 2.5),
        _event(9, "entered", "A", 3.0),
    ]
    steps = trace_steps(history)
    assert [s.element for s in steps] == ["A", "M", "A"]
    assert (steps[1].entered_at, steps[1].exited_at) == (
        "1970-01-01T00:00:02.000Z",
        "1970-01-01T00:00:02.500Z",
    )
    assert steps[2].exited_at is None


def test_response_is_read_defensively() -> None:
    assert response_of({"response": {"status": 403.0, "body": {"message": "no"}}}).refuses
    assert response_of({"response": {"status": "400"}}).status is None
    assert response_of({"response": {"status": 99}}).status is None
    assert response_of({"response": []}).given is False
    assert response_of(None).body_field("values") is None


def test_web_answers_drop_framing_headers_and_encode_bodies() -> None:
    answer = answer_of(
        response_of(
            {
                "response": {
                    "status": 201,
                    "headers": {
                        "X-Ok": "yes",
                        "Content-Length": "1",
                        "Connection": "close",
                        "X-Num": 5,
                    },
                    "body": {"a": "б"},
                }
            }
        )
    )
    assert answer.status == 201
    assert answer.headers == {"X-Ok": "yes", "X-Num": "5", "Content-Type": "application/json"}
    assert answer.body == '{"a": "б"}'.encode()
    text = answer_of(response_of({"response": {"body": "hi"}}))
    assert (text.status, text.body, text.headers["Content-Type"]) == (
        200,
        b"hi",
        "text/plain; charset=utf-8",
    )
    assert answer_of(response_of({})).body == b""


def test_request_bodies_and_cookies() -> None:
    json_headers = {"Content-Type": "application/json; charset=utf-8"}
    assert body_of(json_headers, b'{"a": 1}') == {"a": 1}
    assert body_of(json_headers, b"{not json") == "{not json"
    assert body_of(json_headers, b'{"a": NaN}') == '{"a": NaN}'
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert body_of(form, b"a=1&b=") == {"a": "1", "b": ""}
    assert body_of({}, b"") is None
    assert cookies_of({"Cookie": "a=1; b=two"}) == {"a": "1", "b": "two"}
    assert cookies_of({"cookie": 'bad"cookie'}) == {}
