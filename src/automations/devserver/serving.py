"""One server process's HTTP side: a built runtime's API and web requests on a listening socket.

The primary (`server.py`) and every worker process (`workers.py`) serve through here, so neither
of those two modules needs the other.
"""

from __future__ import annotations

import socket

from automations.adapters.local.runtime import LocalRuntime
from automations.devserver.http import serve
from automations.devserver.webroute import WebRequestRoute


def serve_runtime(runtime: LocalRuntime, sock: socket.socket) -> None:
    """Serve this runtime's API and web requests on a listening socket until interrupted."""
    settings = runtime.settings
    serve(
        sockets=[sock],
        # Read as far as the largest body a route takes (an upload); the gate holds each
        # route to its own limit.
        max_body_bytes=max(settings.max_body_bytes, settings.max_file_bytes),
        factory=runtime.app,
        workers=settings.api_workers,
        web=WebRequestRoute(
            runtime.automation.webrequest_deps(),
            settings.max_body_bytes,
            workers=settings.api_workers,
        ),
        log_level="warning",
    )
