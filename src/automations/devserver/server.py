"""`automations dev`: the embedded server on one machine, from an empty folder to a working demo.

Opens (or creates) the database, makes sure the admin user exists, seeds the demo on the first
start, resumes what a previous run left (running processes from their checkpoints, queued ones,
pending events), then serves the API, web requests and the editor until interrupted, in
`server_processes` processes (see workers.py).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.demo import Demo, seed_demo
from automations.devserver.serving import serve_runtime
from automations.devserver.workers import Workers, listening_socket
from automations.service.users import admin_password
from automations.service.users import ensure_admin as ensure_admin_user
from automations.settings import Settings

logger = logging.getLogger(__name__)


def ensure_admin(runtime: LocalRuntime) -> bool:
    """Create the admin user on the first start (an admin on every start, even in a database
    older than roles); whether the configured password (or secret, see `admin_password`)
    works."""
    settings = runtime.settings
    users = runtime.services.users
    password = admin_password(settings, runtime.secrets)
    if ensure_admin_user(users, settings.admin_email, password):
        return True
    return users.authenticate(settings.admin_email, password) is not None


def banner(settings: Settings, base: str, demo: Demo | None, password_ok: bool) -> str:
    """What the server prints at start: where it is, who to log in as, what to try."""
    # A password kept in a secret is not printed.
    secret = settings.admin_password_secret
    password = f"<secret {secret}>" if secret else settings.admin_password
    user = f"{settings.admin_email}:{password}"
    lines = [
        f"automations dev: {base}",
        f"  web app       {base}/   (sign in as the admin below)",
        f"  API           {base}/api/v1   (OpenAPI: {base}/api/v1/openapi.json)",
        f"  web requests  {base}/api/webrequest/<urlId>",
        f"  admin         {settings.admin_email} / {password}"
        + ("" if password_ok else "  (this user exists with another password)"),
    ]
    if demo is not None:
        lines += [
            "  try:",
            f"    curl -s '{base}/api/webrequest/{demo.url_id}?total=1500'",
            f"    curl -s -u {user} -H 'Content-Type: application/json' "
            f'-d \'{{"values": {{"1": "First order", "2": 1500}}}}\' '
            f"{base}/api/v1/catalogs/{demo.catalog_id}/records",
            f"    curl -s -u {user} '{base}/api/v1/processes'",
        ]
    return "\n".join(lines)


def run_dev(
    settings: Settings,
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    out: TextIO = sys.stdout,
) -> None:
    """Serve until interrupted (SIGINT/SIGTERM); state lives in `db_path`."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    runtime = build_runtime(db_path, settings)
    workers: Workers | None = None
    try:
        password_ok = ensure_admin(runtime)
        demo = seed_demo(runtime.automation) if settings.demo else None
        resumed = runtime.start()
        if resumed:
            logger.info("resumed %d running processes from their checkpoints", resumed)
        sock = listening_socket(host, port, shared=settings.server_processes > 1)
        if settings.server_processes > 1:
            workers = Workers(runtime, settings, str(db_path), host, port)
            workers.start(settings.server_processes - 1)
        print(banner(settings, f"http://{host}:{port}", demo, password_ok), file=out, flush=True)
        serve_runtime(runtime, sock)
    finally:
        if workers is not None:
            workers.close()
        runtime.close()
