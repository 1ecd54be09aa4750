"""`GET /api/v1/components` (docs/web-api.md "Components"): what the editor builds its palette
and properties panel from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field, RootModel

from automations.api.components import model_schema
from automations.components import registry
from automations.components.registry import ComponentContext, ComponentSpec
from automations.model.user import Role
from support.api import Api

FAMILIES = {"records", "actions", "communications", "data", "processes"}


def refs(node: Any) -> Iterator[str]:
    """Every `$ref` under a schema node."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_registered_component_is_listed_sorted(api: Api) -> None:
    answer = api.call("GET", "/api/v1/components")
    assert answer.status == 200
    names = [c["name"] for c in answer.body]
    assert names == registry.names() == sorted(names)
    assert {"http.request", "records.create", "parse"} <= set(names)
    for described in answer.body:
        assert set(described) == {
            "name",
            "title",
            "description",
            "family",
            "inputSchema",
            "resultSchema",
            "errors",
        }
        assert described["family"] in FAMILIES, described["name"]
        assert described["title"] and isinstance(described["description"], str)


def test_schemas_are_self_contained_and_name_the_inputs_a_scenario_writes(api: Api) -> None:
    for described in api.call("GET", "/api/v1/components").body:
        spec = registry.get(described["name"])
        for schema in (described["inputSchema"], described["resultSchema"]):
            assert "$defs" not in schema and list(refs(schema)) == [], described["name"]
        assert described["inputSchema"]["type"] == "object"
        # A result is an object with named fields, but for a component whose `$result` is
        # whatever the user's code returns (code.js): any JSON value, an empty schema.
        result = described["resultSchema"]
        assert result.get("type") == "object" or (
            issubclass(spec.result_model, RootModel) and "type" not in result
        ), described["name"]
        inputs = described["inputSchema"]
        assert set(inputs["properties"]) == set(spec.shape.inputs), described["name"]
        assert set(inputs.get("required", [])) == set(spec.shape.required), described["name"]


def test_the_properties_panel_reads_types_enums_defaults_and_titles(api: Api) -> None:
    found = {c["name"]: c for c in api.call("GET", "/api/v1/components").body}
    http = found["http.request"]["inputSchema"]["properties"]
    text = json.dumps(http)
    assert "enum" in text and "default" in text
    assert all("title" in field for field in http.values())
    assert found["mail.send"]["inputSchema"]["properties"]["from"]  # an alias, not `from_`
    assert found["records.create"]["family"] == "records"
    assert found["http.request"]["family"] == "actions"


def test_every_error_code_is_listed_with_what_it_means(api: Api) -> None:
    for described in api.call("GET", "/api/v1/components").body:
        spec = registry.get(described["name"])
        assert [e["code"] for e in described["errors"]] == list(spec.errors)
        assert all(e["description"] for e in described["errors"])


def test_a_member_may_read_it_and_a_stranger_may_not(api: Api) -> None:
    member = api.user("member@example.com", role=Role.MEMBER)
    assert api.call("GET", "/api/v1/components", auth=member).status == 200
    assert api.call("GET", "/api/v1/components", auth=None).status == 401


class Tree(BaseModel):
    """A recursive model: only here may `$defs` stay."""

    label: str = Field(description="what the node says")
    children: list[Tree] = []


class Leaf(BaseModel):
    size: int = Field(ge=0, le=10, default=1)


class Uses(BaseModel):
    tree: Tree
    leaf: Leaf | None = None


def test_a_recursive_model_keeps_defs_and_every_ref_points_into_them() -> None:
    schema = model_schema(Uses, "validation")
    assert set(schema["$defs"]) == {"Tree"}
    assert set(refs(schema)) == {"#/$defs/Tree"}
    tree = schema["properties"]["tree"]
    assert tree["properties"]["label"]["description"] == "what the node says"
    leaf = schema["properties"]["leaf"]["anyOf"][0]
    assert (leaf["type"], leaf["properties"]["size"]["maximum"]) == ("object", 10)


class Echo(BaseModel):
    timeoutSeconds: int = 5


def _echo(inputs: Any, context: ComponentContext) -> BaseModel:
    return inputs  # type: ignore[no-any-return]


def test_a_component_registered_later_appears_with_no_ui_code(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = ComponentSpec(
        name="crm.echo",
        input_model=Echo,
        result_model=Echo,
        errors=("crm.down",),
        run=_echo,
        summary="Echoes",
        error_descriptions={"crm.down": "the CRM did not answer"},
    )
    monkeypatch.setitem(registry._REGISTRY, spec.name, spec)
    found = {c["name"]: c for c in api.call("GET", "/api/v1/components").body}["crm.echo"]
    assert (found["family"], found["title"], found["description"]) == ("crm", "Crm: echo", "Echoes")
    assert found["errors"] == [{"code": "crm.down", "description": "the CRM did not answer"}]
    assert found["inputSchema"]["properties"]["timeoutSeconds"]["title"] == "Timeout seconds"
