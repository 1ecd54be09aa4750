"""A record value holding NUL (U+0000) is refused with a 400 naming the field, on create and on
update, so no stored value is one that filters and search could not see (SQLite's JSON functions
end a string at NUL, and `model.filters.matches` would find it: the runtimes would disagree)."""

from __future__ import annotations

from typing import Any

import pytest

from support.api import Api


@pytest.fixture
def orders(api: Api) -> tuple[Api, str, str]:
    catalog_id = api.catalog()
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": {"1": "Ivan"}})
    assert answer.status == 200, answer.body
    return api, catalog_id, str(answer.body["id"])


def refused_field(body: Any) -> tuple[str, str]:
    return body["fieldId"], body["errors"][0]["code"]


@pytest.mark.parametrize("title", ["\u0000", "Ivan\u0000 Petrov"])
def test_nul_in_a_created_value_is_refused_and_nothing_stored(
    orders: tuple[Api, str, str], title: str
) -> None:
    api, catalog_id, _ = orders
    answer = api.call("POST", f"/api/v1/catalogs/{catalog_id}/records", {"values": {"1": title}})

    assert answer.status == 400
    assert refused_field(answer.body) == ("1", "nul_character")
    assert "U+0000" in answer.body["message"]
    listed = api.call("GET", f"/api/v1/catalogs/{catalog_id}/records")
    assert [r["values"]["1"] for r in listed.body] == ["Ivan"]


def test_nul_in_an_update_is_refused_and_the_record_unchanged(
    orders: tuple[Api, str, str],
) -> None:
    api, catalog_id, record_id = orders
    path = f"/api/v1/catalogs/{catalog_id}/records/{record_id}"
    answer = api.call("PATCH", path, {"values": {"1": "Ivan\u0000"}})

    assert answer.status == 400
    assert refused_field(answer.body) == ("1", "nul_character")
    assert api.call("GET", path).body["values"]["1"] == "Ivan"
