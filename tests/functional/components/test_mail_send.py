"""`mail.send` against a real SMTP server (aiosmtpd on 127.0.0.1) that requires STARTTLS, or TLS
from the first byte, and AUTH, with a self-signed certificate made here.

What the server received is checked byte for byte: the envelope, each header as written on the
wire (RFC 2047 encoded-words, RFC 2231 file names) and as decoded, every part and attachment.
"""

from __future__ import annotations

import base64
import re
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from automations.components import invoke, registry
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.mail_common import CA_FILE_ENV
from automations.components.registry import ComponentContext
from support.mail_servers import (
    PASSWORD,
    USER,
    Certificate,
    MemoryFiles,
    SmtpServer,
    certificate,
    free_port,
)

ALLOW_PRIVATE_ENV = "AUTOMATIONS_HTTP_ALLOW_PRIVATE"
# aiosmtpd warns about AUTH without STARTTLS: its TLS-from-the-first-byte server is TLS all the
# same, and the server without STARTTLS is there to show that no password reaches it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

# Every byte value, so that no transfer encoding can change one unnoticed.
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
DOCX = bytes(reversed(range(256))) * 3
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(0, 256, 3))
SUBJECT = "Счёт №42 — оплата до пятницы, ООО «Ромашка»"
TEXT = "Здравствуйте, Иван!\n\nВаш счёт во вложении.\nСумма: 1 500 ₽\n"
HTML = "<p>Здравствуйте, <b>Иван</b>!</p>\n<p>Ваш счёт во вложении.</p>\n"


@pytest.fixture
def cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Certificate:
    made = certificate(tmp_path)
    monkeypatch.setenv(CA_FILE_ENV, str(made.cert))
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")  # the servers are on 127.0.0.1
    return made


@pytest.fixture
def smtp(cert: Certificate) -> Iterator[SmtpServer]:
    server = SmtpServer(cert).start()
    yield server
    server.stop()


@pytest.fixture
def smtps(cert: Certificate) -> Iterator[SmtpServer]:
    server = SmtpServer(cert, implicit_tls=True).start()
    yield server
    server.stop()


@pytest.fixture
def web() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving /logo.png (an attachment given by URL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/files/logo.png?size=big":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def send(
    inputs: dict[str, Any],
    files: MemoryFiles | None = None,
    connections: dict[str, str] | None = None,
) -> dict[str, Any]:
    spec = registry.get("mail.send")
    # A dict is the Connections port (name -> URL) as the runtimes fill it.
    services: dict[str, Any] = {"connections": connections or {}}
    if files is not None:
        services["files"] = files
    context = ComponentContext(process_id="p1", element_id="Mail", services=services)
    result: dict[str, Any] = invoke.run(spec, invoke.parse_input(spec, inputs), context)
    return result


def server_of(smtp: SmtpServer, **more: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": smtp.port,
        "secure": smtp.implicit_tls,
        "user": USER,
        "password": PASSWORD,
        **more,
    }


def failure(
    inputs: dict[str, Any],
    files: MemoryFiles | None = None,
    connections: dict[str, str] | None = None,
) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        send(inputs, files, connections)
    return caught.value


