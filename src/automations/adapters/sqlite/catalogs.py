"""CatalogStore on SQLite: one row per catalog, its fields as a JSON array."""

from __future__ import annotations

import sqlite3
from typing import Any

from automations.adapters.sqlite.db import Database, dumps, loads
from automations.model.catalog import Catalog, CatalogDraft, CatalogField, new_catalog


class SqliteCatalogStore:
    """Catalogs in the `catalogs` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, catalog_id: str) -> Catalog | None:
        if not (catalog_id.isascii() and catalog_id.isdigit()):  # int('³') fails
            return None
        row = (
            self._db.connection()
            .execute("SELECT * FROM catalogs WHERE id = ?", (int(catalog_id),))
            .fetchone()
        )
        return None if row is None else _catalog(row)

    def all(self, section_id: str | None = None) -> list[Catalog]:
        sql, params = "SELECT * FROM catalogs", tuple[str, ...]()
        if section_id is not None:
            sql, params = sql + " WHERE section_id = ?", (section_id,)
        rows = self._db.connection().execute(sql + " ORDER BY id", params).fetchall()
        return [_catalog(row) for row in rows]

    def create(self, draft: CatalogDraft) -> Catalog:
        with self._db.transaction() as conn:
            # Numbering the fields needs the catalog's id, which the insert gives out.
            cursor = conn.execute(
                "INSERT INTO catalogs (name, fields) VALUES (?, '[]')", (draft.name,)
            )
            catalog = new_catalog(str(cursor.lastrowid), draft)
            self._write(conn, catalog)
        return catalog

    def save(self, catalog: Catalog) -> None:
        with self._db.transaction() as conn:
            self._write(conn, catalog)

    def delete(self, catalog_id: str) -> bool:
        if not (catalog_id.isascii() and catalog_id.isdigit()):  # int('³') fails
            return False
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM catalogs WHERE id = ?", (int(catalog_id),))
        return cursor.rowcount > 0

    @staticmethod
    def _write(conn: sqlite3.Connection, catalog: Catalog) -> None:
        conn.execute(
            "UPDATE catalogs SET name = ?, icon = ?, section_id = ?, fields = ?,"
            " last_field_id = ? WHERE id = ?",
            (
                catalog.name,
                catalog.icon,
                catalog.section_id,
                dumps([f.model_dump(mode="json") for f in catalog.fields]),
                catalog.last_field_id,
                int(catalog.id),
            ),
        )


def _catalog(row: sqlite3.Row) -> Catalog:
    fields: list[dict[str, Any]] = loads(row["fields"])
    return Catalog(
        id=str(row["id"]),
        name=row["name"],
        icon=row["icon"],
        section_id=row["section_id"],
        fields=[CatalogField.model_validate(f) for f in fields],
        last_field_id=row["last_field_id"],
    )
