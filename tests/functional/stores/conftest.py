"""Fixtures of the store tests.

`db`, `records`, `deals`, `add_record` are the SQLite stores (outbox and transaction tests).
`stores` runs a test once per adapter (SQLite, DynamoDB on moto): the port contracts hold for
both, and `catalog`/`put` are its catalog and record helper.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto_env import fake_aws

from automations.adapters.sqlite.catalogs import SqliteCatalogStore
from automations.adapters.sqlite.db import Database
from automations.adapters.sqlite.processes import SqliteProcessStore
from automations.adapters.sqlite.records import SqliteRecordStore
from automations.adapters.sqlite.scenarios import SqliteScenarioStore
from automations.adapters.sqlite.schedules import SqliteScheduleStore
from automations.adapters.sqlite.sessions import SqliteSessionStore, SqliteSignInThrottle
from automations.adapters.sqlite.subscriptions import SqliteSubscriptionStore
from automations.adapters.sqlite.users import SqliteApiKeyStore, SqliteUserStore
from automations.adapters.sqlite.webrequests import SqliteWebRequestStore
from automations.asl.clock import VirtualClock
from automations.model.catalog import Catalog, CatalogDraft, FieldDraft, FieldType
from automations.model.event import ChangeEvent, EventType
from automations.model.record import Record
from automations.ports import (
    ApiKeyStore,
    CatalogStore,
    ProcessStore,
    RecordStore,
    ScenarioStore,
    ScheduleStore,
    SessionStore,
    SignInThrottle,
    SubscriptionStore,
    UserStore,
    WebRequestStore,
)

T0 = 1_767_323_045.0  # 2026-01-02T03:04:05Z


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "automations.db")
    yield database
    database.close()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=T0)


T = datetime(2026, 1, 2, tzinfo=UTC)

FIELDS = [
    ("Name", FieldType.TEXT),  # 1
    ("Amount", FieldType.NUMBER),  # 2
    ("Due", FieldType.DATE),  # 3
    ("Status", FieldType.DROPDOWN),  # 4
    ("Phones", FieldType.CONTACT),  # 5
    ("Owner", FieldType.USER),  # 6
    ("Client", FieldType.OBJECT),  # 7
    ("Address", FieldType.ADDRESS),  # 8
    ("Stars", FieldType.STARS),  # 9
]


def make_catalog(catalogs: Database | CatalogStore) -> Catalog:
    draft = CatalogDraft(name="Deals", fields=[FieldDraft(name=n, type=t) for n, t in FIELDS])
    store = SqliteCatalogStore(catalogs) if isinstance(catalogs, Database) else catalogs
    return store.create(draft)


def event_for(
    record: Record, kind: EventType = EventType.AFTER_CREATE, **extra: Any
) -> ChangeEvent:
    return ChangeEvent(
        id=f"{kind}-{record.catalog_id}-{record.id}-{record.revision}",
        type=kind,
        catalog_id=record.catalog_id,
        record_id=record.id,
        values=record.values,
        created_at=T,
        **extra,
    )


def add(store: RecordStore, catalog: Catalog, values: dict[str, Any]) -> Record:
    record = Record(
        id=store.next_id(catalog.id),
        catalog_id=catalog.id,
        values=values,
        created_at=T,
        updated_at=T,
    )
    store.create(record, event_for(record))
    return record


Add = Callable[[dict[str, Any]], Record]


@pytest.fixture
def records(db: Database) -> SqliteRecordStore:
    return SqliteRecordStore(db)


@pytest.fixture
def deals(db: Database) -> Catalog:
    """A catalog with one field of each filterable type (ids 1..9, see FIELDS)."""
    return make_catalog(db)


@pytest.fixture
def add_record(records: SqliteRecordStore, deals: Catalog) -> Add:
    return lambda values: add(records, deals, values)


@pytest.fixture
def new_event() -> Callable[..., ChangeEvent]:
    return event_for


# --- every adapter ----------------------------------------------------------------------------


@dataclass
class Stores:
    """One adapter's stores, and everything it holds as text (to look for secrets in clear)."""

    kind: str
    catalogs: CatalogStore
    records: RecordStore
    processes: ProcessStore
    scenarios: ScenarioStore
    subscriptions: SubscriptionStore
    web_requests: WebRequestStore
    schedules: ScheduleStore
    users: UserStore
    api_keys: ApiKeyStore
    sessions: SessionStore
    sign_ins: SignInThrottle
    dump: Callable[[], str]


