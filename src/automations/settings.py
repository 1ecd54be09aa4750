"""Per-deployment settings: one model, read from `AUTOMATIONS_*` environment variables.

Every field `x_y` is set by `AUTOMATIONS_X_Y`; what is not set keeps the seed's default
(100 processes at once, 24 h per process, 256 KB of process data, 25 s for a synchronous run).
A value that does not fit its field is an error at start-up, never a silent default. The limits
that Step Functions also holds go no further than it does, so a process ends alike in both
runtimes: 256 KB of data per state, a year per process; a synchronous run ends within API
Gateway's 29 s integration timeout.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from automations.errors import SettingsInvalid
from automations.json_depth import DEFAULT_MAX_JSON_DEPTH, JSON_DEPTH_CEILING

PREFIX = "AUTOMATIONS_"
KB = 1024
# Step Functions' own limits: a STANDARD execution's duration, a state's input or output.
MAX_PROCESS_SECONDS = 365 * 24 * 3600
MAX_STATE_BYTES = 256 * KB
# API Gateway's integration timeout is 29 s; a synchronous run ends (and answers) before it.
MAX_SYNC_SECONDS = 28.0


class Settings(BaseModel):
    """Limits and knobs of one deployment (the embedded server reads them at start)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_running: int = Field(default=100, ge=1, le=100_000)
    process_timeout_seconds: int = Field(default=24 * 3600, ge=1, le=MAX_PROCESS_SECONDS)
    max_process_data_bytes: int = Field(default=256 * KB, ge=1 * KB, le=MAX_STATE_BYTES)
    sync_timeout_seconds: float = Field(default=25.0, gt=0, le=MAX_SYNC_SECONDS)
    max_chain_depth: int = Field(default=5, ge=0, le=100)
    max_body_bytes: int = Field(default=1024 * KB, ge=1 * KB, le=64 * 1024 * KB)
    # A stored file (the file store, `POST /api/v1/files`, mail attachments kept).
    max_file_bytes: int = Field(default=25 * 1024 * KB, ge=1 * KB, le=5 * 1024 * 1024 * KB)
    # How deep JSON may nest in bodies, component results and process data (json_depth.py).
    max_json_depth: int = Field(default=DEFAULT_MAX_JSON_DEPTH, ge=8, le=JSON_DEPTH_CEILING)
    # How often the background loops look for work they were not told about (seconds).
    dispatch_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    scheduler_tick_seconds: float = Field(default=1.0, gt=0, le=60)
    # EventBridge's smallest rate is one minute; tests and demos may allow `rate(N seconds)`.
    schedule_allow_seconds: bool = False
    api_workers: int = Field(default=16, ge=1, le=256)
    # Processes serving the local server's port (one core each; see devserver/workers.py).
    server_processes: int = Field(default=1, ge=1, le=64)
    admin_email: str = "admin@example.com"
    admin_password: str = Field(default="admin", min_length=1)
    # The name of the secret holding the admin's password (Secrets port; deployed, the Secrets
    # Manager secret's ARN). When set, the password is that secret and `admin_password` is unused.
    admin_password_secret: str | None = None
    demo: bool = True
    # The web app's bundle, served outside /api/ (api/webapp.py): unset, `web/dist` of the
    # source tree locally; on Lambda the template points it at the copy in the API function.
    web_root: str | None = None

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """The settings the environment gives (`overrides` win, e.g. command-line options)."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {
            name: source[PREFIX + name.upper()]
            for name in cls.model_fields
            if PREFIX + name.upper() in source
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{PREFIX}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                for e in exc.errors()
            )
            raise SettingsInvalid(problems) from None
