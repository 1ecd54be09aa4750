"""The FileStore port on S3: one object per file, `files/<id>`, its metadata on the object.

Why the object's own metadata and not a DynamoDB item: one PutObject stores a file whole or not
at all, and one GetObject (or HeadObject) returns the bytes and what describes them, so there is
no second place to keep in step and nothing to clean up after a half-done write. S3 user
metadata is ASCII only, so the name is kept percent-encoded (UTF-8); the media type is the
object's Content-Type, the size its length.

The bucket is private and encrypted (template.yaml); ids are random, and a text that is not an
id is never turned into a key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from automations.adapters.aws.client_errors import Meaning, meaning
from automations.asl.ports import Clock
from automations.errors import FileTooLarge
from automations.model.base import from_epoch, utc_iso
from automations.model.file import DEFAULT_MAX_FILE_BYTES, StoredFile, is_file_id, new_file_id

BUCKET_VARIABLE = "FILES_BUCKET"
PREFIX = "files/"
_NAME, _CREATED = "name", "created"  # user metadata keys (x-amz-meta-*)


class S3FileStore:
    """Files in one S3 bucket."""

    def __init__(
        self, client: Any, bucket: str, clock: Clock, max_bytes: int = DEFAULT_MAX_FILE_BYTES
    ) -> None:
        self._s3 = client
        self._bucket = bucket
        self._clock = clock
        self.max_bytes = max_bytes

    def put(self, name: str, content_type: str, data: bytes) -> StoredFile:
        if len(data) > self.max_bytes:
            raise FileTooLarge(len(data), self.max_bytes)
        stored = StoredFile(
            id=new_file_id(),
            name=name,
            type=content_type,
            size=len(data),
            created=from_epoch(self._clock.now()),
        )
        self._s3.put_object(
            Bucket=self._bucket,
            Key=PREFIX + stored.id,
            Body=data,
            ContentType=stored.type,
            Metadata={_NAME: quote(stored.name, safe=""), _CREATED: utc_iso(stored.created)},
        )
        return stored

    def info(self, file_id: str) -> StoredFile | None:
        if not is_file_id(file_id):
            return None
        answer = self._call("head_object", file_id)
        return None if answer is None else _stored(file_id, answer)

    def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        if not is_file_id(file_id):
            return None
        answer = self._call("get_object", file_id)
        if answer is None:
            return None
        return _stored(file_id, answer), answer["Body"].read()

    def _call(self, action: str, file_id: str) -> dict[str, Any] | None:
        try:
            answer: dict[str, Any] = getattr(self._s3, action)(
                Bucket=self._bucket, Key=PREFIX + file_id
            )
        except Exception as exc:
            if meaning(exc) is Meaning.NOT_FOUND:
                return None
            raise
        return answer


def _stored(file_id: str, answer: dict[str, Any]) -> StoredFile:
    metadata = {k.lower(): v for k, v in (answer.get("Metadata") or {}).items()}
    created = metadata.get(_CREATED)
    modified: datetime = answer["LastModified"]
    return StoredFile(
        id=file_id,
        name=unquote(metadata.get(_NAME, file_id)),
        type=answer.get("ContentType") or "application/octet-stream",
        size=int(answer["ContentLength"]),
        created=created or modified,
    )
