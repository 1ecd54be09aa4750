"""A stand-in language-model service on loopback, for `ai.request`'s tests and for trying
scenarios by hand: no real service is reachable from here.

It speaks the chat completions protocol as OpenAI's API reference defines it (POST
`<base>/chat/completions`, `Authorization: Bearer <key>`, a JSON body with `model` and
`messages`, optional `temperature`, `frequency_penalty`, `max_tokens`, `response_format`; an
answer with `choices[0].message.content`, `finish_reason` and `usage`), and GigaChat's variant
(`/api/v1/chat/completions` with a Bearer token got from `POST /api/v2/oauth` with
`Authorization: Basic <key>`, an `RqUID` header that is a UUID4 and the form `scope=...`; the
token answer `{access_token, expires_at}` in milliseconds). Every request is checked against
the protocol: what breaks it is answered 400 and written into `problems`, which a test asserts
empty. A wrong key is answered 401 with the key it was given echoed in the message (as a careless
service might), so a test can see that the component takes it out.

    server = AiStandIn(key="sk-test")            # OpenAI-compatible, base path /v1
    server.then(429, {...}, {"Retry-After": "0"})  # scripted answers, in order, then the default
    server.connection_url("deepseek")            # deepseek+http://:sk-test@127.0.0.1:PORT/v1

From a shell (prints its URL and a connection, serves until interrupted):

    .venv/bin/python tests/support/ai_servers.py [--gigachat] [--key KEY] [--port PORT]
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ROLES = {"system", "user", "assistant"}
GIGACHAT_SCOPES = {"GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"}
OAUTH_PATH = "/api/v2/oauth"
GIGACHAT_CHAT_PATH = "/api/v1/chat/completions"

Reply = Callable[[dict[str, Any]], str]


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-case
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("ascii"), strict_parsing=True)


@dataclass(slots=True)
class Scripted:
    """An answer given instead of the default one (after the request has been checked)."""

    status: int
    body: Any  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def default_reply(body: dict[str, Any]) -> str:
    return f"Stand-in answer to: {body['messages'][-1]['content']}"


class AiStandIn:
    """The server; `base` is the base URL of its chat API (`/v1` for the OpenAI form, the root
    for GigaChat), `oauth_url` GigaChat's token endpoint. `close()` stops it."""

    def __init__(
        self,
        *,
        key: str = "sk-test-key",
        gigachat: bool = False,
        token_seconds: float = 1800.0,
        reply: Reply = default_reply,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.key = key
        self.gigachat = gigachat
        self.token_seconds = token_seconds
        self.reply = reply
        self.requests: list[Seen] = []
        self.problems: list[str] = []
        self.tokens: dict[str, float] = {}  # issued token -> expiry (seconds since the epoch)
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        if tls is not None:  # https, under the certificate's name (localhost)
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.tls = tls is not None
        where = f"{'localhost' if self.tls else '127.0.0.1'}:{self._httpd.server_address[1]}"
        self.origin = f"{'https' if self.tls else 'http'}://{where}"
        self.base = self.origin if gigachat else f"{self.origin}/v1"
        self.chat_path = GIGACHAT_CHAT_PATH if gigachat else "/v1/chat/completions"
        self.oauth_url = self.origin + OAUTH_PATH
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    # -- what a test uses ------------------------------------------------------------------

    def then(
        self, status: int, body: Any, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> AiStandIn:
        """Answer the next chat request so (scripted answers are used in order)."""
        self._script.append(Scripted(status, body, headers or {}, delay))
        return self

    def connection_url(self, service: str = "openai-compatible", **options: str) -> str:
        """A connection URL reaching this server as `service` (plain HTTP unless it has TLS)."""
        host = self.origin.partition("://")[2]
        path = "" if self.gigachat else "/v1"
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in options.items())
        if self.gigachat:
            query = "&".join(filter(None, [query, f"oauth={quote(self.oauth_url, safe='')}"]))
        scheme = service if self.tls else f"{service}+http"
        return f"{scheme}://:{quote(self.key, safe='')}@{host}{path}" + (
            f"?{query}" if query else ""
        )

    def chats(self) -> list[Seen]:
        return [r for r in self.requests if r.path == self.chat_path]

    def oauths(self) -> list[Seen]:
        return [r for r in self.requests if r.path == OAUTH_PATH]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- the protocol ----------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with server._lock:
                    server.requests.append(seen)
                status, answer, headers, delay = server._answer(seen)
                if delay:
                    time.sleep(delay)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:  # quiet pytest output
                return

        return Handler

    def _answer(self, seen: Seen) -> tuple[int, Any, dict[str, str], float]:
        if seen.path == OAUTH_PATH and self.gigachat:
            return (*self._oauth(seen), {}, 0.0)
        if seen.path != self.chat_path:
            return self._problem(f"{seen.method} {seen.path}: no such endpoint", 404)
        if seen.method != "POST":
            return self._problem(f"{seen.method} {seen.path}: chat completions are POSTed", 405)
        refused = self._refused_auth(seen.headers.get("authorization", ""))
        if refused is not None:
            return 401, {"error": {"message": refused, "type": "authentication_error"}}, {}, 0.0
        problem = self._chat_problem(seen)
        if problem is not None:
            return self._problem(problem, 400)
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            return scripted.status, scripted.body, scripted.headers, scripted.delay
        return 200, self._completion(seen.json), {}, 0.0

    def _problem(self, text: str, status: int) -> tuple[int, Any, dict[str, str], float]:
        with self._lock:
            self.problems.append(text)
        return status, {"error": {"message": text, "type": "invalid_request_error"}}, {}, 0.0

    def _refused_auth(self, authorization: str) -> str | None:
        scheme, _, credential = authorization.partition(" ")
        if scheme != "Bearer" or not credential:
            return "No API key provided (Authorization: Bearer ...)"
        if self.gigachat:
            expiry = self.tokens.get(credential)
            if expiry is None:
                return "Token is not valid"
            if expiry <= time.time():
                return "Token has expired"
            return None
        if credential != self.key:
            return f"Incorrect API key provided: {credential}"
        return None

    def _chat_problem(self, seen: Seen) -> str | None:
        if seen.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return "Content-Type must be application/json"
        try:
            body = seen.json
        except ValueError:
            return "the body is not JSON"
        if not isinstance(body, dict):
            return "the body is not a JSON object"
        return _body_problem(body, gigachat=self.gigachat)

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        content = self.reply(body)
        prompt_tokens = sum(len(str(m["content"]).split()) for m in body["messages"])
        completion_tokens = len(content.split())
        return {
            "id": "chatcmpl-" + secrets.token_hex(6),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _oauth(self, seen: Seen) -> tuple[int, Any]:
        problem = _oauth_problem(seen)
        if problem is not None:
            with self._lock:
                self.problems.append(problem)
            return 400, {"code": 4, "message": problem}
        if seen.headers["authorization"] != f"Basic {self.key}":
            return 401, {"code": 6, "message": "credentials doesn't match db data"}
        token = secrets.token_urlsafe(24)
        expires = time.time() + self.token_seconds
        with self._lock:
            self.tokens[token] = expires
        return 200, {"access_token": token, "expires_at": int(expires * 1000)}


def _body_problem(body: dict[str, Any], *, gigachat: bool) -> str | None:
    """What in a chat completions body breaks the protocol (None: nothing)."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "`model` must be a non-empty string"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "`messages` must be a non-empty list"
    for message in messages:
        if not isinstance(message, dict) or set(message) != {"role", "content"}:
            return "each message is {role, content}"
        if message["role"] not in ROLES or not isinstance(message["content"], str):
            return f"a message's role must be one of {sorted(ROLES)} and its content a string"
    if messages[-1]["role"] != "user":
        return "the last message must be the user's"
    ranges = {"temperature": (0.0, 2.0), "frequency_penalty": (-2.0, 2.0), "top_p": (0.0, 1.0)}
    if gigachat:
        ranges["repetition_penalty"] = (0.0, 10.0)
    for name, (low, high) in ranges.items():
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not low <= value <= high
        ):
            return f"`{name}` must be a number in [{low}, {high}]"
    if gigachat and "frequency_penalty" in body:
        return "GigaChat takes repetition_penalty, not frequency_penalty"
    tokens = body.get("max_tokens")
    if tokens is not None and (
        isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1
    ):
        return "`max_tokens` must be a positive integer"
    fmt = body.get("response_format")
    if fmt is not None:
        if gigachat:
            return "GigaChat takes no response_format"
        if fmt not in ({"type": "json_object"}, {"type": "text"}):
            return "`response_format` must be {type: json_object | text}"
        if fmt["type"] == "json_object" and not any("JSON" in m["content"] for m in messages):
            # OpenAI's reference: JSON mode requires the word JSON in the messages.
            return "response_format json_object needs an instruction mentioning JSON"
    return None


def _oauth_problem(seen: Seen) -> str | None:
    if seen.method != "POST":
        return "the token is POSTed"
    if not seen.headers.get("authorization", "").startswith("Basic "):
        return "the token request needs Authorization: Basic <authorization key>"
    if not UUID4.match(seen.headers.get("rquid", "")):
        return "RqUID must be a UUID4"
    content_type = seen.headers.get("content-type", "").split(";")[0].strip()
    if content_type != "application/x-www-form-urlencoded":
        return "the token request is a form (application/x-www-form-urlencoded)"
    try:
        form = seen.form
    except ValueError:
        return "the form cannot be read"
    if list(form) != ["scope"] or form["scope"][0] not in GIGACHAT_SCOPES:
        return f"the form is scope=<one of {sorted(GIGACHAT_SCOPES)}>"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description="A stand-in AI service on loopback.")
    parser.add_argument("--gigachat", action="store_true", help="GigaChat's OAuth and paths")
    parser.add_argument("--key", default="sk-test-key")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = AiStandIn(key=args.key, gigachat=args.gigachat, port=args.port)
    service = "gigachat" if args.gigachat else "openai-compatible"
    print(server.base, flush=True)
    print(f"connection: {server.connection_url(service)}", flush=True)
    print("(loopback: set AUTOMATIONS_HTTP_ALLOW_HOSTS=127.0.0.1)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
