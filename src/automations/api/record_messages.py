"""`/api/v1/catalogs/{catalogId}/records/{recordId}/messages`: a record's messages (the
product's comments in its history), newest first, and writing one as the calling user.

Reading and writing need what reading and writing the record need (a member). The list is a
JSON array, like the records list; `limit` bounds it and `before` (the last id of a page)
continues it. A message is written with `{"text": "...", "attachments": ["<file id>", ...]}`
(`message`, the product's word for the text, is accepted too) and answered whole, its `id`
first, as the product answers a comment with `{"id": ...}`.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import AliasChoices, Field

from automations.api.access import caller
from automations.model.base import CamelModel
from automations.model.message import (
    DEFAULT_PAGE,
    MAX_ATTACHMENTS,
    MAX_PAGE,
    MAX_TEXT_CHARS,
    RecordMessage,
)
from automations.model.user import User
from automations.service.record_messages import (
    MessageDeps,
    messages_of,
    post_message,
    user_author,
)

PATHS = ("/api/v1/catalogs/<catalogId>/records/<recordId>/messages",)
TAGS = ["records"]


class MessageBody(CamelModel):
    """The body of `POST .../messages`."""

    text: str = Field(
        default="",
        max_length=MAX_TEXT_CHARS,
        validation_alias=AliasChoices("text", "message"),
        description="The message; mentions as <@catalogId:recordId;Title/@>",
    )
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="Ids of stored files (POST /api/v1/files)",
    )


def router(deps: MessageDeps) -> Router:
    """The message routes, over these ports."""
    routes = Router()  # type: ignore[no-untyped-call]

    @routes.get(PATHS[0], tags=TAGS, summary="List a record's messages, newest first")
    def list_messages(
        catalogId: str,
        recordId: str,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
        before: Annotated[
            str | None,
            Query(pattern=r"^[0-9]{1,18}$", description="the last id of the previous page"),
        ] = None,
    ) -> list[dict[str, Any]]:
        page = messages_of(deps, catalogId, recordId, limit=limit, before=before)
        return [_json(m) for m in page.messages]

    @routes.post(PATHS[0], tags=TAGS, summary="Write a message on a record")
    def create_message(
        catalogId: str,
        recordId: str,
        body: Annotated[MessageBody, Body()],
    ) -> dict[str, Any]:
        user: User = caller(routes.context.get("user"))
        sent = post_message(
            deps, catalogId, recordId, body.text, body.attachments, user_author(user)
        )
        return _json(sent)

    return routes


def _json(message: RecordMessage) -> dict[str, Any]:
    return {"id": message.id} | message.model_dump(mode="json")
