"""`mail.receive` against a real IMAP server: Debian's dovecot, started by these tests with a
configuration of their own (a loopback port for STARTTLS and one for TLS, a passwd-file user per
test, maildirs in a fresh folder, a self-signed certificate made here).

Messages are appended over IMAP as raw bytes, in UTF-8, KOI8-R and Windows-1251, quoted-printable
and base64, with attachments; they must come back decoded, the criteria must select the right
ones, and what the component does to the mailbox (seen flags, moves) is checked through a
separate IMAP session. Without dovecot the tests are skipped with the reason (a failure under
AUTOMATIONS_REQUIRE_CONFORMANCE=1, as in CI).
"""

from __future__ import annotations

import asyncio
import base64
import imaplib
import quopri
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from automations.components import invoke, mail_receive, registry
from automations.components.errors import ComponentFailed, ComponentInputInvalid
from automations.components.mail_common import CA_FILE_ENV
from automations.components.registry import ComponentContext
from support.mail_servers import (
    PASSWORD,
    Dovecot,
    MemoryFiles,
    certificate,
    dovecot_binary,
    dovecot_root,
)

ALLOW_PRIVATE_ENV = "AUTOMATIONS_HTTP_ALLOW_PRIVATE"

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 3 + b"%%EOF\n"
BIN = bytes(reversed(range(256))) * 2
CSV_TEXT = "Товар;Цена\r\nЧайник;1500\r\nЁлка;900\r\n"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    binary = dovecot_binary()
    root = dovecot_root()
    server = Dovecot(binary, certificate(root), root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class Mailbox:
    """One test's own mailbox on the shared server, and the test's own IMAP sessions to it."""

    server: Dovecot
    user: str

    def session(self) -> imaplib.IMAP4_SSL:
        context = self.server.certificate.client_context()
        client = imaplib.IMAP4_SSL("127.0.0.1", self.server.tls_port, ssl_context=context)
        client.authenticate("PLAIN", lambda _: f"\0{self.user}\0{PASSWORD}".encode())
        return client

    def append(
        self, raw: bytes, flags: str = "", when: datetime | None = None, folder: str = "INBOX"
    ) -> None:
        client = self.session()
        try:
            moment = imaplib.Time2Internaldate(when) if when else None
            typ, data = client.append(folder, f"({flags})" if flags else None, moment, raw)
            assert typ == "OK", data
        finally:
            client.logout()

    def create_folder(self, name: str) -> str:
        """Create `name` (UTF-8) with doveadm; its name on the wire, as the server lists it."""
        before = self._folders()
        self.server.doveadm("mailbox", "create", "-u", self.user, name)
        created = self._folders() - before
        # A folder inside a new parent creates the parent too: the deepest one is `name`.
        return max(created, key=lambda wire: wire.count("/"))

    def _folders(self) -> set[str]:
        client = self.session()
        try:
            _, listed = client.list()
        finally:
            client.logout()
        return {
            re.sub(rb'^\([^)]*\) "/" ', b"", line).decode("ascii").strip('"')
            for line in listed
            if isinstance(line, bytes)
        }

    def contents(self, folder: str = "INBOX") -> dict[str, set[str]]:
        """Message-ID -> flags of every message in `folder` (name as on the wire)."""
        client = self.session()
        try:
            typ, _ = client.select(folder, readonly=True)
            assert typ == "OK"
            typ, data = client.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            found: dict[str, set[str]] = {}
            for entry in data:
                if isinstance(entry, tuple):
                    flags = re.search(rb"FLAGS \(([^)]*)\)", entry[0])
                    message_id = entry[1].decode().split(":", 1)[1].strip()
                    listed = set(flags.group(1).decode().split()) if flags else set()
                    # \Recent says which session saw it first, not what the component did.
                    found[message_id] = listed - {"\\Recent"}
            return found
        finally:
            client.logout()

    def inputs(self, **more: Any) -> dict[str, Any]:
        return {
            "host": "127.0.0.1",
            "port": self.server.starttls_port,
            "secure": False,
            "user": self.user,
            "password": PASSWORD,
            **more,
        }


@pytest.fixture
def mailbox(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    monkeypatch.setenv(CA_FILE_ENV, str(dovecot.certificate.cert))
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")  # the server is on 127.0.0.1
    return Mailbox(dovecot, dovecot.next_user())


def receive(
    inputs: dict[str, Any],
    files: MemoryFiles | None = None,
    connections: dict[str, str] | None = None,
) -> dict[str, Any]:
    spec = registry.get("mail.receive")
    # A dict is the Connections port (name -> URL) as the runtimes fill it.
    services: dict[str, Any] = {"connections": connections or {}}
    if files is not None:
        services["files"] = files
    context = ComponentContext(process_id="p1", element_id="Read", services=services)
    result: dict[str, Any] = invoke.run(spec, invoke.parse_input(spec, inputs), context)
    return result


def failure(inputs: dict[str, Any], files: MemoryFiles | None = None) -> ComponentFailed:
    with pytest.raises(ComponentFailed) as caught:
        receive(inputs, files)
    return caught.value


def subjects(result: dict[str, Any]) -> list[str]:
    return [m["subject"] for m in result["messages"]]


# --- messages, written byte by byte -----------------------------------------------------------


def word(text: str, charset: str, encoding: str = "B") -> str:
    """An RFC 2047 encoded-word."""
    data = text.encode(charset)
    if encoding == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    return f"=?{charset}?Q?{quopri.encodestring(data, header=True).decode()}?="


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp(text: str, charset: str) -> bytes:
    return quopri.encodestring(text.encode(charset)).replace(b"\n", b"\r\n")


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


def simple(subject: str, message_id: str | None = None) -> bytes:
    message_id = message_id or f"<{subject}@example.com>"
    return crlf(
        f"From: sender@example.com\nTo: orders@example.com\nSubject: {subject}\n"
        f"Message-ID: {message_id}\nDate: Mon, 03 Jun 2024 12:00:00 +0000\n\nbody of {subject}\n"
    )


UTF8_TEXT = "Добрый день!\nПрошу выставить счёт на 1 500 ₽ — срочно.\n"
UTF8_HTML = "<p>Добрый день!</p><p>Прошу выставить <b>счёт</b>.</p>\n"


def utf8_message() -> bytes:
    head = crlf(
        f"From: {word('Иван Петров', 'utf-8')} <ivan@example.com>\n"
        f"To: {word('Отдел заказов', 'utf-8', 'Q')} <orders@example.com>, second@example.com\n"
        f"Subject: {word('Заказ №1 — чайник', 'utf-8')}\n"
        "Date: Mon, 03 Jun 2024 12:00:00 +0300\n"
        "Message-ID: <a-1@example.com>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="outer"\n\n'
        "--outer\n"
        'Content-Type: multipart/alternative; boundary="inner"\n\n'
        "--inner\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
    )
    return (
        head
        + qp(UTF8_TEXT, "utf-8")
        + crlf(
            "\n--inner\nContent-Type: text/html; charset=UTF-8\n"
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(UTF8_HTML.encode())
        + crlf(
            "--inner--\n\n--outer\nContent-Type: application/pdf\n"
            "Content-Disposition: attachment;\n"
            f" filename*=utf-8''{quote('Счёт №1.pdf')}\n"
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(PDF)
        + crlf("--outer--\n")
    )


KOI_TEXT = "Привет!\nДоставка в пятницу, ёлки в наличии.\n"


def koi8_message() -> bytes:
    name = word("Накладная.bin", "koi8-r")
    return (
        crlf(
            f"From: {word('Пётр Сидоров', 'koi8-r')} <petr@example.ru>\n"
            "To: orders@example.com\n"
            f"Cc: {word('Главбух', 'koi8-r', 'Q')} <buh@example.ru>, copy@example.ru\n"
            f"Subject: {word('Заказ 2: доставка в пятницу', 'koi8-r')}\n"
            "Date: Tue, 04 Jun 2024 09:30:00 +0300\n"
            "Message-ID: <b-2@example.ru>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="k"\n\n'
            "--k\n"
            'Content-Type: text/plain; charset="koi8-r"\n'
            "Content-Transfer-Encoding: quoted-printable\n\n"
        )
        + qp(KOI_TEXT, "koi8-r")
        + crlf(
            "\n--k\n"
            f'Content-Type: application/octet-stream; name="{name}"\n'
            f'Content-Disposition: attachment; filename="{name}"\n'
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(BIN)
        + crlf("--k--\n")
    )


CP_TEXT = "Счёт №3 во вложении.\nОплатите до пятницы.\n"
CP_HTML = "<p>Счёт №3 от ООО «Ромашка»</p>\n"


def cp1251_message() -> bytes:
    return (
        crlf(
            f"From: {word('Анна Кузнецова', 'windows-1251', 'Q')} <anna@example.ru>\n"
            "To: orders@example.com\n"
            f"Subject: {word('Счёт №3 от ООО «Ромашка»', 'windows-1251', 'Q')}\n"
            "Date: Wed, 05 Jun 2024 18:00:00 +0000\n"
            "Message-ID: <c-3@example.ru>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="c1"\n\n'
            "--c1\n"
            'Content-Type: multipart/alternative; boundary="c2"\n\n'
            "--c2\n"
            "Content-Type: text/plain; charset=windows-1251\n"
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(CP_TEXT.replace("\n", "\r\n").encode("windows-1251"))
        + crlf("\n--c2\nContent-Type: text/html; charset=windows-1251\n")
        + crlf("Content-Transfer-Encoding: 8bit\n\n")
        + CP_HTML.replace("\n", "\r\n").encode("windows-1251")
        + crlf(
            # The line end before a boundary belongs to the boundary.
            "\n--c2--\n\n--c1\n"
            "Content-Type: text/csv; charset=windows-1251\n"
            "Content-Disposition: attachment;"
            f" filename*=windows-1251''{quote('Счёт.csv'.encode('windows-1251'))}\n"
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(CSV_TEXT.encode("windows-1251"))
        + crlf("--c1--\n")
    )


def unlabelled_message() -> bytes:
    """Raw 8-bit Windows-1251 in the subject and the body, with no charset anywhere."""
    return (
        b"From: old-client@example.ru\r\nTo: orders@example.com\r\n"
        + b"Subject: "
        + "Без кодировки".encode("windows-1251")
        + b"\r\nMessage-ID: <d-4@example.ru>\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "Старый почтовый клиент.\r\n".encode("windows-1251")
    )


# --- decoding ---------------------------------------------------------------------------------


def test_messages_in_three_charsets_come_back_decoded_with_their_attachments(
    mailbox: Mailbox,
) -> None:
    for raw in (utf8_message(), koi8_message(), cp1251_message(), unlabelled_message()):
        mailbox.append(raw)
    files = MemoryFiles()

    result = receive(mailbox.inputs(criteria="all"), files)

    assert result["total"] == 4
    utf8, koi8, cp1251, unlabelled = result["messages"]

    assert utf8["messageId"] == "<a-1@example.com>"
    assert utf8["from"] == {"name": "Иван Петров", "address": "ivan@example.com"}
    assert utf8["to"] == [
        {"name": "Отдел заказов", "address": "orders@example.com"},
        {"name": "", "address": "second@example.com"},
    ]
    assert utf8["cc"] == []
    assert utf8["subject"] == "Заказ №1 — чайник"
    assert utf8["date"] == "2024-06-03T09:00:00.000Z"
    assert utf8["text"] == UTF8_TEXT
    assert utf8["html"] == UTF8_HTML
    assert utf8["truncated"] is False
    [pdf] = utf8["attachments"]
    assert (pdf["name"], pdf["type"], pdf["size"]) == ("Счёт №1.pdf", "application/pdf", len(PDF))
    assert files.read(pdf["fileId"]) is not None
    stored, data = files.read(pdf["fileId"]) or (None, b"")
    assert data == PDF and stored is not None and stored.name == "Счёт №1.pdf"

    assert koi8["from"] == {"name": "Пётр Сидоров", "address": "petr@example.ru"}
    assert koi8["cc"] == [
        {"name": "Главбух", "address": "buh@example.ru"},
        {"name": "", "address": "copy@example.ru"},
    ]
    assert koi8["subject"] == "Заказ 2: доставка в пятницу"
    assert koi8["text"] == KOI_TEXT
    assert koi8["html"] == ""
    [binary] = koi8["attachments"]
    assert (binary["name"], binary["type"], binary["size"]) == (
        "Накладная.bin",
        "application/octet-stream",
        len(BIN),
    )
    assert (files.read(binary["fileId"]) or (None, b""))[1] == BIN

    assert cp1251["from"] == {"name": "Анна Кузнецова", "address": "anna@example.ru"}
    assert cp1251["subject"] == "Счёт №3 от ООО «Ромашка»"
    assert cp1251["date"] == "2024-06-05T18:00:00.000Z"
    assert cp1251["text"] == CP_TEXT
    assert cp1251["html"] == CP_HTML
    [csv] = cp1251["attachments"]
    assert (csv["name"], csv["type"]) == ("Счёт.csv", "text/csv")
    # An attachment is kept as it was sent: its bytes, in its own charset.
    assert (files.read(csv["fileId"]) or (None, b""))[1] == CSV_TEXT.encode("windows-1251")

    assert unlabelled["subject"] == "Без кодировки"
    assert unlabelled["text"] == "Старый почтовый клиент.\n"
    assert unlabelled["date"] is not None  # no Date header: the arrival time

    assert len(files.files) == 3


def test_text_is_cut_at_max_text_chars_and_says_so(mailbox: Mailbox) -> None:
    mailbox.append(utf8_message())

    [message] = receive(mailbox.inputs(criteria="all", maxTextChars=12), MemoryFiles())["messages"]

    assert message["text"] == UTF8_TEXT[:12]
    assert message["html"] == UTF8_HTML[:12]
    assert message["truncated"] is True


def test_a_message_over_the_size_limit_is_read_by_its_headers_only(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox.append(utf8_message())
    monkeypatch.setattr(mail_receive, "MAX_MESSAGE_BYTES", 1000)
    files = MemoryFiles()

    [message] = receive(mailbox.inputs(criteria="all"), files)["messages"]

    assert message["subject"] == "Заказ №1 — чайник"
    assert message["from"]["address"] == "ivan@example.com"
    assert (message["text"], message["html"], message["attachments"]) == ("", "", [])
    assert message["truncated"] is True
    assert files.files == {}


def test_attachments_can_be_listed_without_keeping_them(mailbox: Mailbox) -> None:
    mailbox.append(utf8_message())
    files = MemoryFiles()

    [message] = receive(mailbox.inputs(criteria="all", saveAttachments=False), files)["messages"]

    assert message["attachments"] == [
        {"fileId": None, "name": "Счёт №1.pdf", "type": "application/pdf", "size": len(PDF)}
    ]
    assert files.files == {}


def test_attachments_with_no_file_store_fail_as_mail_attachment(mailbox: Mailbox) -> None:
    mailbox.append(utf8_message())

    failed = failure(mailbox.inputs(criteria="all", markSeen=True), files=None)

    assert failed.code == "mail.attachment"
    assert "Счёт №1.pdf" in failed.message
    assert mailbox.contents() == {"<a-1@example.com>": set()}  # nothing was marked


def test_an_attachment_the_file_store_refuses_is_mail_attachment(mailbox: Mailbox) -> None:
    mailbox.append(utf8_message())

    failed = failure(mailbox.inputs(criteria="all"), MemoryFiles(max_bytes=100))

    assert failed.code == "mail.attachment"
    assert "larger than 100 bytes" in failed.message


# --- choosing messages ------------------------------------------------------------------------


def test_each_criterion_selects_its_messages(mailbox: Mailbox) -> None:
    first = mailbox.session()
    for subject, flags in [
        ("plain", ""),
        ("seen", r"\Seen"),
        ("answered", r"\Seen \Answered"),
        ("draft", r"\Draft"),
        ("flagged", r"\Seen \Flagged"),
        ("deleted", r"\Seen \Deleted"),
    ]:
        first.append("INBOX", f"({flags})" if flags else None, None, simple(subject))
    first.select("INBOX")  # this session sees them first: they are no longer recent to others
    first.logout()
    mailbox.append(simple("fresh"))
    mailbox.append(simple("fresh-seen"), r"\Seen")

    expected = {
        "all": ["plain", "seen", "answered", "draft", "flagged", "deleted", "fresh", "fresh-seen"],
        "answered": ["answered"],
        "draft": ["draft"],
        "deleted": ["deleted"],
        "new": ["fresh"],
        "recent": ["fresh", "fresh-seen"],
        "unseen": ["plain", "draft", "fresh"],
        "unflagged": ["plain", "seen", "answered", "draft", "deleted", "fresh", "fresh-seen"],
    }
    found = {
        criteria: subjects(receive(mailbox.inputs(criteria=criteria, limit=100)))
        for criteria in expected
    }

    assert found == expected
    # Reading (read-only, BODY.PEEK) changed nothing on the server.
    assert mailbox.contents()["<plain@example.com>"] == set()


def test_since_and_before_compare_arrival_times_to_the_second(mailbox: Mailbox) -> None:
    moscow = timezone(timedelta(hours=3))
    for subject, when in [
        ("old", datetime(2020, 1, 1, 8, 0, tzinfo=UTC)),
        ("early", datetime(2024, 6, 1, 10, 0, tzinfo=UTC)),
        ("noon", datetime(2024, 6, 1, 12, 0, tzinfo=UTC)),
        ("later", datetime(2024, 6, 3, 9, 0, tzinfo=moscow)),
    ]:
        mailbox.append(simple(subject), when=when)

    def chosen(**criteria: Any) -> list[str]:
        return subjects(receive(mailbox.inputs(criteria="all", **criteria)))

    assert chosen(since="2024-06-01T11:00:00Z") == ["noon", "later"]
    assert chosen(since="Sat, 01 Jun 2024 10:00:00 +0000") == ["early", "noon", "later"]
    assert chosen(since="2024-06-01T13:00:00+03:00") == ["early", "noon", "later"]  # 10:00Z
    assert chosen(since="2024-06-01T13:00:01+03:00") == ["noon", "later"]
    assert chosen(before="2024-06-01T12:00:00") == ["old", "early"]  # no zone: UTC
    assert chosen(since="2024-06-01T00:00:00Z", before="2024-06-03T06:00:00Z") == ["early", "noon"]


def test_sender_and_subject_are_searched_on_the_server_beyond_ascii(mailbox: Mailbox) -> None:
    for raw in (utf8_message(), koi8_message(), cp1251_message()):
        mailbox.append(raw)

    def chosen(**criteria: Any) -> list[str]:
        return [
            m["messageId"]
            for m in receive(mailbox.inputs(criteria="all", **criteria), MemoryFiles())["messages"]
        ]

    assert chosen(subject="Ромашка") == ["<c-3@example.ru>"]
    assert chosen(subject="заказ") == ["<a-1@example.com>", "<b-2@example.ru>"]
    assert chosen(**{"from": "Пётр"}) == ["<b-2@example.ru>"]
    assert chosen(**{"from": "example.ru", "subject": "Заказ"}) == ["<b-2@example.ru>"]
    assert chosen(**{"from": "nobody@example.net"}) == []


def test_limit_reads_the_oldest_and_total_counts_every_message_found(mailbox: Mailbox) -> None:
    for subject in ("first", "second", "third"):
        mailbox.append(simple(subject))

    result = receive(mailbox.inputs(criteria="all", limit=2))

    assert subjects(result) == ["first", "second"]
    assert result["total"] == 3
    assert result["messages"][0]["uid"] < result["messages"][1]["uid"]


def test_a_folder_beyond_ascii_is_read(mailbox: Mailbox) -> None:
    wire = mailbox.create_folder("Входящие/Заказы")
    mailbox.append(simple("in-folder"), folder=wire)

    result = receive(mailbox.inputs(criteria="all", folder="Входящие/Заказы"))

    assert subjects(result) == ["in-folder"]


# --- what reading does to the mailbox -------------------------------------------------------


def test_reading_alone_leaves_the_messages_unseen(mailbox: Mailbox) -> None:
    mailbox.append(simple("one"))

    assert subjects(receive(mailbox.inputs())) == ["one"]  # criteria: unseen by default
    assert subjects(receive(mailbox.inputs())) == ["one"]
    assert mailbox.contents() == {"<one@example.com>": set()}


def test_mark_seen_flags_the_messages_read_on_the_server(mailbox: Mailbox) -> None:
    for subject in ("one", "two", "three"):
        mailbox.append(simple(subject))

    assert subjects(receive(mailbox.inputs(markSeen=True, limit=2))) == ["one", "two"]

    flags = mailbox.contents()
    assert r"\Seen" in flags["<one@example.com>"] and r"\Seen" in flags["<two@example.com>"]
    assert r"\Seen" not in flags["<three@example.com>"]
    assert subjects(receive(mailbox.inputs(markSeen=True))) == ["three"]
    assert subjects(receive(mailbox.inputs())) == []


def test_move_to_moves_the_messages_read_to_that_folder(mailbox: Mailbox) -> None:
    wire = mailbox.create_folder("Обработанные")
    for subject in ("one", "two"):
        mailbox.append(simple(subject))

    result = receive(mailbox.inputs(moveTo="Обработанные", markSeen=True, limit=1))

    assert subjects(result) == ["one"]
    assert mailbox.contents() == {"<two@example.com>": set()}
    moved = mailbox.contents(wire)
    assert list(moved) == ["<one@example.com>"]
    assert r"\Seen" in moved["<one@example.com>"]


def test_a_move_to_a_missing_folder_fails_before_anything_is_changed(mailbox: Mailbox) -> None:
    mailbox.append(simple("one"))

    failed = failure(mailbox.inputs(moveTo="Нет такой", markSeen=True))

    assert failed.code == "mail.folder"
    assert "Нет такой" in failed.message
    assert mailbox.contents() == {"<one@example.com>": set()}


def test_a_missing_folder_is_mail_folder(mailbox: Mailbox) -> None:
    failed = failure(mailbox.inputs(folder="Archive/2023"))

    assert failed.code == "mail.folder"
    assert "Archive/2023" in failed.message


# --- the connection ---------------------------------------------------------------------------


def test_tls_from_the_first_byte_works_too(mailbox: Mailbox) -> None:
    mailbox.append(simple("one"))

    result = receive(mailbox.inputs(port=mailbox.server.tls_port, secure=True))

    assert subjects(result) == ["one"]


def test_a_named_connection_is_the_operators_and_may_be_private(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV)
    url = f"imaps://{quote(mailbox.user)}:{quote(PASSWORD)}@127.0.0.1:{mailbox.server.tls_port}"
    mailbox.append(simple("one"))

    assert subjects(receive({"connection": "orders"}, connections={"orders": url})) == ["one"]


def test_a_wrong_password_is_mail_auth_and_never_shown(mailbox: Mailbox) -> None:
    failed = failure(mailbox.inputs(password="wrong-Пароль"))

    assert failed.code == "mail.auth"
    assert mailbox.user in failed.message and "wrong-Пароль" not in failed.message


def test_an_untrusted_certificate_is_refused(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CA_FILE_ENV)

    failed = failure(mailbox.inputs())

    assert failed.code == "mail.connection"
    assert "certificate" in failed.message


def test_a_private_host_given_by_the_scenario_is_refused(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV)

    failed = failure(mailbox.inputs())

    assert failed.code == "mail.forbidden_address"
    assert "loopback" in failed.message


@pytest.mark.parametrize(
    "inputs",
    [
        {"criteria": "important"},
        {"since": "yesterday"},
        {"limit": 0},
        {"limit": 101},
        {"folder": "INBOX\r\nA1 DELETE INBOX"},
        {"markSeen": True, "unknown": 1},
    ],
)
def test_inputs_that_do_not_make_a_search_are_refused(inputs: dict[str, Any]) -> None:
    spec = registry.get("mail.receive")

    with pytest.raises(ComponentInputInvalid):
        invoke.parse_input(spec, {"host": "imap.example.com", **inputs})


def test_the_component_lists_its_inputs_by_the_names_a_scenario_writes() -> None:
    spec = registry.get("mail.receive")

    assert spec.shape == registry.BUILTIN["mail.receive"]
    schema = spec.result_model.model_json_schema(by_alias=True)
    assert "from" in schema["$defs"]["MailMessage"]["properties"]


def test_folder_names_are_written_as_rfc_3501_and_dovecot_write_them(mailbox: Mailbox) -> None:
    # RFC 3501 5.1.3's own example, then names created by doveadm (from UTF-8) as listed.
    assert (
        mail_receive.folder_name("~peter/mail/台北/日本語") == b'"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'
    )
    assert mail_receive.folder_name('Say "hi" \\ bye') == b'"Say \\"hi\\" \\\\ bye"'
    for name in ("Входящие", "A&B", "Отчёты/2024 год", "Ёлка — 🎄"):
        wire = mailbox.create_folder(name)
        assert mail_receive.folder_name(name) == f'"{wire}"'.encode("ascii"), name


# --- the example ----------------------------------------------------------------------------


class Orders:
    """The records port, keeping what the scenario creates."""

    def __init__(self) -> None:
        self.created: list[tuple[str, dict[str, Any]]] = []

    def create(self, catalog_id: str, values: dict[str, Any]) -> str:
        self.created.append((catalog_id, values))
        return str(len(self.created))


def test_the_mailbox_example_creates_a_record_per_new_message_once(mailbox: Mailbox) -> None:
    from automations.adapters.local.scenario_files import ScenarioFolder
    from automations.asl import ComponentResolver, Engine, VirtualClock

    mailbox.append(utf8_message())
    mailbox.append(koi8_message())
    mailbox.append(simple("already seen"), r"\Seen")
    path = EXAMPLES / "read-orders-mailbox.bpmn"
    folder = ScenarioFolder(path.parent)
    orders = Orders()
    url = f"imaps://{quote(mailbox.user)}:{quote(PASSWORD)}@127.0.0.1:{mailbox.server.tls_port}"
    services = {
        "connections": {"orders-mailbox": url},
        "files": MemoryFiles(),
        "records": orders,
    }

    def run_once() -> dict[str, Any]:
        engine = Engine(ComponentResolver(folder.definition, services=services), VirtualClock())
        result = asyncio.run(engine.start(folder.load(path), {"$schedule": {}}, name="mail"))
        assert result.status == "SUCCEEDED", result.cause
        output: dict[str, Any] = result.output
        return output

    first = run_once()
    second = run_once()  # five minutes later: nothing new

    assert (first["created"], first["waiting"], second["created"]) == (2, 0, 0)
    assert orders.created == [
        ("1", {"1": "Заказ №1 — чайник", "4": f"From ivan@example.com: {UTF8_TEXT}"}),
        ("1", {"1": "Заказ 2: доставка в пятницу", "4": f"From petr@example.ru: {KOI_TEXT}"}),
    ]
    assert all(r"\Seen" in flags for flags in mailbox.contents().values())