def _sqlite_stores(db: Database, clock: VirtualClock) -> Stores:
    return Stores(
        kind="sqlite",
        catalogs=SqliteCatalogStore(db),
        records=SqliteRecordStore(db),
        processes=SqliteProcessStore(db),
        scenarios=SqliteScenarioStore(db, clock),
        subscriptions=SqliteSubscriptionStore(db),
        web_requests=SqliteWebRequestStore(db),
        schedules=SqliteScheduleStore(db),
        users=SqliteUserStore(db, clock),
        api_keys=SqliteApiKeyStore(db, clock),
        sessions=SqliteSessionStore(db),
        sign_ins=SqliteSignInThrottle(db),
        dump=lambda: "\n".join(db.connection().iterdump()),
    )


def _dynamodb_stores(clock: VirtualClock) -> Iterator[Stores]:
    import boto3
    from moto import mock_aws

    from automations.adapters.aws.catalogs import DynamoCatalogStore
    from automations.adapters.aws.processes import DynamoProcessStore
    from automations.adapters.aws.records import DynamoRecordStore
    from automations.adapters.aws.scenarios import DynamoScenarioStore
    from automations.adapters.aws.schedules import DynamoScheduleStore
    from automations.adapters.aws.sessions import DynamoSessionStore, DynamoSignInThrottle
    from automations.adapters.aws.subscriptions import DynamoSubscriptionStore
    from automations.adapters.aws.tables import create_tables
    from automations.adapters.aws.users import DynamoApiKeyStore, DynamoUserStore
    from automations.adapters.aws.webrequests import DynamoWebRequestStore

    with mock_aws():
        client = boto3.client("dynamodb")
        names = create_tables(
            client,
            {"Records": "records-t", "Automations": "automations-t", "Sessions": "sessions-t"},
        )
        main, records = names["Automations"], names["Records"]

        def dump() -> str:
            return "\n".join(
                str(page["Items"])
                for table in names.values()
                for page in client.get_paginator("scan").paginate(TableName=table)
            )

        yield Stores(
            kind="dynamodb",
            catalogs=DynamoCatalogStore(client, main, records_table=records),
            records=DynamoRecordStore(client, records, automations_table=main),
            processes=DynamoProcessStore(client, main),
            scenarios=DynamoScenarioStore(client, main, clock),
            subscriptions=DynamoSubscriptionStore(client, main),
            web_requests=DynamoWebRequestStore(client, main),
            schedules=DynamoScheduleStore(client, main),
            users=DynamoUserStore(client, main, clock),
            api_keys=DynamoApiKeyStore(client, main, clock),
            sessions=DynamoSessionStore(client, names["Sessions"]),
            sign_ins=DynamoSignInThrottle(client, names["Sessions"]),
            dump=dump,
        )


@pytest.fixture(params=["sqlite", "dynamodb"])
def stores(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Stores]:
    """The stores of each adapter in turn (DynamoDB in moto, with fake credentials)."""
    if request.param == "sqlite":
        database = Database(tmp_path / "stores.db")
        yield _sqlite_stores(database, clock)
        database.close()
        return
    fake_aws(monkeypatch)
    yield from _dynamodb_stores(clock)


@pytest.fixture
def catalog(stores: Stores) -> Catalog:
    """The `deals` catalog in this adapter."""
    return make_catalog(stores.catalogs)


@pytest.fixture
def put(stores: Stores, catalog: Catalog) -> Add:
    """Adds a record with these values to `catalog`."""
    return lambda values: add(stores.records, catalog, values)


@pytest.fixture
def catalog_store(stores: Stores) -> CatalogStore:
    return stores.catalogs


@pytest.fixture
def record_store(stores: Stores) -> RecordStore:
    return stores.records


@pytest.fixture
def process_store(stores: Stores) -> ProcessStore:
    return stores.processes


@pytest.fixture
def scenario_store(stores: Stores) -> ScenarioStore:
    return stores.scenarios


@pytest.fixture
def subscription_store(stores: Stores) -> SubscriptionStore:
    return stores.subscriptions


@pytest.fixture
def web_request_store(stores: Stores) -> WebRequestStore:
    return stores.web_requests


@pytest.fixture
def schedule_store(stores: Stores) -> ScheduleStore:
    return stores.schedules


@pytest.fixture
def user_store(stores: Stores) -> UserStore:
    return stores.users


@pytest.fixture
def api_key_store(stores: Stores) -> ApiKeyStore:
    return stores.api_keys


@pytest.fixture
def session_store(stores: Stores) -> SessionStore:
    return stores.sessions


@pytest.fixture
def sign_in_throttle(stores: Stores) -> SignInThrottle:
    return stores.sign_ins


@pytest.fixture
def stored_text(stores: Stores) -> Callable[[], str]:
    """Everything the adapter holds, as text."""
    return stores.dump
