"""The DynamoDB tables, as data: what `template.yaml` declares and what tests create in moto.

Four tables, each named at run time by an environment variable:

`Records` (`RECORDS_TABLE`): one item per record, key (`catalogId`, `recordId`), with a
NEW_AND_OLD_IMAGES stream that is the change feed (there is no outbox table). Every write puts
the whole item, including the event it causes (`eventId`, `eventType`, `eventUserId`,
`eventDepth`, `eventAt`, `eventValues`, `eventPrevValues`), so that `streams.change_event` can
rebuild the event from the stream record alone. A delete writes a tombstone (`deleted` = true,
`expiresAt` = TTL in epoch seconds) carrying the delete event; reads skip tombstones and the REMOVE
that TTL later causes is ignored. Values are JSON text (see `dynamo.py`); `eventValues` is left
out when it equals `values` (a create, a delete), and only an update carries `eventPrevValues`,
so an update item holds the values about twice: keep a record's values under ~190 KB of JSON.

`Automations` (`AUTOMATIONS_TABLE`): everything else, single-table, keys `pk`/`sk` (strings):

| item                 | pk              | sk                       | notes                     |
|----------------------|-----------------|--------------------------|---------------------------|
| catalog              | `CATALOG`       | id, zero-padded to 20    | fields as JSON text       |
| id counter           | `COUNTER`       | catalogs/records/users   | `value` (N), atomic ADD   |
| scenario version     | `SCENARIO#<id>` | `V#` + version padded    | bpmn, compiled: zlib (B)  |
| scenario index       | `SCENARIOS`     | scenario id              | `latest` version (N)      |
| subscription         | `SUBSCRIPTION`  | id                       | events, fields as JSON    |
| web request endpoint | `WEBREQUEST`    | id                       |                           |
| urlId claim          | `URLID`         | urlId                    | a copy of its endpoint    |
| schedule             | `SCHEDULE`      | id                       | `nextRunAt` UTC text      |
| user                 | `USER`          | id, zero-padded to 20    | scrypt hash               |
| login claim          | `LOGIN`         | login, ASCII lower case  | `userId`                  |
| API key              | `APIKEY`        | key id                   | GSI1 by user              |
| process              | `PROCESS#<id>`  | `PROCESS`                | body zlib (B), GSI1, GSI2 |
| semaphore            | `SEMAPHORE`     | `running`                | `running` (N)             |
| messenger delivery   | `DELIVERY#<key>`| `DELIVERY`               | `firstSeen`, `expiresAt`  |
| record message       | `MESSAGE#<c>#<r>`| id, zero-padded to 20    | body JSON (<c>: catalog)  |

GSI1 (`gsi1pk`, `gsi1sk`): processes by status (`PSTATUS#<status>`, `<queuedAt>#<id>`) and API
keys by user (`USERKEYS#<user id>`, `<createdAt>#<id>`). GSI2 (`gsi2pk`, `gsi2sk`): processes by
scenario (`PSCENARIO#<scenario id>`, `<queuedAt>#<id>`). Both project every attribute.
Small configuration sets (catalogs, subscriptions, endpoints, schedules) live in one partition
each and are filtered in Python: they are read whole, and they are tens to hundreds of items.

`Sessions` (`SESSIONS_TABLE`): the web app's browser sessions (`SESSION#<id>`/`SESSION`, the id
the hash of the cookie's token, GSI1 by user: `USERSESSIONS#<user id>`) and failed sign-ins
(`SIGNIN#<login>`/`FAILURES`), each with `expiresAt` for the table's TTL. Only the API function
may reach it: the components' and the dispatcher's roles never see a session.

`Idempotency` (`IDEMPOTENCY_TABLE`): the attempts of component calls that act
(`idempotency.py`), in the shape powertools' DynamoDBPersistenceLayer writes: key `id` alone,
TTL on `expiration`. Only the functions of those components reach it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GSI1 = "gsi1"
GSI2 = "gsi2"
TTL_ATTRIBUTE = "expiresAt"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table: its logical name, the variable naming it at run time, and its definition."""

    name: str
    env: str
    keys: tuple[str, str] | tuple[str]  # (hash key, range key) or the hash key alone
    indexes: tuple[tuple[str, str, str], ...] = ()  # (index name, hash key, range key)
    stream: str | None = None
    ttl_attribute: str | None = None

    def key_schema(self) -> list[dict[str, str]]:
        """The table's KeySchema (hash key, range key)."""
        return _key_schema(*self.keys)

    def attribute_definitions(self) -> list[dict[str, str]]:
        """Every key attribute of the table and its indexes (all strings)."""
        names = dict.fromkeys([*self.keys, *(k for _, h, r in self.indexes for k in (h, r))])
        return [{"AttributeName": n, "AttributeType": "S"} for n in names]

    def global_secondary_indexes(self) -> list[dict[str, Any]]:
        """The GSIs, each projecting every attribute."""
        return [
            {
                "IndexName": index,
                "KeySchema": _key_schema(hash_key, range_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, hash_key, range_key in self.indexes
        ]

    def create_arguments(self, table_name: str) -> dict[str, Any]:
        """The `CreateTable` arguments (on-demand billing) for a table of this name."""
        arguments: dict[str, Any] = {
            "TableName": table_name,
            "KeySchema": self.key_schema(),
            "AttributeDefinitions": self.attribute_definitions(),
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.indexes:
            arguments["GlobalSecondaryIndexes"] = self.global_secondary_indexes()
        if self.stream:
            arguments["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": self.stream,
            }
        return arguments


def _key_schema(hash_key: str, range_key: str | None = None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


RECORDS = TableSpec(
    name="Records",
    env="RECORDS_TABLE",
    keys=("catalogId", "recordId"),
    stream="NEW_AND_OLD_IMAGES",
    ttl_attribute=TTL_ATTRIBUTE,
)

AUTOMATIONS = TableSpec(
    name="Automations",
    env="AUTOMATIONS_TABLE",
    keys=("pk", "sk"),
    indexes=((GSI1, "gsi1pk", "gsi1sk"), (GSI2, "gsi2pk", "gsi2sk")),
    # Only messenger deliveries (`deliveries.py`) carry it: everything else stays.
    ttl_attribute=TTL_ATTRIBUTE,
)

# Browser sessions and failed sign-ins (adapters/aws/sessions.py), apart from everything else so
# that only the API function's role reaches them; TTL deletes them once they stopped mattering.
SESSIONS = TableSpec(
    name="Sessions",
    env="SESSIONS_TABLE",
    keys=("pk", "sk"),
    indexes=((GSI1, "gsi1pk", "gsi1sk"),),
    ttl_attribute=TTL_ATTRIBUTE,
)

# Attempts of component calls that act (adapters/aws/idempotency.py): powertools' layout.
IDEMPOTENCY = TableSpec(
    name="Idempotency",
    env="IDEMPOTENCY_TABLE",
    keys=("id",),
    ttl_attribute="expiration",
)

TABLES: tuple[TableSpec, ...] = (RECORDS, AUTOMATIONS, SESSIONS, IDEMPOTENCY)


def table_name(spec: TableSpec, environ: Mapping[str, str] | None = None) -> str:
    """The deployed name of a table, from its environment variable (the logical name if unset)."""
    source = os.environ if environ is None else environ
    return source.get(spec.env) or spec.name


def create_tables(client: Any, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Create every table (tests, moto); `names` maps logical names to table names. The names."""
    created: dict[str, str] = {}
    for spec in TABLES:
        name = (names or {}).get(spec.name) or table_name(spec)
        client.create_table(**spec.create_arguments(name))
        if spec.ttl_attribute:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )
        created[spec.name] = name
    return created
