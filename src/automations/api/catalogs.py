"""`/api/v1/catalogs`: list, create, read, change and delete catalogs (the product's shapes)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from automations.api.services import Services
from automations.model.catalog import Catalog, CatalogDraft, CatalogPatch, patched_catalog
from automations.model.user import Role, User
from automations.ports import CatalogNotFound

PATHS = ("/api/v1/catalogs", "/api/v1/catalogs/<catalogId>")
TAGS = ["catalogs"]


def catalog_summary(catalog: Catalog) -> dict[str, Any]:
    """A catalog as `GET /api/v1/catalogs` lists it."""
    return {
        "id": catalog.id,
        "sectionId": catalog.section_id,
        "icon": catalog.icon,
        "name": catalog.name,
        # No per-user rights here: every authenticated caller may edit every field.
        "fieldPrivilegeCodes": {f.id: "edit" for f in catalog.fields},
    }


def catalog_json(catalog: Catalog, role: Role = Role.ADMIN) -> dict[str, Any]:
    """A catalog as `GET /api/v1/catalogs/{id}` returns it, fields included; `privilegeCode`
    is what the caller may do with it, in the product's terms: an admin may change the catalog
    itself, a member its records only."""
    return catalog_summary(catalog) | {
        "privilegeCode": "admin" if role is Role.ADMIN else "edit",
        "fields": [f.model_dump(mode="json") for f in catalog.fields],
    }


def router(services: Services) -> Router:
    """The catalog routes, bound to these services."""
    routes = Router()  # type: ignore[no-untyped-call]

    def existing(catalog_id: str) -> Catalog:
        catalog = services.catalogs.get(catalog_id)
        if catalog is None:
            raise CatalogNotFound(catalog_id)
        return catalog

    @routes.get("/api/v1/catalogs", tags=TAGS, summary="List catalogs")
    def list_catalogs(
        section_id: Annotated[str | None, Query(alias="sectionId")] = None,
    ) -> list[dict[str, Any]]:
        return [catalog_summary(c) for c in services.catalogs.all(section_id)]

    @routes.post("/api/v1/catalogs", tags=TAGS, summary="Create a catalog")
    def create_catalog(draft: Annotated[CatalogDraft, Body()]) -> dict[str, Any]:
        return catalog_json(services.catalogs.create(draft))

    @routes.get("/api/v1/catalogs/<catalogId>", tags=TAGS, summary="Get a catalog")
    def get_catalog(catalogId: str) -> dict[str, Any]:
        user: User | None = routes.context.get("user")
        return catalog_json(existing(catalogId), Role.MEMBER if user is None else user.role)

    @routes.patch("/api/v1/catalogs/<catalogId>", tags=TAGS, summary="Change a catalog")
    def patch_catalog(
        catalogId: str,
        patch: Annotated[CatalogPatch, Body()],
    ) -> dict[str, Any]:
        changed = patched_catalog(existing(catalogId), patch)
        services.catalogs.save(changed)
        return catalog_json(changed)

    @routes.delete("/api/v1/catalogs/<catalogId>", tags=TAGS, summary="Delete a catalog")
    def delete_catalog(catalogId: str) -> dict[str, Any]:
        if not services.catalogs.delete(catalogId):
            raise CatalogNotFound(catalogId)
        return {"id": catalogId}

    return routes
