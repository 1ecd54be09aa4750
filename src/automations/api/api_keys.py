"""`/api/v1/apikeys`: the caller's own API keys, each scoped to a role.

Anyone signed in may mint keys for themself, with at most the role they act with now (a
member's key is a member's; an admin may mint a member key for a script that only writes
records). The key's text is shown once, when it is made. A key acts with its role or its
user's, whichever is lower. An admin may also revoke someone else's key (a leaked one).
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from automations.api.access import caller
from automations.api.errors import NotFound
from automations.api.services import Services
from automations.api.users import Name, StrictBody
from automations.model.user import ApiKey, Role, key_role

PATHS = ("/api/v1/apikeys", "/api/v1/apikeys/<keyId>")
TAGS = ["apikeys"]


class KeyDraft(StrictBody):
    """The body of `POST /api/v1/apikeys`; without `role` the key acts with the caller's."""

    name: Name = ""
    role: Role | None = None


def key_json(key: ApiKey) -> dict[str, Any]:
    """A key as the API lists it (never its secret)."""
    return key.model_dump(mode="json")


def router(services: Services) -> Router:
    """The API key routes, bound to these services."""
    routes = Router()  # type: ignore[no-untyped-call]
    keys = services.api_keys

    @routes.get(PATHS[0], tags=TAGS, summary="List your API keys")
    def list_keys() -> list[dict[str, Any]]:
        me = caller(routes.context.get("user"))
        return [key_json(k) for k in keys.of_user(me.id)]

    @routes.post(PATHS[0], tags=TAGS, summary="Make an API key (its text is shown once)")
    def create_key(draft: Annotated[KeyDraft, Body()]) -> dict[str, Any]:
        me = caller(routes.context.get("user"))
        # Capped by the role the caller acts with: a member key of an admin cannot mint an
        # admin key (the store only knows the user's own role).
        key, text = keys.create(me.id, draft.name, role=key_role(me.role, draft.role))
        return key_json(key) | {"key": text}

    @routes.delete(PATHS[1], tags=TAGS, summary="Revoke an API key")
    def revoke_key(keyId: str) -> dict[str, Any]:
        me = caller(routes.context.get("user"))
        mine = any(k.id == keyId for k in keys.of_user(me.id))
        if not (mine or me.role.covers(Role.ADMIN)) or not keys.revoke(keyId):
            raise NotFound(f"API key {keyId[:100]} not found")
        return {"id": keyId}

    return routes
