"""Every documented error: status, JSON body naming the field, and nothing stored afterwards."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from automations.api.services import ApiConfig
from automations.model.event import HookDecision


def _records(api: Any, catalog_id: str) -> list[Any]:
    return list(api.call("GET", f"/api/v1/catalogs/{catalog_id}/records").body)


@pytest.mark.parametrize(
    ("values", "field_id", "code"),
    [
        ({"1": "ok", "42": "x"}, "42", "unknown_field"),
        ({"1": "ok", "2": "a lot"}, "2", "wrong_type"),
        ({"1": "ok", "3": ["9"]}, "3", "unknown_choice"),
        ({"1": "ok", "4": "tomorrow"}, "4", "wrong_type"),
        ({"2": 1}, "1", "required"),
    ],
)
def test_bad_values_are_400_naming_the_field_and_nothing_is_stored(
    api: Any, values: dict[str, Any], field_id: str, code: str
) -> None:
    catalog_id = api.catalog()
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": values})
    assert (answer.status, answer.body["fieldId"], answer.body["errors"][0]["code"]) == (
        400,
        field_id,
        code,
    )
    assert f"field {field_id}" in answer.body["message"]
    assert (_records(api, catalog_id), api.events()) == ([], [])


def test_bad_patch_changes_nothing(api: Any) -> None:
    catalog_id = api.catalog()
    record_id = api.call(
        "POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": {"1": "a", "2": 1}}
    ).body["id"]
    answer = api.call(
        "PATCH",
        f"/api/v1/catalogs/{catalog_id}/records/{record_id}",
        {"values": {"1": "b", "2": "x"}},
    )
    assert (answer.status, answer.body["fieldId"]) == (400, "2")
    record = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records/{record_id}").body
    assert record["values"] == {"1": "a", "2": 1} and len(api.events()) == 1


@pytest.mark.parametrize(
    ("raw_body", "location"),
    [
        ('{"values": {"1": "x"', "body"),
        ('{"values": {"2": NaN, "1": "x"}}', "body"),
        ("[" * 50, "body"),
        ('{"vals": {}}', "body.values"),
        ('{"values": ["1"]}', "body.values"),
    ],
)
def test_malformed_bodies_are_400(api: Any, raw_body: str, location: str) -> None:
    catalog_id = api.catalog()
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", raw_body=raw_body)
    assert (answer.status, answer.body["code"]) == (400, "request_invalid")
    assert answer.body["message"].startswith(location + ":")
    assert _records(api, catalog_id) == []


@pytest.mark.parametrize("depth", [65, 200, 260, 1000, 100_000])
def test_bodies_nesting_too_deep_are_400_naming_the_limit(api: Any, depth: int) -> None:
    catalog_id = api.catalog()
    raw_body = '{"values": {"1": ' + "[" * depth + "]" * depth + "}}"
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", raw_body=raw_body)
    assert (answer.status, answer.body["code"], answer.body["fieldId"]) == (
        400,
        "body.too_deep",
        "body",
    )
    assert f"({depth + 2} levels; AUTOMATIONS_MAX_JSON_DEPTH)" in answer.body["message"]
    assert _records(api, catalog_id) == []


def test_the_depth_limit_is_the_configured_one(make_api: Any) -> None:
    api = make_api(config=ApiConfig(max_json_depth=8))
    catalog_id = api.catalog()
    path = f"/api/v1/catalogs/{catalog_id}/records"
    values = '{"values": {"1": "x"}, "extra": ' + "[" * 7 + "]" * 7 + "}"  # 8 levels
    deeper = '{"values": {"1": "x"}, "extra": ' + "[" * 8 + "]" * 8 + "}"  # 9 levels
    assert api.call("POST", path, raw_body=values).status == 200
    refused = api.call("POST", path, raw_body=deeper)
    assert (refused.status, refused.body["code"]) == (400, "body.too_deep")
    assert "deeper than the 8 levels allowed (9 levels;" in refused.body["message"]


def test_oversized_body_is_413_before_anything_is_parsed(make_api: Any) -> None:
    api = make_api(config=ApiConfig(max_body_bytes=1000))
    catalog_id = api.catalog()
    answer = api.call(
        "POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": {"1": "x" * 2000}}
    )
    assert (answer.status, answer.body["code"]) == (413, "body.too_large")
    assert "larger than 1000 bytes" in answer.body["message"]
    assert _records(api, catalog_id) == []


def test_bad_query_parameters_are_400(api: Any) -> None:
    catalog_id = api.catalog()
    base = f"/api/v1/catalogs/{catalog_id}/records"
    cases = [
        ({"limit": "many"}, "query.limit"),
        ({"limit": "5000"}, "query.limit"),
        ({"sortType": "2"}, "query.sortType"),
        ({"filters": "{not json"}, "filters"),
        ({"filters": json.dumps({"77": "x"})}, "field 77"),
        ({"filters[0][fieldId]": "2", "filters[0][value][from]": "1"}, "field 2"),
        ({"sortField": "77"}, "sortField"),
        ({"fields": '["77"]'}, "fields"),
    ]
    for query, start in cases:
        answer = api.call("GET", base, query=query)
        assert (answer.status, answer.body["message"].startswith(start)) == (400, True), (
            query,
            answer.body,
        )


def test_unknown_filter_field_names_it(api: Any) -> None:
    catalog_id = api.catalog()
    answer = api.call(
        "GET", f"/api/v1/catalogs/{catalog_id}/records", query={"filters": '{"77": "x"}'}
    )
    assert (answer.status, answer.body["fieldId"], answer.body["code"]) == (
        400,
        "77",
        "filter_invalid",
    )


def test_no_or_wrong_credentials_are_401(api: Any) -> None:
    wrong = "Basic " + base64.b64encode(b"admin@example.ru:nope").decode()
    for auth in (None, wrong, "Basic !!!", "Bearer nope", "Digest x"):
        answer = api.call("GET", "/api/v1/catalogs", auth=auth)
        assert (answer.status, answer.body["code"]) == (401, "unauthorized"), auth
        assert "www-authenticate" not in {k.lower() for k in answer.headers}


def test_anonymous_bad_request_is_401_not_400(api: Any) -> None:
    answer = api.call("POST", "/api/v1/catalogs/1/records", raw_body="{bad", auth=None)
    assert answer.status == 401


def test_api_key_in_either_header(api: Any) -> None:
    user = api.local.services.users.authenticate("admin@example.ru", "s3cret пароль")
    _, key = api.local.services.api_keys.create(user.id, "ci")
    by_header = api.call("GET", "/api/v1/catalogs", auth=None, headers={"X-API-Key": key})
    by_bearer = api.call("GET", "/api/v1/catalogs", auth=f"Bearer {key}")
    assert (by_header.status, by_bearer.status) == (200, 200)


def test_unknown_path_is_404_and_wrong_method_is_405(api: Any) -> None:
    assert api.call("GET", "/api/v1/nothing").status == 404
    assert api.call("PUT", "/api/v1/catalogs/1/records/1", {"values": {}}).status == 405
    assert api.call("DELETE", "/api/v1/catalogs").status == 405


def test_missing_record_and_view_are_404(api: Any) -> None:
    catalog_id = api.catalog()
    assert api.call("GET", f"/api/v1/catalogs/{catalog_id}/records/999").status == 404
    assert api.call("DELETE", f"/api/v1/catalogs/{catalog_id}/records/999").status == 404
    assert api.call("GET", "/api/v1/catalogs/999/records").status == 404
    assert api.call("POST", "/api/v1/catalogs/999/records", {"values": {}}).status == 404
    assert (
        api.call("GET", f"/api/v1/catalogs/{catalog_id}/records", query={"viewId": "3"}).status
        == 404
    )


class Refuse:
    def before(self, *args: Any, **kwargs: Any) -> HookDecision:
        return HookDecision(allowed=False, message="Не верно указано поле 2")


def test_refused_write_is_403_with_the_message_and_stores_nothing(make_api: Any) -> None:
    api = make_api(hooks=Refuse())
    catalog_id = api.catalog()
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": {"1": "x"}})
    assert (answer.status, answer.body["message"]) == (403, "Не верно указано поле 2")
    assert (_records(api, catalog_id), api.events()) == ([], [])


class Explode:
    def before(self, *args: Any, **kwargs: Any) -> HookDecision:
        raise RuntimeError("secret internals /srv/app.py line 3")


def test_unexpected_error_is_500_without_details(make_api: Any) -> None:
    api = make_api(hooks=Explode())
    catalog_id = api.catalog()
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": {"1": "x"}})
    assert answer.status == 500
    assert answer.body == {
        "statusCode": 500,
        "code": "internal_error",
        "message": "internal server error",
    }


def test_wrong_content_type_is_415_naming_the_type_wanted(api: Any) -> None:
    catalog_id = api.catalog()
    answer = api.call(
        "POST",
        f"/api/v1/catalogs/{catalog_id}/records",
        raw_body="values=1",
        headers={"Content-Type": "text/csv"},
    )
    assert (answer.status, answer.body["code"]) == (415, "unsupported_content_type")
    assert answer.body["message"] == "send the body as application/json"