def parsed(content: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(content)
    assert isinstance(message, EmailMessage)
    return message


def raw_header(content: bytes, name: str) -> bytes:
    """A header exactly as it was on the wire, its folding lines joined."""
    head = content.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    for i, line in enumerate(lines):
        if line.lower().startswith(name.lower().encode() + b":"):
            value = [line]
            value += [x for x in _continuations(lines[i + 1 :])]
            return b"\r\n".join(value)
    raise AssertionError(f"no {name} header in {head!r}")


def rfc2231_filename(part: EmailMessage) -> str:
    """The `filename*` parameter as written, its `filename*0*`, `filename*1*`... joined."""
    [raw] = [v for k, v in part.raw_items() if k.lower() == "content-disposition"]
    sections = re.findall(r"filename\*(?:(\d+)\*)?=([^;\s]+)", str(raw))
    assert sections, raw
    return "".join(value for _, value in sorted(sections, key=lambda s: int(s[0] or 0)))


def _continuations(lines: list[bytes]) -> Iterator[bytes]:
    for line in lines:
        if not line[:1].isspace():
            return
        yield line


# --- the message ---------------------------------------------------------------------------


def test_a_cyrillic_message_with_both_bodies_and_three_attachments_arrives_as_sent(
    smtp: SmtpServer, web: str
) -> None:
    files = MemoryFiles()
    stored = files.put("Счёт №42.pdf", "application/pdf", PDF)

    result = send(
        server_of(smtp)
        | {
            "from": "Бипиум Робот <robot@example.com>",
            "to": ["Иван Петров <ivan@example.com>", "b@example.org"],
            "cc": "Мария Иванова <maria@example.com>",
            "bcc": "audit@example.com",
            "replyTo": "Отдел продаж <sales@example.com>",
            "subject": SUBJECT,
            "text": TEXT,
            "html": HTML,
            "attachments": [
                stored.id,
                {
                    "name": "Договор поставки.docx",
                    "type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "contentBase64": base64.b64encode(DOCX).decode(),
                },
                {"url": f"{web}/files/logo.png?size=big", "title": "Логотип.png"},
            ],
        },
        files,
    )

    [received] = smtp.received
    assert received.login == USER
    assert received.mail_from == "robot@example.com"
    # Bcc is in the envelope only.
    assert received.rcpt_tos == [
        "ivan@example.com",
        "b@example.org",
        "maria@example.com",
        "audit@example.com",
    ]
    content = received.content
    assert content.isascii(), "the message is 7-bit clean"
    assert b"audit@example.com" not in content and b"\nBcc:" not in content

    message = parsed(content)
    assert message["Message-ID"] == result["messageId"]
    assert result["messageId"].startswith("<") and result["messageId"].endswith("@example.com>")
    assert message["Subject"] == SUBJECT
    assert raw_header(content, "Subject").startswith(b"Subject: =?utf-8?")
    assert str(message["From"]) == "Бипиум Робот <robot@example.com>"
    assert message["From"].addresses[0].display_name == "Бипиум Робот"
    assert b"=?utf-8?" in raw_header(content, "From") and b"<robot@example.com>" in raw_header(
        content, "From"
    )
    assert [a.addr_spec for a in message["To"].addresses] == ["ivan@example.com", "b@example.org"]
    assert message["To"].addresses[0].display_name == "Иван Петров"
    assert str(message["Cc"]) == "Мария Иванова <maria@example.com>"
    assert str(message["Reply-To"]) == "Отдел продаж <sales@example.com>"
    assert message["Date"].datetime.tzinfo is not None
    assert message["MIME-Version"] == "1.0"

    assert message.get_content_type() == "multipart/mixed"
    alternative, pdf, docx, png = message.iter_parts()
    text, html = alternative.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    # Text travels with CRLF line ends (MIME's canonical form) and comes back as it was.
    assert text.get_payload(decode=True) == TEXT.replace("\n", "\r\n").encode("utf-8")
    assert html.get_payload(decode=True) == HTML.replace("\n", "\r\n").encode("utf-8")

    expected = [
        (pdf, "Счёт №42.pdf", "application/pdf", PDF),
        (
            docx,
            "Договор поставки.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DOCX,
        ),
        (png, "Логотип.png", "image/png", PNG),
    ]
    for part, name, media, data in expected:
        assert part.get_content_disposition() == "attachment"
        assert part.get_filename() == name
        assert part.get_content_type() == media
        assert part.get_payload(decode=True) == data
        assert part["Content-Transfer-Encoding"] == "base64"
        assert "MIME-Version" not in part
        # RFC 2231 on the wire: the name percent-encoded in UTF-8, maybe in numbered sections.
        assert rfc2231_filename(part) == f"utf-8''{quote(name, safe='')}"


def test_html_only_and_text_only_messages_are_single_parts(smtp: SmtpServer) -> None:
    send(server_of(smtp) | {"from": "robot@example.com", "to": "a@example.com", "html": HTML})
    send(server_of(smtp) | {"from": "robot@example.com", "to": "a@example.com", "text": TEXT})

    html, text = (parsed(r.content) for r in smtp.received)
    assert html.get_content_type() == "text/html"
    assert html.get_content() == HTML.replace("\n", "\r\n")
    assert text.get_content_type() == "text/plain"
    assert text.get_content() == TEXT.replace("\n", "\r\n")


def test_a_line_break_in_the_subject_cannot_add_a_header(smtp: SmtpServer) -> None:
    send(
        server_of(smtp)
        | {
            "from": "robot@example.com",
            "to": "a@example.com",
            "subject": "Hello\r\nBcc: victim@example.net",
            "text": "x",
        }
    )

    [received] = smtp.received
    message = parsed(received.content)
    assert message["Subject"] == "Hello Bcc: victim@example.net"
    assert message["Bcc"] is None
    assert received.rcpt_tos == ["a@example.com"]


def test_an_idn_domain_is_written_in_punycode(smtp: SmtpServer) -> None:
    send(server_of(smtp) | {"from": "robot@example.com", "to": "Иван <ivan@пример.рф>"})

    [received] = smtp.received
    assert received.rcpt_tos == ["ivan@xn--e1afmkfd.xn--p1ai"]
    assert parsed(received.content)["To"].addresses[0].domain == "xn--e1afmkfd.xn--p1ai"


def test_tls_from_the_first_byte_works_too(smtps: SmtpServer) -> None:
    result = send(
        server_of(smtps) | {"from": "robot@example.com", "to": "a@example.com", "text": "hi"}
    )

    [received] = smtps.received
    assert parsed(received.content)["Message-ID"] == result["messageId"]
    assert received.login == USER


def test_a_named_connection_is_the_operators_and_may_be_private(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV)
    url = f"smtp://{quote(USER)}:{quote(PASSWORD)}@127.0.0.1:{smtp.port}"

    send(
        {"connection": "outbox", "from": "robot@example.com", "to": "a@example.com"},
        connections={"outbox": url},
    )

    assert [r.login for r in smtp.received] == [USER]


# --- failures ------------------------------------------------------------------------------


def test_a_wrong_password_is_mail_auth_and_never_shown(smtp: SmtpServer) -> None:
    failed = failure(
        server_of(smtp, password="wrong-Пароль") | {"from": "robot@example.com", "to": "a@b.c"}
    )

    assert failed.code == "mail.auth"
    assert USER in failed.message and "wrong-Пароль" not in failed.message
    assert smtp.received == []


def test_a_refused_recipient_sends_the_message_to_nobody(smtp: SmtpServer) -> None:
    smtp.refuse = {"ghost@example.com"}

    failed = failure(
        server_of(smtp)
        | {"from": "robot@example.com", "to": ["a@example.com", "ghost@example.com"]}
    )

    assert failed.code == "mail.rejected"
    assert "ghost@example.com (550 5.1.1 no such mailbox here)" in failed.message
    assert "a@example.com" not in failed.message
    assert smtp.received == []


def test_a_server_without_starttls_gets_no_password(
    cert: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller

    logins: list[str] = []

    class Handler:
        async def handle_AUTH(self, *args: Any) -> str:
            logins.append("auth")
            return "535 no"

    port = free_port()
    plain = Controller(Handler(), hostname="127.0.0.1", port=port, auth_require_tls=False)
    plain.start()
    try:
        failed = failure(
            {
                "host": "127.0.0.1",
                "port": port,
                "secure": False,
                "user": USER,
                "password": PASSWORD,
                "from": "robot@example.com",
                "to": "a@example.com",
            }
        )
    finally:
        plain.stop()

    assert failed.code == "mail.connection"
    assert "STARTTLS" in failed.message
    assert logins == []


def test_an_untrusted_certificate_is_refused(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CA_FILE_ENV)

    failed = failure(server_of(smtp) | {"from": "robot@example.com", "to": "a@example.com"})

    assert failed.code == "mail.connection"
    assert "certificate" in failed.message
    assert smtp.logins == []


def test_a_private_host_given_by_the_scenario_is_refused_before_connecting(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV)

    failed = failure(server_of(smtp) | {"from": "robot@example.com", "to": "a@example.com"})

    assert failed.code == "mail.forbidden_address"
    assert "127.0.0.1" in failed.message and "loopback" in failed.message
    assert smtp.logins == [] and smtp.received == []


def test_an_attachment_url_to_a_private_address_is_forbidden(
    smtp: SmtpServer, web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SMTP server is the operator's; the URL is the scenario's and passes the guard.
    url = f"smtp://{quote(USER)}:{quote(PASSWORD)}@127.0.0.1:{smtp.port}"
    monkeypatch.delenv(ALLOW_PRIVATE_ENV)

    failed = failure(
        {
            "connection": "outbox",
            "from": "robot@example.com",
            "to": "a@example.com",
            "attachments": {"url": f"{web}/files/logo.png?size=big"},
        },
        connections={"outbox": url},
    )

    assert failed.code == "mail.forbidden_address"
    assert smtp.received == []


@pytest.mark.parametrize(
    ("attachment", "says"),
    [
        ("f_missing", "no stored file 'f_missing'"),
        ({"name": "a.bin", "contentBase64": "not base64!"}, "not base64"),
        ({"url": "http://127.0.0.1:9/nothing.pdf"}, "attachment"),
    ],
)
def test_an_attachment_that_cannot_be_had_is_mail_attachment(
    smtp: SmtpServer, attachment: Any, says: str
) -> None:
    failed = failure(
        server_of(smtp)
        | {"from": "robot@example.com", "to": "a@example.com", "attachments": [attachment]},
        MemoryFiles(),
    )

    assert failed.code == "mail.attachment"
    assert says in failed.message
    assert smtp.received == []


def test_a_server_that_never_answers_times_out_as_mail_connection(cert: Certificate) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        failed = failure(
            {
                "host": "127.0.0.1",
                "port": silent.getsockname()[1],
                "secure": False,
                "timeoutSeconds": 0.5,
                "from": "robot@example.com",
                "to": "a@example.com",
            }
        )
    finally:
        silent.close()

    assert failed.code == "mail.connection"
    assert "timed out" in failed.message or "no answer" in failed.message


def test_a_closed_port_is_mail_connection(cert: Certificate) -> None:
    failed = failure(
        {
            "host": "127.0.0.1",
            "port": free_port(),
            "from": "robot@example.com",
            "to": "a@example.com",
        }
    )

    assert failed.code == "mail.connection"
    assert "cannot connect" in failed.message


# --- inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "inputs",
    [
        {"from": "not an address", "to": "a@example.com"},
        {"from": "a@example.com, b@example.com", "to": "c@example.com"},
        {"from": "robot@example.com"},
        {"from": "robot@example.com", "to": "a@"},
        {"from": "robot@example.com", "to": "a@example.com", "attachments": [{"name": "x"}]},
        {"from": "robot@example.com", "to": "a@example.com", "sender": "x@example.com"},
    ],
)
def test_inputs_that_do_not_make_a_message_are_refused(inputs: dict[str, Any]) -> None:
    spec = registry.get("mail.send")

    with pytest.raises(ComponentInputInvalid):
        invoke.parse_input(spec, {"host": "smtp.example.com", **inputs})


def test_the_component_lists_its_inputs_by_the_names_a_scenario_writes() -> None:
    spec = registry.get("mail.send")

    assert "from" in spec.input_names and "sender" not in spec.input_names
    assert spec.shape == registry.BUILTIN["mail.send"]
    assert "from" in spec.input_model.model_json_schema(by_alias=True)["properties"]
