"""A loopback HTTP server of files for the tests of components that download one: each path
answers its bytes with its media type, a path in `redirects` answers 302 to its target, any
other 404. A path in `unsized` is sent without a Content-Length (the body ends when the
connection closes), so a limit must be kept while reading. `requests` lists the paths asked for, in order."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FileServer:
    """`base` is its URL (no trailing slash); `close()` stops it."""

    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    unsized: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                target = server.redirects.get(self.path)
                if target is not None:
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                media, body = server.files.get(self.path, ("text/plain", b"not found"))
                self.send_response(200 if self.path in server.files else 404)
                self.send_header("Content-Type", media)
                if self.path not in server.unsized:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may stop reading half way: a size limit doing its job.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet pytest output
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
