"""`POST /api/v1/scenarios/validate` and `POST /api/v1/expressions/check` (docs/web-api.md
"Validating a draft"): the editor's checks, which store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from automations.api.expressions import MAX_EXPRESSION_CHARS
from automations.model.user import Role
from support.api import Answer, Api
from support.bpmn_documents import chain, make_xml, task_with
from support.runtime_api import runtime_api

XML = {"Content-Type": "application/xml"}
VALIDATE = "/api/v1/scenarios/validate"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with runtime_api(tmp_path / "app.db") as (api, _):
        yield api


def validate(api: Api, xml: str, scenario_id: str | None = None) -> Answer:
    query = {} if scenario_id is None else {"scenarioId": scenario_id}
    return api.call("POST", VALIDATE, raw_body=xml, headers=XML, query=query)


def service_task(ident: str, component: str, inputs: dict[str, str]) -> str:
    written = "".join(f'<auto:input name="{k}" value="{v}"/>' for k, v in inputs.items())
    return task_with(ident, f'<auto:component type="{component}"/>{written}', tag="serviceTask")


def scenarios_stored(api: Api) -> list[str]:
    return [s["id"] for s in api.call("GET", "/api/v1/scenarios").body]


def test_a_good_draft_is_ok_and_nothing_is_stored(api: Api) -> None:
    answer = validate(api, make_xml())
    assert (answer.status, answer.body) == (200, {"ok": True, "problems": []})
    assert scenarios_stored(api) == []


def test_problems_name_the_element_and_its_line(api: Api) -> None:
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            service_task("Fetch", "http.request", {"url": "https://example.com", "nope": "1"}),
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Fetch", "End"),
        ]
    )
    answer = validate(api, make_xml(body))
    assert answer.status == 200 and answer.body["ok"] is False
    [problem] = answer.body["problems"]
    assert (problem["elementId"], problem["line"]) == ("Fetch", 4)  # the body starts at line 3
    assert "nope" in problem["message"]
    assert scenarios_stored(api) == []


def test_a_jsonata_syntax_error_names_the_element_and_the_field(api: Api) -> None:
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            service_task("Fetch", "http.request", {"url": "{% $a + %}"}),
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Fetch", "End"),
        ]
    )
    [problem] = validate(api, make_xml(body)).body["problems"]
    assert problem["elementId"] == "Fetch"
    assert problem["message"].startswith("malformed JSONata in input 'url': S0207")
    assert "position" in problem["message"]


def test_a_file_that_is_not_bpmn_is_the_files_problem(api: Api) -> None:
    answer = validate(api, "<not-bpmn")
    assert answer.status == 200 and answer.body["ok"] is False
    assert answer.body["problems"][0]["elementId"] == "-"
    assert "Traceback" not in str(answer.body) and "Error:" not in str(answer.body)


def test_a_call_activity_may_call_the_draft_itself_by_its_scenario_id(api: Api) -> None:
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            '<bpmn:callActivity id="Again" calledElement="looper"/>',
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Again", "End"),
        ]
    )
    without = validate(api, make_xml(body))
    named = validate(api, make_xml(body), scenario_id="looper")
    assert without.body["ok"] is False
    assert [p["elementId"] for p in without.body["problems"]] == ["Again"]
    assert "looper" in without.body["problems"][0]["message"]
    assert named.body == {"ok": True, "problems": []}
    assert scenarios_stored(api) == []


def test_a_call_activity_may_call_a_stored_scenario(api: Api) -> None:
    stored = api.call("PUT", "/api/v1/scenarios/helper", raw_body=make_xml(), headers=XML)
    assert stored.status == 200
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            '<bpmn:callActivity id="Call" calledElement="helper"/>',
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Call", "End"),
        ]
    )
    assert validate(api, make_xml(body)).body["ok"] is True


def test_a_bad_scenario_id_is_a_problem_not_an_error(api: Api) -> None:
    answer = validate(api, make_xml(), scenario_id="has space")
    assert answer.status == 200 and answer.body["ok"] is False
    assert "scenario id" in answer.body["problems"][0]["message"]


def test_saving_refuses_the_same_problems_with_element_ids(api: Api) -> None:
    body = "\n".join(
        [
            '<bpmn:startEvent id="Start"/>',
            service_task("Fetch", "http.request", {"url": "{% $a + %}"}),
            '<bpmn:endEvent id="End"/>',
            chain("Start", "Fetch", "End"),
        ]
    )
    saved = api.call("PUT", "/api/v1/scenarios/s1", raw_body=make_xml(body), headers=XML)
    assert (saved.status, saved.body["code"]) == (422, "scenario_invalid")
    [problem] = saved.body["errors"]
    assert problem["elementId"] == problem["element"] == "Fetch"
    checked = validate(api, make_xml(body)).body["problems"][0]
    assert (checked["message"], checked["line"]) == (problem["message"], problem["line"])
    assert scenarios_stored(api) == []


def test_only_admins_validate_and_members_check_expressions(api: Api) -> None:
    member = api.user("member@example.com", role=Role.MEMBER)
    refused = api.call("POST", VALIDATE, raw_body=make_xml(), headers=XML, auth=member)
    assert (refused.status, refused.body["code"]) == (403, "forbidden")
    checked = api.call("POST", "/api/v1/expressions/check", {"expression": "1"}, auth=member)
    assert checked.status == 200


def check(api: Api, expression: str) -> Answer:
    return api.call("POST", "/api/v1/expressions/check", {"expression": expression})


def test_a_good_expression_is_ok(api: Api) -> None:
    for text in ("$a + 1", "{% $a + 1 %}", "{%$count($x)%}", "'text'"):
        answer = check(api, text)
        assert answer.body == {"ok": True, "message": None, "position": None, "code": None}


def test_a_syntax_error_gives_its_code_and_position_in_the_text_sent(api: Api) -> None:
    bare = check(api, "$a +").body
    wrapped = check(api, "{%  $a + %}").body
    assert (bare["ok"], bare["code"], bare["position"]) == (False, "S0207", 4)
    assert (wrapped["code"], wrapped["position"]) == ("S0207", 4 + 4)  # `{%  ` comes first
    assert "end of expression" in bare["message"].lower()
    unknown = check(api, "$a ^^ 1").body
    assert unknown["ok"] is False and unknown["code"].startswith("S")
    assert isinstance(unknown["position"], int)


def test_nothing_is_evaluated(api: Api) -> None:
    # An endless loop if it ran: a syntax check only reads it.
    answer = check(api, "($f := function($x){ $f($x) }; $f(1))")
    assert answer.body["ok"] is True


def test_a_deeply_nested_expression_is_answered_not_crashed(api: Api) -> None:
    answer = check(api, "(" * 20_000 + "1" + ")" * 20_000)
    assert answer.status == 200 and answer.body["ok"] is False
    assert "RecursionError" not in answer.body["message"]


def test_the_length_limit(api: Api) -> None:
    assert check(api, "1" * MAX_EXPRESSION_CHARS).status == 200
    over = check(api, "1" * (MAX_EXPRESSION_CHARS + 1))
    assert (over.status, over.body["code"]) == (400, "request_invalid")
    assert "expression" in str(over.body)
