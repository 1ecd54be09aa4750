from __future__ import annotations

from typing import Any

from automations.api.openapi import openapi_document


def test_document_lists_every_route_and_method(api: Any) -> None:
    document = api.call("GET", "/api/v1/openapi.json", auth=None).body
    methods = {path: sorted(ops) for path, ops in document["paths"].items()}
    assert methods == {
        "/api/v1/catalogs": ["get", "post"],
        "/api/v1/catalogs/{catalogId}": ["delete", "get", "patch"],
        "/api/v1/catalogs/{catalogId}/records": ["get", "post"],
        "/api/v1/catalogs/{catalogId}/records/{recordId}": ["delete", "get", "patch"],
        "/api/v1/users": ["get", "post"],
        "/api/v1/users/{userId}": ["delete", "get", "patch"],
        "/api/v1/apikeys": ["get", "post"],
        "/api/v1/apikeys/{keyId}": ["delete"],
        "/api/v1/components": ["get"],
        "/api/v1/expressions/check": ["post"],
        "/api/v1/session": ["delete", "get", "post"],
    }


def test_document_describes_our_errors_and_auth(api: Any) -> None:
    document = openapi_document(api.app)
    create = document["paths"]["/api/v1/catalogs/{catalogId}/records"]["post"]
    assert {"400", "401", "403", "404"} <= set(create["responses"]) and "422" not in create[
        "responses"
    ]
    assert set(document["components"]["securitySchemes"]) == {
        "basic",
        "bearer",
        "apiKey",
        "session",
    }
    assert document["components"]["schemas"]["RecordValuesBody"]["required"] == ["values"]


def test_find_parameters_use_the_products_names(api: Any) -> None:
    document = openapi_document(api.app)
    names = {
        p["name"]
        for p in document["paths"]["/api/v1/catalogs/{catalogId}/records"]["get"]["parameters"]
    }
    assert {
        "limit",
        "offset",
        "sortField",
        "sortType",
        "filters",
        "searchText",
        "fields",
        "timezoneOffset",
        "id",
    } <= names
