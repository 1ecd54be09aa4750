"""`/api/v1/catalogs` through `app.resolve` with API Gateway proxy events."""

from __future__ import annotations

from typing import Any


def test_create_returns_the_catalog_with_numbered_fields(api: Any) -> None:
    answer = api.call(
        "POST",
        "/api/v1/catalogs",
        {
            "name": "New catalog",
            "icon": "icon",
            "sectionId": "2",
            "fields": [
                {"name": "Секция", "hint": "", "type": "group", "config": {}},
                {"name": "Текст", "hint": "Подсказка", "type": "text", "config": {"type": "text"}},
                {
                    "name": "Набор галочек",
                    "type": "checkboxes",
                    "config": {"items": [{"name": "1"}, {"name": "2"}]},
                },
                {
                    "name": "Связанный объект",
                    "type": "object",
                    "config": {"multiselect": False, "catalogs": [{"id": "11"}]},
                },
            ],
        },
    )
    assert answer.status == 200
    assert [(f["id"], f["type"]) for f in answer.body["fields"]] == [
        ("1", "group"),
        ("2", "text"),
        ("3", "checkboxes"),
        ("4", "object"),
    ]
    assert answer.body["fields"][2]["config"]["items"] == [
        {"name": "1", "id": "1"},
        {"name": "2", "id": "2"},
    ]


def test_list_filters_by_section_and_has_the_documented_keys(api: Any) -> None:
    api.call("POST", "/api/v1/catalogs", {"name": "A", "sectionId": "1"})
    api.call("POST", "/api/v1/catalogs", {"name": "B", "sectionId": "2"})
    answer = api.call("GET", "/api/v1/catalogs", query={"sectionId": "2"})
    assert answer.status == 200
    assert answer.body == [
        {"id": "2", "sectionId": "2", "icon": None, "name": "B", "fieldPrivilegeCodes": {}}
    ]


def test_get_one_has_fields_and_privileges(api: Any) -> None:
    catalog_id = api.catalog()
    answer = api.call("GET", f"/api/v1/catalogs/{catalog_id}")
    assert (answer.status, answer.body["name"], answer.body["privilegeCode"]) == (
        200,
        "Orders",
        "admin",
    )
    assert [f["name"] for f in answer.body["fields"]] == ["Title", "Total", "Status", "Due"]


def test_patch_renames_keeps_and_drops_fields(api: Any) -> None:
    catalog_id = api.catalog()
    answer = api.call(
        "PATCH",
        f"/api/v1/catalogs/{catalog_id}",
        {
            "fields": [
                {"id": "1", "name": "Name", "type": "text"},
                {"name": "Age", "type": "number"},
            ]
        },
    )
    assert answer.status == 200
    fields = api.call("GET", f"/api/v1/catalogs/{catalog_id}").body["fields"]
    assert [(f["id"], f["name"]) for f in fields] == [("1", "Name"), ("5", "Age")]
    assert api.call("GET", f"/api/v1/catalogs/{catalog_id}").body["name"] == "Orders"


def test_patch_refuses_a_type_change_naming_the_field(api: Any) -> None:
    catalog_id = api.catalog()
    answer = api.call(
        "PATCH", f"/api/v1/catalogs/{catalog_id}", {"fields": [{"id": "2", "type": "text"}]}
    )
    assert (answer.status, answer.body["code"], answer.body["fieldId"]) == (
        400,
        "catalog_invalid",
        "2",
    )
    fields = api.call("GET", f"/api/v1/catalogs/{catalog_id}").body["fields"]
    assert fields[1]["type"] == "number"


def test_unknown_field_type_is_a_400(api: Any) -> None:
    answer = api.call(
        "POST", "/api/v1/catalogs", {"name": "x", "fields": [{"name": "y", "type": "hologram"}]}
    )
    assert (answer.status, answer.body["code"]) == (400, "request_invalid")
    assert "body.fields.0.type" in answer.body["message"]
    assert api.call("GET", "/api/v1/catalogs").body == []


def test_missing_catalog_is_404_and_delete(api: Any) -> None:
    catalog_id = api.catalog()
    assert api.call("GET", "/api/v1/catalogs/999").status == 404
    assert api.call("PATCH", "/api/v1/catalogs/999", {"name": "x"}).status == 404
    assert api.call("DELETE", f"/api/v1/catalogs/{catalog_id}").status == 200
    assert api.call("GET", f"/api/v1/catalogs/{catalog_id}").status == 404
    assert api.call("DELETE", f"/api/v1/catalogs/{catalog_id}").status == 404
