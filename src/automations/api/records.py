"""`/api/v1/catalogs/{catalogId}/records`: find, create, read, change and delete records.

Query parameters follow the product's records API: `filters` (JSON object or `filters[0][...]`
keys), `searchText`, `id` (repeatable), `fields`, `sortField`/`sortType`, `limit`/`offset`,
`timezoneOffset`. Writes go through `automations.service.records` (hooks + outbox).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from automations.api.errors import BadRequest, NotFound
from automations.api.querystring import nested_param
from automations.api.services import Services
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH, text_depth_over, too_deep_message
from automations.model.catalog import Catalog
from automations.model.errors import FilterInvalid
from automations.model.filter_parse import FilterContext, parse_filters, search_text_filter
from automations.model.filters import AllOf, FilterExpr, IdIn
from automations.model.record import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CreatedId,
    RecordQuery,
    RecordValuesBody,
    SortSpec,
    record_json,
)
from automations.model.user import User
from automations.service import records as use_cases

PATHS = (
    "/api/v1/catalogs/<catalogId>/records",
    "/api/v1/catalogs/<catalogId>/records/<recordId>",
)
TAGS = ["records"]


def _json_param(name: str, text: str, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> Any:
    # Measured on the text before parsing, as bodies are: no parser recursion to interrupt.
    depth = text_depth_over(text, max_depth)
    if depth is not None:
        raise BadRequest(too_deep_message(f"the {name} parameter", max_depth, f"{depth} levels"))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{name}: malformed JSON at character {exc.pos + 1}: {exc.msg}") from exc


def returned_fields(catalog: Catalog, text: str | None) -> set[str] | None:
    """`fields=["2", 3, {"fieldId": 5, ...}]`: the field ids to return (None = all)."""
    if text is None:
        return None
    raw = _json_param("fields", text)
    if not isinstance(raw, list):
        raise BadRequest("fields: expected a JSON array")
    wanted: set[str] = set()
    for entry in raw:
        field_id = str(entry.get("fieldId") if isinstance(entry, dict) else entry)
        if catalog.field(field_id) is None:
            raise FilterInvalid(
                f"fields: no field {field_id[:20]} in the catalog", field_id=field_id
            )
        wanted.add(field_id)
    return wanted


def router(services: Services) -> Router:
    """The record routes, bound to these services."""
    routes = Router()  # type: ignore[no-untyped-call]
    deps = services.record_deps()

    def writer() -> use_cases.Writer:
        user: User | None = routes.context.get("user")
        return use_cases.Writer(user_id=None if user is None else user.id)

    def where(
        catalog: Catalog, filters: str | None, search: str | None, ids: list[str] | None, tz: int
    ) -> FilterExpr:
        user: User | None = routes.context.get("user")
        context = FilterContext(
            user_id=None if user is None else user.id, timezone_offset_minutes=tz
        )
        parts: list[FilterExpr] = []
        if filters is not None:
            raw = _json_param("filters", filters, services.config.max_json_depth)
        else:  # the array format: filters[0][fieldId]=..&filters[0][value]=..
            params = routes.current_event.multi_value_query_string_parameters or {}
            raw = nested_param(params, "filters")
        if raw is not None:
            parts.append(parse_filters(catalog, raw, context))
        if search:
            parts.append(search_text_filter(catalog, search))
        if ids:
            parts.append(IdIn(tuple(ids)))
        return AllOf(tuple(parts))

    @routes.get(PATHS[0], tags=TAGS, summary="Find records")
    def find_records(
        catalogId: str,
        limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0)] = 0,
        sort_field: Annotated[str | None, Query(alias="sortField", pattern=r"^\d{1,18}$")] = None,
        sort_type: Annotated[int | None, Query(alias="sortType", description="1 or -1")] = None,
        filters: Annotated[
            str | None,
            Query(
                description="JSON object filter; or use filters[0][fieldId]=..&filters[0][value]=.."
            ),
        ] = None,
        search_text: Annotated[str | None, Query(alias="searchText", max_length=1000)] = None,
        fields: Annotated[
            str | None, Query(description='JSON array of field ids: ["2","3"]')
        ] = None,
        view_id: Annotated[str | None, Query(alias="viewId")] = None,
        timezone_offset: Annotated[int, Query(alias="timezoneOffset", ge=-900, le=900)] = 0,
        ids: Annotated[list[str] | None, Query(alias="id", description="repeatable")] = None,
    ) -> list[dict[str, Any]]:
        catalog = use_cases.catalog_of(deps, catalogId)
        if view_id is not None:
            raise NotFound(f"view {view_id[:20]} not found (this server has no views)")
        if sort_field is not None and catalog.field(sort_field) is None:
            raise FilterInvalid(
                f"sortField: no field {sort_field} in the catalog", field_id=sort_field
            )
        if sort_type not in (None, 1, -1):
            raise BadRequest("query.sortType: expected 1 (ascending) or -1 (descending)")
        # The product sorts ascending when a sortField is given, newest first otherwise.
        descending = sort_type == -1 if sort_field is not None else sort_type != 1
        query = RecordQuery(
            where=where(catalog, filters, search_text, ids, timezone_offset),
            sort=SortSpec(field_id=sort_field, descending=descending),
            limit=limit,
            offset=offset,
        )
        shown = returned_fields(catalog, fields)
        return [
            record_json(catalog, r, shown) for r in use_cases.find_records(deps, catalog, query)
        ]

    @routes.post(PATHS[0], tags=TAGS, summary="Create a record")
    def create_record(
        catalogId: str,
        body: Annotated[RecordValuesBody, Body()],
    ) -> CreatedId:
        record = use_cases.create_record(deps, catalogId, body.values, writer())
        return CreatedId(id=record.id)

    @routes.get(PATHS[1], tags=TAGS, summary="Get a record")
    def get_record(
        catalogId: str,
        recordId: str,
        fields: Annotated[
            str | None, Query(description='JSON array of field ids: ["2","3"]')
        ] = None,
    ) -> dict[str, Any]:
        catalog, record = use_cases.get_record(deps, catalogId, recordId)
        shown = returned_fields(catalog, fields)
        return record_json(catalog, record, shown) | {"privilegeCode": "edit"}

    @routes.patch(PATHS[1], tags=TAGS, summary="Change a record")
    def patch_record(
        catalogId: str,
        recordId: str,
        body: Annotated[RecordValuesBody, Body()],
    ) -> CreatedId:
        use_cases.update_record(deps, catalogId, recordId, body.values, writer())
        return CreatedId(id=recordId)

    @routes.delete(PATHS[1], tags=TAGS, summary="Delete a record")
    def delete_record(catalogId: str, recordId: str) -> CreatedId:
        use_cases.delete_record(deps, catalogId, recordId, writer())
        return CreatedId(id=recordId)

    return routes
