"""Records as a running process reaches them (the records components' port).

Processes work past the product's access rights (its documentation says so) but not past the
rules every writer obeys: values are validated, before-hooks run, and each write leaves its
outbox event, so a process's writes raise events like anyone's. Each write carries the chain
depth of the process plus one, which is how a chain of scenarios triggering each other is cut.

`RecordAccess` implements `automations.ports.RecordsPort`; the adapters hand one to each run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from automations.model.catalog import Catalog
from automations.model.errors import FilterInvalid
from automations.model.filter_parse import FilterContext, parse_filters, search_text_filter
from automations.model.filters import AllOf, FilterExpr
from automations.model.record import MAX_LIMIT, RecordQuery, SortSpec, record_json
from automations.ports import FindSpec, WriteRefused
from automations.service import records as use_cases
from automations.service.errors import ServiceError

__all__ = ["FindSpec", "RecordAccess"]


class RecordAccess:
    """Record use cases as one process (no user, chain depth `depth`) performs them."""

    def __init__(self, deps: use_cases.RecordDeps, depth: int) -> None:
        self._deps = deps
        self._writer = use_cases.Writer(user_id=None, depth=depth)

    def catalog(self, catalog_id: str) -> Catalog:
        """The catalog, or CatalogNotFound."""
        return use_cases.catalog_of(self._deps, catalog_id)

    def get(self, catalog_id: str, record_id: str, fields: set[str] | None) -> dict[str, Any]:
        """The record as the product shows it (RecordNotFound, CatalogNotFound)."""
        catalog, record = use_cases.get_record(self._deps, catalog_id, record_id)
        _check_fields(catalog, fields)
        return record_json(catalog, record, fields)

    def find(self, catalog_id: str, spec: FindSpec) -> tuple[list[dict[str, Any]], int]:
        """One page of matching records and how many match in all."""
        catalog = self.catalog(catalog_id)
        _check_fields(catalog, spec.fields)
        if spec.sort_field is not None and catalog.field(spec.sort_field) is None:
            raise FilterInvalid(f"sortField: no field {spec.sort_field[:20]}")
        where = _where(catalog, spec)
        query = RecordQuery(
            where=where,
            sort=SortSpec(field_id=spec.sort_field, descending=spec.descending),
            limit=min(spec.limit, MAX_LIMIT),
            offset=spec.offset,
        )
        found = use_cases.find_records(self._deps, catalog, query)
        total = self._deps.records.count(catalog.id, where)
        return [record_json(catalog, r, spec.fields) for r in found], total

    def create(self, catalog_id: str, values: dict[str, Any]) -> str:
        """Create a record (hooks, outbox event at this depth); its id."""
        with _hooks_that_cannot_run_refuse():
            return use_cases.create_record(self._deps, catalog_id, values, self._writer).id

    def update(self, catalog_id: str, record_id: str, values: dict[str, Any]) -> None:
        """Change some fields of a record."""
        with _hooks_that_cannot_run_refuse():
            use_cases.update_record(self._deps, catalog_id, record_id, values, self._writer)

    def delete(self, catalog_id: str, record_id: str) -> None:
        """Delete a record."""
        with _hooks_that_cannot_run_refuse():
            use_cases.delete_record(self._deps, catalog_id, record_id, self._writer)


@contextmanager
def _hooks_that_cannot_run_refuse() -> Iterator[None]:
    # A before-hook that could not run (no process slot, out of time) raises a use case error;
    # the port knows one way for a write not to happen, WriteRefused, with the same message.
    try:
        yield
    except ServiceError as exc:
        raise WriteRefused(exc.message) from exc


def _check_fields(catalog: Catalog, fields: set[str] | None) -> None:
    for field_id in fields or ():
        if catalog.field(field_id) is None:
            raise FilterInvalid(
                f"fields: no field {field_id[:20]} in the catalog", field_id=field_id
            )


def _where(catalog: Catalog, spec: FindSpec) -> FilterExpr:
    parts: list[FilterExpr] = []
    if spec.filters is not None:
        parts.append(parse_filters(catalog, spec.filters, FilterContext()))
    if spec.search_text:
        parts.append(search_text_filter(catalog, spec.search_text))
    return AllOf(tuple(parts))
