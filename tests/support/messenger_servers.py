"""Stand-ins for the messengers' APIs (no messenger is reachable from the tests), on loopback.

Each speaks its platform's API as its public reference documents it, records every request it
gets (`requests`: method, path, query, headers, body, parsed JSON or multipart parts) and
answers as the platform does: Telegram's Bot API (`/bot<token>/<method>`, `{"ok": ...}`),
WhatsApp's Cloud API (`/<version>/<phone number id>/messages` and `/media`, `Authorization:
Bearer`, Graph API errors), Max's bot API (`/messages`, `/uploads` and an upload URL,
`Authorization: <token>`). A wrong token gets the platform's refusal. A test can make the next
answers something else (`answer_next`: a refusal, a rate limit), and `connection` is the URL of
a named connection to the server (`AUTOMATIONS_HTTP_ALLOW_HOSTS` must allow 127.0.0.1).

    with TelegramServer() as telegram:
        connections = {"bot": telegram.connection}
        ...
        assert telegram.requests[0].json["text"] == "Hello"
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, cast
from urllib.parse import parse_qs, urlsplit

TELEGRAM_TOKEN = "123456789:AAE-stand-in_Token0123456789abcdefg"
WHATSAPP_TOKEN = "EAAG-stand-in-access-token-0123456789"
WHATSAPP_PHONE_ID = "106540352242922"
MAX_TOKEN = "max-stand-in-token-0123456789abcdef"


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the server got it (header names lower-case)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip()

    @property
    def parts(self) -> dict[str, Part]:
        """The multipart/form-data parts by name, parsed by the standard library's MIME parser."""
        head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
        message = cast(EmailMessage, BytesParser(policy=policy.HTTP).parsebytes(head + self.body))
        found: dict[str, Part] = {}
        for part in message.iter_parts():
            disposition = part.get("content-disposition", "")
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert disposition.startswith("form-data") and isinstance(name, str)
            found[name] = Part(
                name=name,
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                data=payload if isinstance(payload, bytes) else b"",
            )
        return found


Answer = tuple[int, Any]


