"""`max.send`: a bot writes to a Max chat or user (the product's "Max"), through Max's bot API:
`POST {base}/messages?chat_id=...` (or `user_id=`) with the token in the `Authorization` header
(the API no longer takes it as a query parameter). `messenger_http` holds the connection, the
guard, the retries and the errors.

Inputs:
- `connection` (required): a `max://<token>@platform-api2.max.ru` connection.
- `action`: `text` (default) or `file`.
- `chatId` or `userId` (one of them): where to write.
- `text`: the message, or the text sent with the file; `format`: `text` (default), `markdown`
  or `html`.
- `file` (action `file`): a stored file's id or a URL; `fileType`: `file` (default, sent as a
  document) or `image`. A file is uploaded first (`POST /uploads?type=...` gives an upload URL,
  the file goes there as multipart `data`, the answer's token is attached); an image given by
  URL is attached by its URL, which Max fetches itself.
- `silent`: send without a notification.
- `timeoutSeconds` (default 30, at most 300): the whole call, waits included.

Max takes a moment to process an uploaded file: a message sent before it is ready is refused
with `attachment.not.ready`, and is sent again after a wait (as a rate limit is).

Result: the message Max answers (`body` with `mid`, `seq`, `text`, `attachments`; `recipient`,
`sender`, `timestamp`...).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from automations.components import messenger_http as mh
from automations.components.registry import ComponentContext, ComponentSpec, register

ERRORS = mh.error_codes("max")
_NOT_READY = "attachment.not.ready"


class MaxSendInput(BaseModel):
    """What `max.send` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid")

    connection: str = Field(min_length=1, max_length=200)
    action: Literal["text", "file"] = "text"
    chatId: int | None = None
    userId: int | None = None
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    format: Literal["text", "markdown", "html"] = "text"
    file: mh.FileRef | None = None
    fileType: Literal["file", "image"] = "file"
    silent: bool = False
    timeoutSeconds: float = Field(default=30.0, gt=0, le=mh.MAX_TIMEOUT_SECONDS)

    @model_validator(mode="after")
    def _action_inputs(self) -> MaxSendInput:
        if (self.chatId is None) == (self.userId is None):
            raise ValueError("give one of chatId and userId")
        if self.action == "text" and self.text is None:
            raise ValueError("action text needs text")
        if self.action == "file" and self.file is None:
            raise ValueError("action file needs file")
        return self


class MaxSendResult(BaseModel):
    """The message Max answered, all of its fields."""

    model_config = ConfigDict(extra="allow")

    body: dict[str, Any] | None = None
    recipient: dict[str, Any] | None = None
    timestamp: int | None = None


def _read_refusal(status: int, body: Any) -> mh.Refusal | None:
    if status < 400:
        return None
    if not isinstance(body, dict) or "message" not in body:
        return mh.Refusal(status, f"HTTP {status}: {mh.excerpt(body)}")
    code = str(body.get("code") or "")
    words = f"{body.get('message')}" + (f" ({code})" if code else "")
    return mh.Refusal(status, words, retry=code == _NOT_READY)


def _headers(account: mh.Account) -> dict[str, str]:
    return {"Authorization": account.token}


def _upload(content: mh.FileContent, kind: str, account: mh.Account, deadline: mh.Deadline) -> str:
    """Upload `content`; the token a message attaches it by."""
    slot = mh.call(
        account,
        mh.ApiRequest(
            what="uploads",
            method="POST",
            url=f"{account.base}/uploads",
            headers=_headers(account),
            params={"type": kind},
        ),
        deadline,
        _read_refusal,
    )
    url = slot.get("url") if isinstance(slot, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise mh.failed("max", mh.FAILED, f"{account.label}: uploads answered no upload URL")
    # The upload URL is signed for this upload: the bot's token is not sent there.
    answer = mh.call(
        account,
        mh.ApiRequest(
            what="file upload",
            method="POST",
            url=url,
            files=[("data", (content.name, content.data, content.type))],
        ),
        deadline,
        _read_refusal,
    )
    token = _upload_token(answer) or (slot.get("token") if isinstance(slot, dict) else None)
    if not isinstance(token, str):
        raise mh.failed("max", mh.FAILED, f"{account.label}: the file upload answered no token")
    return token


def _upload_token(answer: Any) -> str | None:
    """The token of an upload's answer: `{token}` for a file, `{photos: {id: {token}}}` for an
    image."""
    if not isinstance(answer, dict):
        return None
    if isinstance(answer.get("token"), str):
        return str(answer["token"])
    photos = answer.get("photos")
    if isinstance(photos, dict):
        for photo in photos.values():
            if isinstance(photo, dict) and isinstance(photo.get("token"), str):
                return str(photo["token"])
    return None


def _attachment(
    params: MaxSendInput, ctx: ComponentContext, account: mh.Account, deadline: mh.Deadline
) -> dict[str, Any]:
    ref = params.file
    assert ref is not None  # the model checked it
    if ref.url is not None and params.fileType == "image":
        return {"type": "image", "payload": {"url": ref.url}}
    if ref.url is not None:
        content = mh.fetched_file(ref, "max", deadline)
    else:
        content = mh.stored_file(ctx, ref, "max")
    token = _upload(content, params.fileType, account, deadline)
    return {"type": params.fileType, "payload": {"token": token}}


def run(params: MaxSendInput, ctx: ComponentContext) -> MaxSendResult:
    """Send the message (a file uploaded first); the message Max answers."""
    deadline = mh.Deadline(params.timeoutSeconds)
    account = mh.account_of(ctx, params.connection, "max")
    body: dict[str, Any] = {}
    if params.text is not None:
        body["text"] = params.text
        if params.format != "text":
            body["format"] = params.format
    if params.action == "file":
        body["attachments"] = [_attachment(params, ctx, account, deadline)]
    if params.silent:
        body["notify"] = False
    where = {"chat_id": str(params.chatId)} if params.chatId is not None else {}
    where |= {"user_id": str(params.userId)} if params.userId is not None else {}
    request = mh.ApiRequest(
        what="messages",
        method="POST",
        url=f"{account.base}/messages",
        headers=_headers(account),
        params=where,
        json=body,
    )
    answer = mh.call(account, request, deadline, _read_refusal)
    message = answer.get("message") if isinstance(answer, dict) else None
    if not isinstance(message, dict):
        raise mh.failed(
            "max", mh.FAILED, f"{account.label}: the answer holds no message: {mh.excerpt(answer)}"
        )
    return MaxSendResult.model_validate(message)


SPEC = register(
    ComponentSpec(
        name="max.send",
        input_model=MaxSendInput,
        result_model=MaxSendResult,
        errors=ERRORS,
        run=run,
        summary="Send a Max bot's message, with a file or an image.",
        title="Max",
        error_descriptions=mh.descriptions("max"),
    )
)
