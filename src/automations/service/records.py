"""Record use cases: read, find, and write through the before-hooks with the outbox event.

A write runs: validate the values against the catalog -> ask the `$record.before.*` hooks (they
may refuse, or replace some values, which are validated again) -> store the record and its
`$record.after.*` event in one transaction. A refused or invalid write stores nothing. An update
whose record changed meanwhile (another writer) starts over, hooks included, a few times.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from automations.asl.ports import Clock
from automations.model.base import from_epoch
from automations.model.catalog import Catalog
from automations.model.event import ChangeEvent, EventType, HookDecision
from automations.model.record import Record, RecordQuery
from automations.model.values import validate_values
from automations.ports import (
    BeforeHooks,
    CatalogNotFound,
    CatalogStore,
    RecordNotFound,
    RecordStore,
    WriteConflict,
    WriteRefused,
)

WRITE_ATTEMPTS = 3


class NoBeforeHooks:
    """The default BeforeHooks: every write is allowed as it is."""

    def before(
        self,
        event_type: EventType,
        catalog_id: str,
        record_id: str | None,
        values: dict[str, Any],
        prev_values: dict[str, Any] | None,
        *,
        user_id: str | None = None,
        depth: int = 0,
    ) -> HookDecision:
        return HookDecision(allowed=True)


def _new_event_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class RecordDeps:
    """The ports record use cases need."""

    catalogs: CatalogStore
    records: RecordStore
    clock: Clock
    hooks: BeforeHooks = field(default_factory=NoBeforeHooks)
    new_event_id: Callable[[], str] = _new_event_id


@dataclass(frozen=True, slots=True)
class Writer:
    """Who writes: a user (None for the system) at a chain depth (0 unless a process writes)."""

    user_id: str | None = None
    depth: int = 0


def catalog_of(deps: RecordDeps, catalog_id: str) -> Catalog:
    """The catalog, or CatalogNotFound."""
    catalog = deps.catalogs.get(catalog_id)
    if catalog is None:
        raise CatalogNotFound(catalog_id)
    return catalog


def visible_values(catalog: Catalog, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of fields the catalog still has (a deleted field's old values stay hidden)."""
    return {f.id: values[f.id] for f in catalog.fields if f.id in values}


def get_record(deps: RecordDeps, catalog_id: str, record_id: str) -> tuple[Catalog, Record]:
    """The catalog and the record (values of current fields only)."""
    catalog = catalog_of(deps, catalog_id)
    record = deps.records.get(catalog_id, record_id)
    if record is None:
        raise RecordNotFound(catalog_id, record_id)
    return catalog, record.model_copy(update={"values": visible_values(catalog, record.values)})


def find_records(deps: RecordDeps, catalog: Catalog, query: RecordQuery) -> list[Record]:
    """One page of the catalog's records matching the query."""
    return [
        record.model_copy(update={"values": visible_values(catalog, record.values)})
        for record in deps.records.find(catalog.id, query)
    ]


def _decide(
    deps: RecordDeps,
    catalog: Catalog,
    event_type: EventType,
    record_id: str | None,
    values: dict[str, Any],
    prev_values: dict[str, Any] | None,
    *,
    complete: bool,
    writer: Writer,
) -> dict[str, Any]:
    decision = deps.hooks.before(
        event_type,
        catalog.id,
        record_id,
        values,
        prev_values,
        user_id=writer.user_id,
        depth=writer.depth,
    )
    if not decision.allowed:
        raise WriteRefused(decision.message)
    if not decision.values:
        return values
    # A hook's replacement values are checked like a client's: a scenario can be wrong too.
    return validate_values(catalog, {**values, **decision.values}, complete=complete)


def _event(
    deps: RecordDeps, event_type: EventType, record: Record, writer: Writer, **values: Any
) -> ChangeEvent:
    return ChangeEvent(
        id=deps.new_event_id(),
        type=event_type,
        catalog_id=record.catalog_id,
        record_id=record.id,
        user_id=writer.user_id,
        depth=writer.depth,
        created_at=record.updated_at,
        **values,
    )


def create_record(
    deps: RecordDeps, catalog_id: str, values: Mapping[str, Any], writer: Writer | None = None
) -> Record:
    """Validate, ask the hooks, store the record with its `$record.after.create` event."""
    writer = writer or Writer()
    catalog = catalog_of(deps, catalog_id)
    clean = validate_values(catalog, values, complete=True)
    clean = _decide(
        deps, catalog, EventType.BEFORE_CREATE, None, clean, None, complete=True, writer=writer
    )
    now = from_epoch(deps.clock.now())
    record = Record(
        id=deps.records.next_id(catalog.id),
        catalog_id=catalog.id,
        values=clean,
        created_at=now,
        updated_at=now,
    )
    deps.records.create(record, _event(deps, EventType.AFTER_CREATE, record, writer, values=clean))
    return record


def update_record(
    deps: RecordDeps,
    catalog_id: str,
    record_id: str,
    values: Mapping[str, Any],
    writer: Writer | None = None,
) -> Record:
    """Change some fields; no event (and no write) when nothing actually changes."""
    writer = writer or Writer()
    catalog = catalog_of(deps, catalog_id)
    changes = validate_values(catalog, values)
    for _ in range(WRITE_ATTEMPTS):
        _, prev = get_record(deps, catalog_id, record_id)
        decided = _decide(
            deps,
            catalog,
            EventType.BEFORE_UPDATE,
            record_id,
            changes,
            prev.values,
            complete=False,
            writer=writer,
        )
        changed = {k: v for k, v in decided.items() if prev.values.get(k) != v}
        if not changed:
            return prev
        record = prev.model_copy(
            update={
                "values": {**prev.values, **decided},
                "revision": prev.revision + 1,
                "updated_at": from_epoch(deps.clock.now()),
            }
        )
        event = _event(
            deps, EventType.AFTER_UPDATE, record, writer, values=changed, prev_values=prev.values
        )
        if deps.records.update(record, event, expected_revision=prev.revision):
            return record
    raise WriteConflict(f"record {record_id} kept changing; try again")


def delete_record(
    deps: RecordDeps, catalog_id: str, record_id: str, writer: Writer | None = None
) -> Record:
    """Delete after the hooks agree; the `$record.after.delete` event carries the last values."""
    writer = writer or Writer()
    catalog = catalog_of(deps, catalog_id)
    for _ in range(WRITE_ATTEMPTS):
        _, prev = get_record(deps, catalog_id, record_id)
        _decide(
            deps,
            catalog,
            EventType.BEFORE_DELETE,
            record_id,
            prev.values,
            prev.values,  # a delete's hooks see the record as stored both ways
            complete=False,
            writer=writer,
        )
        gone = prev.model_copy(update={"updated_at": from_epoch(deps.clock.now())})
        event = _event(deps, EventType.AFTER_DELETE, gone, writer, values=prev.values)
        if deps.records.delete(prev, event, expected_revision=prev.revision):
            return prev
    raise WriteConflict(f"record {record_id} kept changing; try again")
