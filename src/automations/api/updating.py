"""`POST .../records/{recordId}/updating` (and `.../records/updating` for a new card): the
`$record.updating` event of a card being edited; nothing is stored."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from automations.model.base import CamelModel
from automations.model.user import User
from automations.service.automation import Automation
from automations.service.hooks import card_updating

PATHS = (
    "/api/v1/catalogs/<catalogId>/records/updating",
    "/api/v1/catalogs/<catalogId>/records/<recordId>/updating",
)
TAGS = ["records"]


class CardChange(CamelModel):
    """The fields a person changed in the card, and (optionally) the whole card."""

    values: dict[str, Any]
    all_values: dict[str, Any] | None = None


def router(automation: Automation) -> Router:
    """The card routes, bound to these use cases."""
    routes = Router()  # type: ignore[no-untyped-call]
    deps = automation.updating_deps()

    def answer(catalog_id: str, record_id: str | None, change: CardChange) -> dict[str, Any]:
        user: User | None = routes.context.get("user")
        result = card_updating(
            deps,
            catalog_id,
            record_id,
            change.values,
            change.all_values,
            user_id=None if user is None else user.id,
        )
        return {"values": result.values, "message": result.message}

    @routes.post(PATHS[0], tags=TAGS, summary="A new card is being edited ($record.updating)")
    def new_card_updating(catalogId: str, change: Annotated[CardChange, Body()]) -> dict[str, Any]:
        return answer(catalogId, None, change)

    @routes.post(PATHS[1], tags=TAGS, summary="A card is being edited ($record.updating)")
    def card_updating_route(
        catalogId: str, recordId: str, change: Annotated[CardChange, Body()]
    ) -> dict[str, Any]:
        return answer(catalogId, recordId, change)

    return routes
