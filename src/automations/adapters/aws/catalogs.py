"""CatalogStore on DynamoDB: one item per catalog in the `CATALOG` partition, fields as JSON."""

from __future__ import annotations

from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.dynamo import dumps, loads, padded
from automations.errors import StoreConflict
from automations.model.catalog import Catalog, CatalogDraft, CatalogField, new_catalog

PARTITION = "CATALOG"


def catalog_key(catalog_id: str) -> dict[str, str]:
    """The key of a catalog's item (record writes check it exists)."""
    return {"pk": PARTITION, "sk": padded(catalog_id)}


class DynamoCatalogStore:
    """Catalogs in the Automations table; deleting one deletes its records too.

    catalogs = DynamoCatalogStore(client, "Automations", records_table="Records")
    """

    def __init__(self, client: Any, table: str, *, records_table: str) -> None:
        self._client = client
        self._table = table
        self._records_table = records_table

    def get(self, catalog_id: str) -> Catalog | None:
        if not catalog_id.isdigit():
            return None
        found = dynamo.get(self._client, self._table, catalog_key(catalog_id))
        return None if found is None else _catalog(found)

    def all(self, section_id: str | None = None) -> list[Catalog]:
        catalogs = [_catalog(i) for i in dynamo.partition(self._client, self._table, PARTITION)]
        return [c for c in catalogs if section_id is None or c.section_id == section_id]

    def create(self, draft: CatalogDraft) -> Catalog:
        catalog = new_catalog(str(dynamo.next_number(self._client, self._table, "catalogs")), draft)
        if not dynamo.put_new(self._client, self._table, _attributes(catalog), "pk"):
            raise StoreConflict(f"catalog {catalog.id} exists")  # the counter was reset
        return catalog

    def save(self, catalog: Catalog) -> None:
        # Like the SQLite UPDATE: saving a catalog that is gone changes nothing.
        dynamo.condition_held(
            lambda: self._client.put_item(
                TableName=self._table,
                Item=dynamo.item(_attributes(catalog)),
                ConditionExpression="attribute_exists(pk)",
            )
        )

    def delete(self, catalog_id: str) -> bool:
        if not catalog_id.isdigit():
            return False
        if not dynamo.delete_existing(self._client, self._table, catalog_key(catalog_id), "pk"):
            return False
        # The records go after the catalog: a write racing this delete fails its catalog check.
        keys = [
            {"catalogId": i["catalogId"]["S"], "recordId": i["recordId"]["S"]}
            for i in dynamo.query(
                self._client,
                TableName=self._records_table,
                KeyConditionExpression="catalogId = :c",
                ExpressionAttributeValues={":c": {"S": catalog_id}},
                ProjectionExpression="catalogId, recordId",
            )
        ]
        dynamo.batch_delete(self._client, self._records_table, keys)
        return True


def _attributes(catalog: Catalog) -> dict[str, Any]:
    return {
        **catalog_key(catalog.id),
        "id": catalog.id,
        "name": catalog.name,
        "icon": catalog.icon,
        "sectionId": catalog.section_id,
        "fields": dumps([f.model_dump(mode="json") for f in catalog.fields]),
        "lastFieldId": catalog.last_field_id,
    }


def _catalog(found: dict[str, Any]) -> Catalog:
    return Catalog(
        id=found["id"],
        name=found["name"],
        icon=found.get("icon"),
        section_id=found.get("sectionId"),
        fields=[CatalogField.model_validate(f) for f in loads(found["fields"])],
        last_field_id=found.get("lastFieldId", 0),
    )
