"""The record use cases on SQLite: hooks, validation, outbox, and what a refusal leaves behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.outbox import SqliteChangeFeed
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.asl.clock import VirtualClock
from automations.components import records_create
from automations.components.errors import ComponentFailed
from automations.components.records_common import SERVICE_KEY
from automations.components.registry import ComponentContext
from automations.model.catalog import (
    Catalog,
    CatalogDraft,
    CatalogPatch,
    FieldDraft,
    FieldType,
    patched_catalog,
)
from automations.model.errors import ValuesInvalid
from automations.model.event import EventType, HookDecision
from automations.model.record import Record, RecordQuery
from automations.ports import RecordsPort, WriteRefused
from automations.service import records as use_cases
from automations.service.errors import TooManyProcesses
from automations.service.record_access import RecordAccess
from automations.service.records import RecordDeps, Writer


@dataclass
class ScriptedHooks:
    """Answers each before-hook with the next decision and remembers what it was asked."""

    decisions: list[HookDecision] = field(default_factory=list)
    calls: list[tuple[EventType, str | None, dict[str, Any], dict[str, Any] | None]] = field(
        default_factory=list
    )

    def before(
        self,
        event_type: EventType,
        catalog_id: str,
        record_id: str | None,
        values: dict[str, Any],
        prev_values: dict[str, Any] | None,
        **writer: Any,
    ) -> HookDecision:
        self.calls.append((event_type, record_id, values, prev_values))
        return self.decisions.pop(0) if self.decisions else HookDecision()


@pytest.fixture
def catalog(db: Database) -> Catalog:
    draft = CatalogDraft(
        name="Orders",
        fields=[
            FieldDraft(name="Title", type=FieldType.TEXT, required=True),
            FieldDraft(name="Total", type=FieldType.NUMBER),
        ],
    )
    return SqliteCatalogStore(db).create(draft)


@pytest.fixture
def hooks() -> ScriptedHooks:
    return ScriptedHooks()


@pytest.fixture
def deps(db: Database, clock: VirtualClock, hooks: ScriptedHooks) -> RecordDeps:
    return RecordDeps(
        catalogs=SqliteCatalogStore(db), records=SqliteRecordStore(db), clock=clock, hooks=hooks
    )


def _events(
    db: Database, clock: VirtualClock
) -> list[tuple[EventType, dict[str, Any], dict[str, Any] | None]]:
    return [(e.type, e.values, e.prev_values) for e in SqliteChangeFeed(db, clock).pending()]


def _all(deps: RecordDeps, catalog: Catalog) -> list[Record]:
    return use_cases.find_records(deps, catalog, RecordQuery())


def test_create_stores_record_and_after_event(
    deps: RecordDeps, catalog: Catalog, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(
        deps, catalog.id, {"1": "A", "2": 5}, Writer(user_id="7", depth=2)
    )
    event = SqliteChangeFeed(db, clock).pending()[0]
    assert (event.type, event.record_id, event.values, event.user_id, event.depth) == (
        EventType.AFTER_CREATE,
        record.id,
        {"1": "A", "2": 5},
        "7",
        2,
    )


def test_invalid_values_store_nothing_and_skip_hooks(
    deps: RecordDeps, catalog: Catalog, hooks: ScriptedHooks, db: Database, clock: VirtualClock
) -> None:
    with pytest.raises(ValuesInvalid) as caught:
        use_cases.create_record(deps, catalog.id, {"1": "A", "2": "five"})
    assert caught.value.field_id == "2"
    assert (_all(deps, catalog), _events(db, clock), hooks.calls) == ([], [], [])


def test_refused_create_stores_nothing(
    deps: RecordDeps, catalog: Catalog, hooks: ScriptedHooks, db: Database, clock: VirtualClock
) -> None:
    hooks.decisions.append(HookDecision(allowed=False, message="no orders on Sunday"))
    with pytest.raises(use_cases.WriteRefused) as caught:
        use_cases.create_record(deps, catalog.id, {"1": "A"})
    assert caught.value.message == "no orders on Sunday"
    assert (_all(deps, catalog), _events(db, clock)) == ([], [])
    assert hooks.calls == [(EventType.BEFORE_CREATE, None, {"1": "A"}, None)]


def test_hook_values_replace_fields_and_are_validated(
    deps: RecordDeps, catalog: Catalog, hooks: ScriptedHooks
) -> None:
    hooks.decisions.append(HookDecision(values={"2": 99}))
    record = use_cases.create_record(deps, catalog.id, {"1": "A", "2": 1})
    assert record.values == {"1": "A", "2": 99}
    hooks.decisions.append(HookDecision(values={"2": "bad"}))
    with pytest.raises(ValuesInvalid):
        use_cases.create_record(deps, catalog.id, {"1": "B"})
    assert [r.values["1"] for r in _all(deps, catalog)] == ["A"]


def test_update_event_has_changed_values_and_all_previous(
    deps: RecordDeps, catalog: Catalog, hooks: ScriptedHooks, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A", "2": 1})
    updated = use_cases.update_record(deps, catalog.id, record.id, {"1": "A", "2": 2})
    assert (updated.values, updated.revision) == ({"1": "A", "2": 2}, 2)
    assert _events(db, clock)[-1] == (EventType.AFTER_UPDATE, {"2": 2}, {"1": "A", "2": 1})
    assert hooks.calls[-1] == (
        EventType.BEFORE_UPDATE,
        record.id,
        {"1": "A", "2": 2},
        {"1": "A", "2": 1},
    )


def test_update_without_change_writes_nothing(
    deps: RecordDeps, catalog: Catalog, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A"})
    same = use_cases.update_record(deps, catalog.id, record.id, {"1": "A"})
    assert (same.revision, len(_events(db, clock))) == (1, 1)


def test_refused_update_and_delete_change_nothing(
    deps: RecordDeps, catalog: Catalog, hooks: ScriptedHooks, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A"})
    hooks.decisions += [HookDecision(allowed=False), HookDecision(allowed=False, message="keep it")]
    with pytest.raises(use_cases.WriteRefused):
        use_cases.update_record(deps, catalog.id, record.id, {"1": "B"})
    with pytest.raises(use_cases.WriteRefused):
        use_cases.delete_record(deps, catalog.id, record.id)
    assert use_cases.get_record(deps, catalog.id, record.id)[1] == record
    assert len(_events(db, clock)) == 1


def test_required_field_cannot_be_emptied(deps: RecordDeps, catalog: Catalog) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A"})
    with pytest.raises(ValuesInvalid) as caught:
        use_cases.update_record(deps, catalog.id, record.id, {"1": None})
    assert caught.value.problems[0].code == "required"


def test_delete_event_carries_last_values(
    deps: RecordDeps, catalog: Catalog, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A", "2": 3})
    use_cases.delete_record(deps, catalog.id, record.id)
    assert _events(db, clock)[-1] == (EventType.AFTER_DELETE, {"1": "A", "2": 3}, None)
    with pytest.raises(use_cases.RecordNotFound):
        use_cases.get_record(deps, catalog.id, record.id)


def test_missing_catalog_and_record(deps: RecordDeps, catalog: Catalog) -> None:
    with pytest.raises(use_cases.CatalogNotFound):
        use_cases.create_record(deps, "404", {})
    with pytest.raises(use_cases.RecordNotFound):
        use_cases.update_record(deps, catalog.id, "404", {"1": "x"})


def test_update_retries_when_the_record_changed_meanwhile(
    deps: RecordDeps, catalog: Catalog, hooks: ScriptedHooks, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A", "2": 1})

    class Interfering(ScriptedHooks):
        def before(self, *args: Any, **kwargs: Any) -> HookDecision:  # type: ignore[override]
            if not self.calls:  # another writer slips in while the first hook runs
                plain = RecordDeps(catalogs=deps.catalogs, records=deps.records, clock=deps.clock)
                use_cases.update_record(plain, catalog.id, record.id, {"2": 50})
            return super().before(*args)

    racing = RecordDeps(
        catalogs=deps.catalogs, records=deps.records, clock=deps.clock, hooks=Interfering()
    )
    final = use_cases.update_record(racing, catalog.id, record.id, {"1": "B"})
    assert (final.values, final.revision) == ({"1": "B", "2": 50}, 3)
    assert _events(db, clock)[-1] == (EventType.AFTER_UPDATE, {"1": "B"}, {"1": "A", "2": 50})


def test_deleted_fields_values_are_hidden(deps: RecordDeps, catalog: Catalog, db: Database) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A", "2": 3})
    store = SqliteCatalogStore(db)
    store.save(
        patched_catalog(
            catalog, CatalogPatch(fields=[FieldDraft(id="1", name="Title", type=FieldType.TEXT)])
        )
    )
    assert use_cases.get_record(deps, catalog.id, record.id)[1].values == {"1": "A"}


class BusyHooks:
    """A before-hook that cannot run: every process slot is taken."""

    def before(self, *args: Any, **kwargs: Any) -> HookDecision:
        raise TooManyProcesses("every process slot is taken")


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_a_hook_that_cannot_run_refuses_a_process_write_through_the_port(
    operation: str, deps: RecordDeps, catalog: Catalog, db: Database, clock: VirtualClock
) -> None:
    record = use_cases.create_record(deps, catalog.id, {"1": "A"})
    busy = RecordDeps(catalogs=deps.catalogs, records=deps.records, clock=clock, hooks=BusyHooks())
    port: RecordsPort = RecordAccess(busy, depth=1)
    writes = {
        "create": lambda: port.create(catalog.id, {"1": "B"}),
        "update": lambda: port.update(catalog.id, record.id, {"1": "B"}),
        "delete": lambda: port.delete(catalog.id, record.id),
    }
    with pytest.raises(WriteRefused) as caught:
        writes[operation]()
    assert caught.value.message == "every process slot is taken"
    assert [r.values for r in _all(deps, catalog)] == [{"1": "A"}]


def test_the_records_component_reports_a_refusal_of_the_port_by_its_code(
    deps: RecordDeps, catalog: Catalog, clock: VirtualClock
) -> None:
    busy = RecordDeps(catalogs=deps.catalogs, records=deps.records, clock=clock, hooks=BusyHooks())
    context = ComponentContext(services={SERVICE_KEY: RecordAccess(busy, depth=1)})
    params = records_create.CreateInput(catalogId=catalog.id, values={"1": "B"})
    with pytest.raises(ComponentFailed) as caught:
        records_create.run(params, context)
    assert (caught.value.code, caught.value.message) == (
        "records.refused",
        "every process slot is taken",
    )
