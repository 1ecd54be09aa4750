"""`/api/v1/users`: who may call the API and with which role (the admins' business).

Passwords go in and never come out; changing one (or deleting the user) ends the user's browser
sessions at once. The last admin can be neither deleted nor demoted (409
`last_admin`): somebody must always be able to manage the rest. A changed role or password
takes up to the authentication cache's lifetime to bite on a server that saw the old one.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import AfterValidator, ConfigDict, Field

from automations.api.errors import Conflict, NotFound
from automations.api.services import Services
from automations.errors import StoreConflict
from automations.model.base import CamelModel, utc_iso
from automations.model.user import Role, User

PATHS = ("/api/v1/users", "/api/v1/users/<userId>")
TAGS = ["users"]
EMAIL = r"^[^@\s]+@[^@\s]+$"
MIN_PASSWORD, MAX_PASSWORD = 8, 1024  # scrypt reads all of it: no unbounded passwords


def _encodable(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON can carry lone surrogates; no store can keep them
        raise ValueError("must be text (it holds a lone surrogate)") from exc
    return text


Text = Annotated[str, AfterValidator(_encodable)]
Email = Annotated[Text, Field(max_length=254, pattern=EMAIL, description="the login")]
Password = Annotated[Text, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]
Name = Annotated[Text, Field(max_length=200)]


class StrictBody(CamelModel):
    """A request body that names what it does not know (a typo must not pass for nothing)."""

    model_config = ConfigDict(extra="forbid")


class UserDraft(StrictBody):
    """The body of `POST /api/v1/users`."""

    email: Email
    password: Password
    role: Role = Role.MEMBER
    name: Name = ""


class UserPatch(StrictBody):
    """The body of `PATCH /api/v1/users/{id}`: what to change (absent or null: left as is)."""

    role: Role | None = None
    password: Password | None = None
    name: Name | None = None


def user_json(user: User) -> dict[str, Any]:
    """A user as the API shows it (never a password hash)."""
    return {
        "id": user.id,
        "email": user.login,
        "name": user.name,
        "role": str(user.role),
        "active": user.active,
        "createdAt": utc_iso(user.created_at),
    }


def router(services: Services) -> Router:
    """The user routes, bound to these services."""
    routes = Router()  # type: ignore[no-untyped-call]
    store = services.users

    def end_sessions(user_id: str) -> None:
        if services.sessions is not None:
            services.sessions.delete_user(user_id)

    def existing(user_id: str) -> User:
        found = store.get(user_id)
        if found is None:
            raise NotFound(f"user {user_id[:100]} not found")
        return found

    @routes.get(PATHS[0], tags=TAGS, summary="List users")
    def list_users() -> list[dict[str, Any]]:
        return [user_json(u) for u in store.all()]

    @routes.post(PATHS[0], tags=TAGS, summary="Create a user")
    def create_user(draft: Annotated[UserDraft, Body()]) -> dict[str, Any]:
        try:
            created = store.create(draft.email, draft.password, name=draft.name, role=draft.role)
        except StoreConflict as exc:
            raise Conflict(f"a user with email {draft.email} exists", field_id="email") from exc
        return user_json(created)

    @routes.get(PATHS[1], tags=TAGS, summary="Get a user")
    def get_user(userId: str) -> dict[str, Any]:
        return user_json(existing(userId))

    @routes.patch(PATHS[1], tags=TAGS, summary="Change a user's role, name or password")
    def patch_user(userId: str, patch: Annotated[UserPatch, Body()]) -> dict[str, Any]:
        existing(userId)
        # The role first: refused for the last admin, it must leave the rest unchanged too.
        changed = store.change(userId, name=patch.name, role=patch.role)
        if patch.password is not None:
            store.set_password(userId, patch.password)
            end_sessions(userId)  # whoever signed in with the old password is out
        return user_json(changed or existing(userId))

    @routes.delete(PATHS[1], tags=TAGS, summary="Delete a user (and their API keys)")
    def delete_user(userId: str) -> dict[str, Any]:
        if not store.delete(userId):
            raise NotFound(f"user {userId[:100]} not found")
        end_sessions(userId)
        return {"id": userId}

    return routes
