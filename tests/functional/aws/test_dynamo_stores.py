"""What only the DynamoDB stores have: the table definitions, the item layout the stream and
TTL rely on, paging, and conditional writes racing from threads (the port contracts themselves
run on both adapters in tests/functional/stores)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from automations.adapters.aws import dynamo
from automations.adapters.aws.catalogs import DynamoCatalogStore
from automations.adapters.aws.records import DynamoRecordStore
from automations.adapters.aws.scenarios import DynamoScenarioStore
from automations.adapters.aws.tables import AUTOMATIONS, RECORDS, TABLES, table_name
from automations.adapters.aws.users import DynamoApiKeyStore, DynamoUserStore
from automations.adapters.aws.webrequests import DynamoWebRequestStore
from automations.asl.clock import VirtualClock
from automations.errors import LastAdmin, StoreConflict
from automations.model.catalog import CatalogDraft
from automations.model.event import ChangeEvent, EventType
from automations.model.record import Record, RecordQuery
from automations.model.scenario import WebRequestEndpoint
from automations.model.user import Role, hash_api_secret, hash_password
from automations.service.users import ensure_admin

T = datetime(2026, 1, 2, tzinfo=UTC)


def _parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call in its own thread, all released at once; results, or the exceptions raised."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        start.wait(timeout=10)
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_tables_are_created_as_specified(dynamodb: Any, tables: dict[str, str]) -> None:
    records = dynamodb.describe_table(TableName=tables["Records"])["Table"]
    automations = dynamodb.describe_table(TableName=tables["Automations"])["Table"]
    assert records["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert [k["AttributeName"] for k in records["KeySchema"]] == ["catalogId", "recordId"]
    assert sorted(i["IndexName"] for i in automations["GlobalSecondaryIndexes"]) == [
        "gsi1",
        "gsi2",
    ]
    ttl = dynamodb.describe_time_to_live(TableName=tables["Records"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiresAt")


def test_table_names_come_from_the_environment() -> None:
    assert [spec.env for spec in TABLES] == [
        "RECORDS_TABLE",
        "AUTOMATIONS_TABLE",
        "SESSIONS_TABLE",
        "IDEMPOTENCY_TABLE",
    ]
    environ = {"RECORDS_TABLE": "stack-Records-X1"}
    assert (table_name(RECORDS, environ), table_name(AUTOMATIONS, environ)) == (
        "stack-Records-X1",
        "Automations",
    )


@pytest.fixture
def catalogs(dynamodb: Any, tables: dict[str, str]) -> DynamoCatalogStore:
    return DynamoCatalogStore(dynamodb, tables["Automations"], records_table=tables["Records"])


@pytest.fixture
def records(dynamodb: Any, tables: dict[str, str]) -> DynamoRecordStore:
    return DynamoRecordStore(dynamodb, tables["Records"], automations_table=tables["Automations"])


def _event(record: Record, kind: EventType) -> ChangeEvent:
    return ChangeEvent(
        id=f"{kind}-{record.catalog_id}-{record.id}",
        type=kind,
        catalog_id=record.catalog_id,
        record_id=record.id,
        values=record.values,
        created_at=T,
    )


def test_a_delete_leaves_a_tombstone_that_expires(
    dynamodb: Any, tables: dict[str, str], catalogs: DynamoCatalogStore, records: DynamoRecordStore
) -> None:
    catalog = catalogs.create(CatalogDraft(name="C"))
    record = Record(
        id=records.next_id(catalog.id),
        catalog_id=catalog.id,
        values={"1": 0.1},
        created_at=T,
        updated_at=T,
    )
    records.create(record, _event(record, EventType.AFTER_CREATE))
    assert records.delete(record, _event(record, EventType.AFTER_DELETE), expected_revision=1)
    key = {"catalogId": catalog.id, "recordId": record.id}
    stored = dynamo.get(dynamodb, tables["Records"], key)
    assert stored is not None
    assert (stored["deleted"], stored["expiresAt"], stored["values"]) == (
        True,
        int(T.timestamp()) + 2 * 86400,
        '{"1":0.1}',
    )
    assert records.find(catalog.id, RecordQuery()) == []
    assert catalogs.delete(catalog.id)
    assert dynamo.get(dynamodb, tables["Records"], key) is None  # tombstones go with the catalog


def _stored(records: DynamoRecordStore, catalog_id: str, record_id: str) -> Record:
    """A record written with the id it was given (as the global counter of before gave it)."""
    record = Record(id=record_id, catalog_id=catalog_id, created_at=T, updated_at=T)
    records.create(record, _event(record, EventType.AFTER_CREATE))
    return record


def test_ids_of_a_deployment_from_global_counter_days_continue_per_catalog(
    dynamodb: Any, tables: dict[str, str], catalogs: DynamoCatalogStore, records: DynamoRecordStore
) -> None:
    first = catalogs.create(CatalogDraft(name="A")).id
    second = catalogs.create(CatalogDraft(name="B")).id
    for catalog_id, record_id in ((first, "1"), (second, "2"), (first, "3"), (second, "4")):
        _stored(records, catalog_id, record_id)
    # 10 sorts before 9 as text: the largest id is the largest number, not the last key.
    gone = _stored(records, second, "10")
    _stored(records, first, "9")
    assert records.delete(gone, _event(gone, EventType.AFTER_DELETE), expected_revision=1)
    third = catalogs.create(CatalogDraft(name="C")).id
    ids = [records.next_id(c) for c in (first, second, third, first, second, third)]
    # The deleted 10 of B is not given again while its tombstone is there.
    assert ids == ["10", "11", "1", "11", "12", "2"]


class _SeedRace:
    """A DynamoDB client whose first Query (the read of a catalog's largest id) lets a rival
    writer take an id first, so the writer it serves finds the counter already seeded."""

    def __init__(self, client: Any, rival: Callable[[], str]) -> None:
        self._client = client
        self._rival: Callable[[], str] | None = rival
        self.rival_took: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def query(self, **arguments: Any) -> Any:
        if self._rival is not None:
            rival, self._rival = self._rival, None
            self.rival_took = rival()
        return self._client.query(**arguments)


def test_a_writer_that_loses_the_race_to_seed_a_counter_takes_the_next_id(
    dynamodb: Any, tables: dict[str, str], catalogs: DynamoCatalogStore, records: DynamoRecordStore
) -> None:
    catalog = catalogs.create(CatalogDraft(name="A")).id
    _stored(records, catalog, "7")
    raced = _SeedRace(dynamodb, lambda: records.next_id(catalog))
    slow = DynamoRecordStore(raced, tables["Records"], automations_table=tables["Automations"])
    taken = slow.next_id(catalog)
    assert (raced.rival_took, taken) == ("8", "9")


def test_records_created_at_once_in_a_catalog_without_a_counter_get_distinct_ids(
    dynamodb: Any,
    tables: dict[str, str],
    catalogs: DynamoCatalogStore,
    records: DynamoRecordStore,
    one_request_at_a_time: None,
) -> None:
    catalog = catalogs.create(CatalogDraft(name="A")).id
    for record_id in ("1", "2", "3"):
        _stored(records, catalog, record_id)

    def create() -> str:
        return _stored(records, catalog, records.next_id(catalog)).id

    created = _parallel([create, create])
    assert sorted(str(c) for c in created) == ["4", "5"], created
    assert sorted(r.id for r in records.find(catalog, RecordQuery())) == ["1", "2", "3", "4", "5"]


def test_query_reads_every_page(
    dynamodb: Any, tables: dict[str, str], catalogs: DynamoCatalogStore
) -> None:
    for n in range(7):
        catalogs.create(CatalogDraft(name=f"c{n}"))
    found = dynamo.query(
        dynamodb,
        TableName=tables["Automations"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "CATALOG"}},
        Limit=2,
    )
    counted = dynamo.count(
        dynamodb,
        TableName=tables["Automations"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "CATALOG"}},
        Limit=3,
    )
    assert ([dynamo.plain(i)["name"] for i in found], counted) == ([f"c{n}" for n in range(7)], 7)


def test_catalog_ids_sort_as_numbers(catalogs: DynamoCatalogStore) -> None:
    created = [catalogs.create(CatalogDraft(name=f"c{n}")).id for n in range(11)]
    assert [c.id for c in catalogs.all()] == created == [str(n) for n in range(1, 12)]


def test_concurrent_saves_of_one_scenario_take_distinct_versions(
    dynamodb: Any, tables: dict[str, str], one_request_at_a_time: None
) -> None:
    store = DynamoScenarioStore(dynamodb, tables["Automations"], VirtualClock(start=0))
    saved = _parallel([lambda n=n: store.add_version("s", f"<v{n}/>", {}) for n in range(8)])
    assert sorted(v.version for v in saved) == list(range(1, 9))
    latest = store.latest("s")
    assert latest is not None and latest.version == 8
    assert [v.version for v in store.all()] == [8]


def test_scenario_text_survives_compression(dynamodb: Any, tables: dict[str, str]) -> None:
    store = DynamoScenarioStore(dynamodb, tables["Automations"], VirtualClock(start=0))
    bpmn = "<bpmn:definitions>" + "<task name='Привет'/>" * 20_000 + "</bpmn:definitions>"
    saved = store.add_version("big", bpmn, {"STANDARD": {"StartAt": "A", "X": 0.5}})
    fresh = DynamoScenarioStore(dynamodb, tables["Automations"], VirtualClock(start=0))
    assert fresh.get_version("big", 1) == saved  # ~460 KB of text, over the item limit unpacked


def test_one_of_two_racing_users_gets_a_login(
    dynamodb: Any, tables: dict[str, str], one_request_at_a_time: None
) -> None:
    users = DynamoUserStore(dynamodb, tables["Automations"], VirtualClock(start=0))
    results = _parallel([lambda: users.create("Same", "a"), lambda: users.create("same", "b")])
    assert sorted(type(r).__name__ for r in results) == ["StoreConflict", "User"]


def test_of_two_admins_demoting_each_other_at_once_one_stays(
    dynamodb: Any, tables: dict[str, str], one_request_at_a_time: None
) -> None:
    users = DynamoUserStore(dynamodb, tables["Automations"], VirtualClock(start=0))
    first = users.create("first", "pw", role=Role.ADMIN)
    second = users.create("second", "pw", role=Role.ADMIN)
    results = _parallel(
        [
            lambda: users.change(first.id, role=Role.MEMBER),
            lambda: users.change(second.id, role=Role.MEMBER),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["LastAdmin", "User"]
    assert [u.role for u in users.all()].count(Role.ADMIN) == 1


def test_items_older_than_roles_read_as_members(dynamodb: Any, tables: dict[str, str]) -> None:
    table = tables["Automations"]
    users = DynamoUserStore(dynamodb, table, VirtualClock(start=0))
    keys = DynamoApiKeyStore(dynamodb, table, VirtualClock(start=0))
    created = "2026-01-02T03:04:05.000Z"
    old_user = {"id": "1", "login": "a", "name": "", "active": True, "createdAt": created}
    old_key = {"userId": "1", "name": "ci", "createdAt": created, "gsi1pk": "USERKEYS#1"}
    for attributes in (
        {"pk": "LOGIN", "sk": "a", "userId": "1"},
        {"pk": "USER", "sk": dynamo.padded("1"), "passwordHash": hash_password("pw")} | old_user,
        {"pk": "APIKEY", "sk": "k1", "secretHash": hash_api_secret("s"), "gsi1sk": created}
        | old_key,
    ):
        dynamodb.put_item(TableName=table, Item=dynamo.item(attributes))
    user = users.authenticate("a", "pw")
    assert user is not None and user.role is Role.MEMBER
    assert keys.authenticate("k1.s") == user
    assert [k.role for k in keys.of_user("1")] == [Role.MEMBER]
    assert not ensure_admin(users, "a", "pw")  # as the API's first start does
    assert users.get("1") == user.model_copy(update={"role": Role.ADMIN})
    with pytest.raises(LastAdmin):  # the promotion was counted
        users.delete("1")


def test_changing_a_url_id_frees_the_old_one(dynamodb: Any, tables: dict[str, str]) -> None:
    store = DynamoWebRequestStore(dynamodb, tables["Automations"])
    store.put(WebRequestEndpoint(id="1", url_id="old", scenario_id="s"))
    store.put(WebRequestEndpoint(id="1", url_id="new", scenario_id="s"))
    store.put(WebRequestEndpoint(id="2", url_id="old", scenario_id="t"))
    with pytest.raises(StoreConflict):
        store.put(WebRequestEndpoint(id="2", url_id="new", scenario_id="t"))
    found = (store.by_url_id("new"), store.by_url_id("old"))
    assert [e.id if e else None for e in found] == ["1", "2"]
    assert store.delete("1") and store.by_url_id("new") is None
    store.put(WebRequestEndpoint(id="3", url_id="new", scenario_id="u"))  # free again


def test_racing_endpoints_cannot_share_a_url_id(
    dynamodb: Any, tables: dict[str, str], one_request_at_a_time: None
) -> None:
    store = DynamoWebRequestStore(dynamodb, tables["Automations"])
    results = _parallel(
        [
            lambda n=n: store.put(WebRequestEndpoint(id=str(n), url_id="u", scenario_id="s"))
            for n in range(6)
        ]
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, StoreConflict) for r in results if r is not None)
    assert len(store.all()) == 1
