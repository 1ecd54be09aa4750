"""What the API is built from: the ports and a few settings (no database is opened here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from automations.asl.ports import Clock
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH
from automations.model.file import DEFAULT_MAX_FILE_BYTES
from automations.ports import (
    ApiKeyStore,
    BeforeHooks,
    CatalogStore,
    FileStore,
    RecordMessageStore,
    RecordStore,
    SessionStore,
    SignInThrottle,
    UserStore,
)
from automations.service.record_messages import MessageDeps
from automations.service.records import NoBeforeHooks, RecordDeps

if TYPE_CHECKING:
    from automations.service.automation import Automation

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ApiConfig:
    """Per-deployment settings of the API."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # An uploaded file's body (`POST /api/v1/files`): the file store's limit, not the body's.
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    auth_cache_seconds: float = 60.0
    # Browser sessions (api/sessions.py): how long one lasts after signing in.
    session_seconds: float = 24 * 3600.0
    # The web app's bundle (web/dist) served outside /api/ (api/webapp.py); None: not served.
    web_root: Path | None = None


@dataclass(frozen=True, slots=True)
class Services:
    """The ports the API calls; built once by a bootstrap (SQLite now, DynamoDB later)."""

    catalogs: CatalogStore
    records: RecordStore
    users: UserStore
    api_keys: ApiKeyStore
    clock: Clock
    hooks: BeforeHooks = field(default_factory=NoBeforeHooks)
    config: ApiConfig = field(default_factory=ApiConfig)
    # Scenarios, events and processes; without it the API serves catalogs and records only.
    automation: Automation | None = None
    # Browser sessions and their sign-in throttle; without them there is no `/api/v1/session`.
    sessions: SessionStore | None = None
    sign_ins: SignInThrottle | None = None
    # The file store; without it there is no `/api/v1/files`.
    files: FileStore | None = None
    # Messages on records; without them there is no `.../records/{recordId}/messages`.
    messages: RecordMessageStore | None = None

    def message_deps(self) -> MessageDeps | None:
        """The message use cases' ports (None when there is no message store)."""
        if self.messages is None:
            return None
        return MessageDeps(
            catalogs=self.catalogs,
            records=self.records,
            messages=self.messages,
            clock=self.clock,
            files=self.files,
        )

    def record_deps(self) -> RecordDeps:
        """The record use cases' ports."""
        if self.automation is not None:
            return self.automation.records
        return RecordDeps(
            catalogs=self.catalogs, records=self.records, clock=self.clock, hooks=self.hooks
        )
