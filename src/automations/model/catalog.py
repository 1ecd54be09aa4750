"""Catalogs: a named set of typed fields, in the product's JSON shape (`GET /api/v1/catalogs/{id}`).

Field ids are strings of digits, allocated per catalog and never reused: a deleted field's values
may still sit in old records, and a new field must not inherit them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, StringConstraints

from automations.model.base import CamelModel
from automations.model.errors import CatalogInvalid

MAX_FIELDS = 500
MAX_ITEMS = 1000


def _digits(value: object) -> object:
    # The product's clients send ids both as numbers and as strings ("2" and 2).
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


DigitId = Annotated[str, BeforeValidator(_digits), StringConstraints(pattern=r"^[0-9]{1,18}$")]
Name = Annotated[str, StringConstraints(max_length=1000)]


class FieldType(StrEnum):
    """The product's field types (the `type` of a field in a catalog)."""

    GROUP = "group"  # a section heading in the card: holds no value
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DROPDOWN = "dropdown"  # "Статус"/"Категория": ids of config.items
    CHECKBOXES = "checkboxes"
    RADIOBUTTON = "radiobutton"  # "Вопрос"/"Выбор": one id of config.items
    PROGRESS = "progress"
    STARS = "stars"
    CONTACT = "contact"
    USER = "user"
    OBJECT = "object"  # links to records of other catalogs
    FILE = "file"
    ADDRESS = "address"
    BUTTON = "button"  # an action in the card: holds no value


CHOICE_TYPES = frozenset({FieldType.DROPDOWN, FieldType.CHECKBOXES, FieldType.RADIOBUTTON})


class FieldDraft(CamelModel):
    """A field as a client sends it: without `id` it is new, with `id` it keeps that field."""

    id: DigitId | None = None
    name: Name = ""
    type: FieldType
    hint: Name = ""
    required: bool = False
    api_only: bool = False
    config: dict[str, Any] = Field(default_factory=dict)


class CatalogField(CamelModel):
    """A field of a catalog, with its id."""

    id: DigitId
    name: Name = ""
    type: FieldType
    hint: Name = ""
    required: bool = False
    api_only: bool = False
    config: dict[str, Any] = Field(default_factory=dict)


class CatalogDraft(CamelModel):
    """The body of `POST /api/v1/catalogs` (`title` is accepted for `name`)."""

    name: Name = Field(validation_alias=AliasChoices("name", "title"))
    icon: Name | None = None
    section_id: DigitId | None = None
    fields: list[FieldDraft] = Field(default_factory=list, max_length=MAX_FIELDS)


class CatalogPatch(CamelModel):
    """The body of `PATCH /api/v1/catalogs/{id}`: what is left out stays as it is."""

    name: Name | None = Field(default=None, validation_alias=AliasChoices("name", "title"))
    icon: Name | None = None
    section_id: DigitId | None = None
    fields: list[FieldDraft] | None = Field(default=None, max_length=MAX_FIELDS)


class Catalog(CamelModel):
    """A catalog and its fields, in the order the card shows them."""

    id: DigitId
    name: Name
    icon: Name | None = None
    section_id: DigitId | None = None
    fields: list[CatalogField] = Field(default_factory=list)
    # The highest field id ever given out here; kept by the store, never shown to clients.
    last_field_id: int = Field(default=0, exclude=True)

    @property
    def title(self) -> str:
        """The catalog's display name (the product calls it `name`)."""
        return self.name

    def field(self, field_id: str) -> CatalogField | None:
        """The field with this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)


def new_catalog(catalog_id: str, draft: CatalogDraft) -> Catalog:
    """The catalog a draft describes, its fields numbered from 1; client ids are refused."""
    for position, spec in enumerate(draft.fields):
        if spec.id is not None:
            raise CatalogInvalid(
                f"fields[{position}]: a new catalog's fields cannot carry an id", field_id=spec.id
            )
    fields, last_id = _number_fields(draft.fields, {}, 0)
    return Catalog(
        id=catalog_id,
        name=draft.name,
        icon=draft.icon,
        section_id=draft.section_id,
        fields=fields,
        last_field_id=last_id,
    )


def patched_catalog(catalog: Catalog, patch: CatalogPatch) -> Catalog:
    """The catalog after a PATCH: fields left out are deleted, types of kept fields stay."""
    changes: dict[str, Any] = {
        key: getattr(patch, key)
        for key in ("name", "icon", "section_id")
        if getattr(patch, key) is not None
    }
    if patch.fields is not None:
        existing = {f.id: f for f in catalog.fields}
        changes["fields"], changes["last_field_id"] = _number_fields(
            patch.fields, existing, catalog.last_field_id
        )
    return catalog.model_copy(update=changes)


def _number_fields(
    drafts: list[FieldDraft], existing: dict[str, CatalogField], last_id: int
) -> tuple[list[CatalogField], int]:
    fields: list[CatalogField] = []
    seen: set[str] = set()
    for spec in drafts:
        if spec.id is None:
            last_id += 1
            field_id = str(last_id)
        else:
            field_id = _kept_field_id(spec, existing, seen)
        seen.add(field_id)
        fields.append(
            CatalogField(
                id=field_id,
                name=spec.name,
                type=spec.type,
                hint=spec.hint,
                required=spec.required,
                api_only=spec.api_only,
                config=_numbered_items(spec),
            )
        )
    return fields, last_id


def _kept_field_id(spec: FieldDraft, existing: dict[str, CatalogField], seen: set[str]) -> str:
    assert spec.id is not None
    old = existing.get(spec.id)
    if old is None:
        raise CatalogInvalid(f"field {spec.id} does not exist in this catalog", field_id=spec.id)
    if spec.id in seen:
        raise CatalogInvalid(f"field {spec.id} is listed twice", field_id=spec.id)
    if old.type != spec.type:
        # The product forbids it: stored values of the old type would not fit the new one.
        raise CatalogInvalid(
            f"field {spec.id}: the type cannot change ({old.type} -> {spec.type})",
            field_id=spec.id,
        )
    return spec.id


def _numbered_items(spec: FieldDraft) -> dict[str, Any]:
    """Give every choice item an id (the product numbers them) so values can refer to them."""
    config = dict(spec.config)
    items = config.get("items")
    if spec.type not in CHOICE_TYPES or items is None:
        return config
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise CatalogInvalid(
            f"field {spec.id or '(new)'}: config.items must be a list of at most {MAX_ITEMS}",
            field_id=spec.id,
        )
    taken = {str(_digits(i.get("id"))) for i in items if isinstance(i, dict) and "id" in i}
    next_id = max((int(i) for i in taken if i.isdigit()), default=0)
    numbered: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise CatalogInvalid(
                f"field {spec.id or '(new)'}: every config.items entry must be an object",
                field_id=spec.id,
            )
        entry = dict(item)
        if "id" in entry:
            entry["id"] = str(_digits(entry["id"]))
        else:
            next_id += 1
            entry["id"] = str(next_id)
        numbered.append(entry)
    config["items"] = numbered
    return config