@dataclass
class _Script:
    queued: list[tuple[str | None, Answer]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class MessengerServer:
    """A loopback HTTP server recording requests; `route` (the platform's) answers them unless
    `answer_next` queued answers (taken first, one per request)."""

    scheme = ""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._script = _Script()
        self._ids = itertools.count(1)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                received = Received(
                    method=self.command,
                    path=url.path,
                    query=parse_qs(url.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                server.requests.append(received)
                status, value = server._answer(received)
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_DELETE = do_POST

            def log_message(self, format: str, *args: Any) -> None:  # quiet pytest output
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def answer_next(self, status: int, body: Any, times: int = 1, path: str | None = None) -> None:
        """The next `times` requests (to `path` only, when given) get this answer instead of the
        platform's."""
        with self._script.lock:
            self._script.queued.extend([(path, (status, body))] * times)

    def next_id(self) -> int:
        return next(self._ids)

    def route(self, request: Received) -> Answer:
        raise NotImplementedError

    def _answer(self, request: Received) -> Answer:
        with self._script.lock:
            for index, (path, answer) in enumerate(self._script.queued):
                if path is None or path == request.path:
                    del self._script.queued[index]
                    return answer
        return self.route(request)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Telegram


def telegram_error(code: int, description: str, retry_after: int | None = None) -> Answer:
    """A Bot API refusal as Telegram writes it."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return code, body


class TelegramServer(MessengerServer):
    """Telegram's Bot API: `POST /bot<token>/<method>`, JSON or multipart bodies."""

    METHODS = (
        "sendMessage",
        "sendLocation",
        "sendContact",
        "forwardMessage",
        "editMessageText",
        "deleteMessage",
        "sendDocument",
        "sendPhoto",
    )

    def __init__(self, token: str = TELEGRAM_TOKEN) -> None:
        self.token = token
        super().__init__()

    @property
    def connection(self) -> str:
        return f"telegram+http://{self.token}@127.0.0.1:{self.port}"

    def route(self, request: Received) -> Answer:
        head, _, method = request.path.lstrip("/").partition("/")
        if head != f"bot{self.token}":
            return telegram_error(401, "Unauthorized")
        if method not in self.METHODS:
            return telegram_error(404, "Not Found")
        fields = self._fields(request)
        if method == "deleteMessage":
            return 200, {"ok": True, "result": True}
        message: dict[str, Any] = {
            "message_id": fields.get("message_id", self.next_id())
            if method == "editMessageText"
            else self.next_id(),
            "from": {"id": 123456789, "is_bot": True, "first_name": "Stand-in bot"},
            "chat": {"id": _chat(fields.get("chat_id")), "type": "private"},
            "date": 1765000000,
        }
        for key in ("text", "caption"):
            if key in fields:
                message[key] = fields[key]
        if "latitude" in fields:
            message["location"] = {"latitude": fields["latitude"], "longitude": fields["longitude"]}
        if "phone_number" in fields:
            message["contact"] = {"phone_number": fields["phone_number"]}
        if method == "sendDocument":
            message["document"] = {"file_id": f"doc-{self.next_id()}"}
        if method == "sendPhoto":
            message["photo"] = [{"file_id": f"photo-{self.next_id()}", "width": 90, "height": 90}]
        return 200, {"ok": True, "result": message}

    @staticmethod
    def _fields(request: Received) -> dict[str, Any]:
        if request.content_type == "application/json":
            value = request.json
            return value if isinstance(value, dict) else {}
        if request.content_type == "multipart/form-data":
            return {name: part.text for name, part in request.parts.items() if not part.filename}
        return {}


def _chat(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


# ---------------------------------------------------------------------------------------------
# WhatsApp


def whatsapp_error(status: int, code: int, message: str, subcode: int | None = None) -> Answer:
    """A Graph API refusal as Meta writes it."""
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGhIjKlMnOp",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return status, {"error": error}


class WhatsAppServer(MessengerServer):
    """WhatsApp's Cloud API: `POST /<version>/<phone number id>/messages` and `/media`."""

    def __init__(
        self,
        token: str = WHATSAPP_TOKEN,
        phone_number_id: str = WHATSAPP_PHONE_ID,
        version: str = "v21.0",
    ) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.version = version
        super().__init__()

    @property
    def connection(self) -> str:
        return (
            f"whatsapp+http://{self.phone_number_id}:{self.token}@127.0.0.1:{self.port}"
            f"?version={self.version}"
        )

    def route(self, request: Received) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return whatsapp_error(
                401, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        prefix = f"/{self.version}/{self.phone_number_id}"
        if request.path == f"{prefix}/media":
            return 200, {"id": f"media-{self.next_id()}"}
        if request.path != f"{prefix}/messages":
            return whatsapp_error(400, 100, "Unsupported post request.", 33)
        to = request.json.get("to", "")
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
            "messages": [{"id": f"wamid.HBgL{self.next_id():06d}", "message_status": "accepted"}],
        }


# ---------------------------------------------------------------------------------------------
# Max


def max_error(status: int, code: str, message: str) -> Answer:
    """A Max bot API refusal as Max writes it."""
    return status, {"code": code, "message": message}


class MaxServer(MessengerServer):
    """Max's bot API: `POST /messages?chat_id=|user_id=`, `POST /uploads?type=` giving an upload
    URL (on this server, `/upload/<n>`, which takes no token), `Authorization: <token>`."""

    def __init__(self, token: str = MAX_TOKEN) -> None:
        self.token = token
        super().__init__()
        self.uploads: dict[str, str] = {}  # upload path -> the type asked for

    @property
    def connection(self) -> str:
        return f"max+http://{self.token}@127.0.0.1:{self.port}"

    def route(self, request: Received) -> Answer:
        if request.path.startswith("/upload/"):
            kind = self.uploads.get(request.path)
            if kind is None or "data" not in request.parts:
                return max_error(400, "upload.invalid", "No such upload")
            token = f"upload-token-{self.next_id()}"
            return 200, {"photos": {"p1": {"token": token}}} if kind == "image" else {
                "token": token
            }
        if request.headers.get("authorization") != self.token:
            return max_error(401, "verify.token", "Invalid access_token")
        if request.path == "/uploads":
            path = f"/upload/{self.next_id()}"
            self.uploads[path] = request.query.get("type", ["file"])[0]
            return 200, {"url": f"{self.base}{path}"}
        if request.path != "/messages":
            return max_error(404, "not.found", f"Path {request.path} is not recognized")
        body = request.json
        recipient = {k: int(v[0]) for k, v in request.query.items() if k in ("chat_id", "user_id")}
        sequence = self.next_id()
        return 200, {
            "message": {
                "sender": {"user_id": 5550001, "name": "Stand-in bot", "is_bot": True},
                "recipient": {**recipient, "chat_type": "dialog"},
                "timestamp": 1765000000000,
                "body": {
                    "mid": f"mid.{sequence:016x}",
                    "seq": sequence,
                    "text": body.get("text", ""),
                    "attachments": body.get("attachments", []),
                },
            }
        }
