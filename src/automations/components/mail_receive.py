"""`mail.receive`: read messages from a mailbox over IMAP (the product's "Получение почты").

Inputs (the server: see `mail_common`; IMAP's ports are 993 with `secure`, 143 without):
- `folder` (default `INBOX`): names beyond ASCII are fine (`Входящие/Заказы`).
- `criteria` (default `unseen`): the product's categories, `all`, `answered`, `draft`,
  `deleted`, `new` (recent and unseen), `recent`, `unseen`, `unflagged`.
- `since` / `before`: a date or time, ISO 8601 (`2024-08-31T11:38:18Z`; no zone is UTC) or
  RFC 2822 (`Fri, 29 Dec 1995 11:24:28 +0000`): messages that arrived (IMAP's internal date)
  at or after `since`, and before `before`, to the second.
- `from`, `subject`: text the sender (name or address) or the subject contains (the server
  searches, case-insensitively; text beyond ASCII is searched as UTF-8).
- `limit` (default 10, at most 100): how many of the messages found are read, oldest first;
  `total` says how many were found.
- `markSeen` (default false): flag the messages read as seen. `moveTo`: a folder to move them
  to after reading (it must exist).
- `saveAttachments` (default true): keep each attachment in the file store; false lists them
  without their `fileId`.
- `maxTextChars` (default 10,000, at most 1,000,000): `text` and `html` are each cut to this
  many characters (then `truncated` is true). A message larger than 25 MB is not downloaded:
  its headers are read, its body is not (`truncated` true, no text, no attachments).
- `timeoutSeconds` (default 60, at most 300).

Result: `{messages: [{uid, messageId, from: {name, address}, to: [...], cc: [...], subject,
date, text, html, attachments: [{fileId, name, type, size}], truncated}], total}`. Headers
are decoded from RFC 2047 encoded-words in any charset Python knows (UTF-8, KOI8-R,
Windows-1251...), file names from RFC 2231 too; bodies from quoted-printable and base64 and
their declared charset. Text without a declared charset is read as UTF-8 when it is UTF-8,
and as Windows-1251 otherwise (the same for raw 8-bit headers). Line ends are `\\n`. `date`
is the `Date` header in UTC (the arrival time when the header is missing or broken).

Messages are downloaded with `BODY.PEEK`, so reading alone never marks them seen. Flags and
moves are applied after every message has been read and its attachments stored: a call that
fails leaves the mailbox as it was (a retry reads the same messages again).

Error codes:
- `mail.connection`: the server cannot be reached, does not answer in time, offers no
  STARTTLS, its certificate is not trusted, or it refuses a command.
- `mail.auth`: the user or password is refused.
- `mail.folder`: `folder` or `moveTo` does not exist (or cannot be opened).
- `mail.forbidden_address`: a host given by the scenario leads to an address that is not public.
- `mail.attachment`: an attachment could not be stored (too large for the file store, or no
  file store here).
"""

from __future__ import annotations

import base64
import contextlib
import email
import imaplib
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from automations.components.errors import ComponentFailed
from automations.components.mail_common import (
    ATTACHMENT,
    AUTH,
    CONNECTION,
    FILES_KEY,
    FORBIDDEN_ADDRESS,
    Deadline,
    Server,
    ServerInput,
    open_socket,
    server_of,
    talking_to,
    tls_context,
)
from automations.components.registry import ComponentContext, ComponentSpec, register
from automations.model.base import utc_iso

FOLDER = "mail.folder"
ERRORS = (CONNECTION, AUTH, FOLDER, FORBIDDEN_ADDRESS, ATTACHMENT)

MAX_LIMIT = 100
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
DEFAULT_TEXT_CHARS = 10_000
MAX_TEXT_CHARS = 1_000_000
FALLBACK_CHARSET = "windows-1251"

Criteria = Literal["all", "answered", "draft", "deleted", "new", "recent", "unseen", "unflagged"]
_SEARCH_KEYS: dict[str, str] = {
    "all": "ALL",
    "answered": "ANSWERED",
    "draft": "DRAFT",
    "deleted": "DELETED",
    "new": "NEW",
    "recent": "RECENT",
    "unseen": "UNSEEN",
    "unflagged": "UNFLAGGED",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------------------------------------
# Inputs and result


def _moment(value: Any) -> Any:
    """An ISO 8601 or RFC 2822 text as an aware datetime (no zone: UTC)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise ValueError(
                f"{value!r} is not a date (ISO 8601 like 2024-08-31T11:38:18Z, or RFC 2822)"
            ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MailReceiveInput(ServerInput):
    """What `mail.receive` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    folder: str = Field(default="INBOX", min_length=1, max_length=1000)
    criteria: Criteria = "unseen"
    since: datetime | None = None
    before: datetime | None = None
    sender: str | None = Field(default=None, alias="from", min_length=1, max_length=1000)
    subject: str | None = Field(default=None, min_length=1, max_length=1000)
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT)
    markSeen: bool = False
    moveTo: str | None = Field(default=None, min_length=1, max_length=1000)
    saveAttachments: bool = True
    maxTextChars: int = Field(default=DEFAULT_TEXT_CHARS, ge=0, le=MAX_TEXT_CHARS)
    timeoutSeconds: float = Field(default=60.0, gt=0, le=300.0)

    @field_validator("since", "before", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _moment(value)

    @field_validator("criteria", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("folder", "moveTo", "sender", "subject")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and any(c in value for c in "\r\n\0"):
            raise ValueError("must be one line of text")
        return value


class MailAddress(BaseModel):
    name: str
    address: str


class MailAttachment(BaseModel):
    fileId: str | None
    name: str
    type: str
    size: int


class MailMessage(BaseModel):
    """One message as a scenario sees it."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    uid: int
    messageId: str
    sender: MailAddress | None = Field(alias="from")
    to: list[MailAddress]
    cc: list[MailAddress]
    subject: str
    date: str | None
    text: str
    html: str
    attachments: list[MailAttachment]
    truncated: bool


class MailReceiveResult(BaseModel):
    """The messages read (at most `limit`, oldest first) and how many were found."""

    messages: list[MailMessage]
    total: int


# ---------------------------------------------------------------------------------------------
# IMAP


def folder_name(name: str) -> bytes:
    """A folder name as IMAP writes it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            packed = base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",")
            out.append(f"&{packed}-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{encoded}"'.encode("ascii")


class _PinnedIMAP(imaplib.IMAP4):
    """imaplib's client dialling the address the guard checked (TLS still checks the host's
    name), every command held to the call's deadline."""

    def __init__(self, server: Server, deadline: Deadline) -> None:
        self._server = server
        self._deadline = deadline
        super().__init__(server.host, server.port, timeout=deadline.left(self._what))

    @property
    def _what(self) -> str:
        return f"talking to {self._server.where}"

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = open_socket(self._server, self._deadline)
        if self._server.implicit_tls:
            return tls_context().wrap_socket(sock, server_hostname=self._server.host)
        return sock

    # imaplib's own hooks (not in its stubs): every command and every answer read.
    def _command(self, name: str, *args: Any) -> Any:
        self.sock.settimeout(self._deadline.left(self._what))
        return super()._command(name, *args)  # type: ignore[misc]

    def _get_response(self) -> Any:
        self.sock.settimeout(self._deadline.left(self._what))
        return super()._get_response()  # type: ignore[misc]

    def call(self, command: str, *args: bytes | str) -> tuple[str, list[Any]]:
        """`UID <command> args...`: imaplib sends bytes arguments as they are (quoted folder
        names, literals), though its stubs say text."""
        method: Any = self.uid
        typ, data = method(command, *args)
        return str(typ), list(data)


def _open(server: Server, deadline: Deadline) -> _PinnedIMAP:
    client = _PinnedIMAP(server, deadline)
    if not server.implicit_tls:
        if "STARTTLS" not in client.capabilities:
            client.shutdown()
            raise ComponentFailed(
                CONNECTION,
                f"IMAP server {server.where} does not offer STARTTLS; the password is not sent "
                "unencrypted (use port 993 with `secure`, or an imaps:// connection)",
            )
        client.starttls(ssl_context=tls_context())
    return client


def _login(client: _PinnedIMAP, server: Server) -> set[str]:
    try:
        if "AUTH=PLAIN" in client.capabilities:
            # AUTHENTICATE carries UTF-8; LOGIN's quoted strings are ASCII only in imaplib.
            secret = f"\0{server.user}\0{server.password}".encode()
            client.authenticate("PLAIN", lambda _challenge: secret)
        else:
            client.login(server.user, server.password)
    except (imaplib.IMAP4.error, UnicodeEncodeError) as exc:
        if isinstance(exc, imaplib.IMAP4.abort):
            raise
        raise ComponentFailed(
            AUTH, f"IMAP server {server.where} refused user {server.user!r}: {_said(exc)}"
        ) from None
    typ, data = client.capability()
    words = data[0].decode("ascii", "replace").upper().split() if typ == "OK" and data else []
    return set(words) | set(client.capabilities)


def _said(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return " ".join(text.split())


def _checked(client: _PinnedIMAP, typ: str, data: Any, what: str, code: str = CONNECTION) -> Any:
    if typ != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ComponentFailed(code, f"{what}: {' '.join(said.split())}")
    return data


def _select(client: _PinnedIMAP, folder: str, writable: bool) -> None:
    try:
        select: Any = client.select
        typ, data = select(folder_name(folder), readonly=not writable)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        raise ComponentFailed(FOLDER, f"cannot open folder {folder!r}: {_said(exc)}") from None
    _checked(client, typ, data, f"cannot open folder {folder!r}", FOLDER)


def _must_exist(client: _PinnedIMAP, folder: str) -> None:
    """Refuse a missing target before anything is read or flagged: a failed call changes
    nothing in the mailbox."""
    listing: Any = client.list
    typ, data = listing(b'""', folder_name(folder))
    if typ != "OK" or not [entry for entry in data if entry]:
        raise ComponentFailed(FOLDER, f"there is no folder {folder!r} to move the messages to")


def _search(client: _PinnedIMAP, params: MailReceiveInput, capabilities: set[str]) -> list[int]:
    keys: list[bytes] = [_SEARCH_KEYS[params.criteria].encode("ascii")]
    # The server's SINCE and BEFORE are whole days in its own zone: a day wider either way,
    # then the internal dates are compared to the second.
    if params.since is not None:
        keys += [b"SINCE", _imap_date(params.since - timedelta(days=1))]
    if params.before is not None:
        keys += [b"BEFORE", _imap_date(params.before + timedelta(days=2))]
    texts = [(b"FROM", params.sender), (b"SUBJECT", params.subject)]
    wide = [(key, value) for key, value in texts if value is not None and not value.isascii()]
    charset: list[bytes] = []
    for key, value in texts:
        if value is None:
            continue
        if value.isascii():
            keys += [key, _quoted(value)]
        elif "LITERAL+" in capabilities or "LITERAL-" in capabilities:
            raw = value.encode("utf-8")
            keys += [key, b"{%d+}\r\n" % len(raw) + raw]
            charset = [b"CHARSET", b"UTF-8"]
    if wide and not charset:
        if len(wide) > 1:
            raise ComponentFailed(
                CONNECTION,
                "this IMAP server cannot search for two texts beyond ASCII at once "
                "(give `from` or `subject`, not both)",
            )
        key, value = wide[0]
        keys.append(key)
        literal: Any = value.encode("utf-8")
        client.literal = literal  # imaplib sends it last, as a literal
        charset = [b"CHARSET", b"UTF-8"]
    typ, data = client.call("SEARCH", *charset, *keys)
    found = _checked(client, typ, data, "the IMAP server refused the search")
    uids = sorted({int(n) for chunk in found if chunk for n in chunk.split()})
    if params.since is None and params.before is None:
        return uids
    return _arrived_within(client, uids, params.since, params.before)


def _quoted(text: str) -> bytes:
    return ('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"').encode("ascii")


def _imap_date(moment: datetime) -> bytes:
    return f"{moment.day}-{_MONTHS[moment.month - 1]}-{moment.year}".encode("ascii")


_FETCH_ITEM = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _uid_set(uids: list[int]) -> bytes:
    """UIDs as an IMAP sequence set with ranges (`1:4,7`): short commands for long lists."""
    ranges: list[str] = []
    start = previous = uids[0]
    for uid in uids[1:]:
        if uid != previous + 1:
            ranges.append(f"{start}:{previous}" if previous != start else str(start))
            start = uid
        previous = uid
    ranges.append(f"{start}:{previous}" if previous != start else str(start))
    return ",".join(ranges).encode("ascii")


def _fetch_lines(client: _PinnedIMAP, uids: list[int], items: str) -> Iterator[tuple[bytes, bytes]]:
    """(the FETCH response's head, its literal or b"") for each message answered."""
    if not uids:
        return
    typ, data = client.call("FETCH", _uid_set(uids), f"({items})")
    for entry in _checked(client, typ, data, "the IMAP server refused to send messages"):
        if isinstance(entry, tuple):
            yield entry[0], entry[1]
        elif isinstance(entry, bytes) and entry != b")":
            yield entry, b""


def _arrived_within(
    client: _PinnedIMAP, uids: list[int], since: datetime | None, before: datetime | None
) -> list[int]:
    kept: list[int] = []
    for head, _ in _fetch_lines(client, uids, "UID INTERNALDATE"):
        uid, date = _FETCH_ITEM.search(head), _INTERNALDATE.search(head)
        if uid is None or date is None:
            continue
        arrived = _internal_date(date.group(1))
        if arrived is None:
            continue
        if (since is None or arrived >= since) and (before is None or arrived < before):
            kept.append(int(uid.group(1)))
    return sorted(set(kept))


def _internal_date(text: bytes) -> datetime | None:
    try:
        return datetime.strptime(text.decode("ascii"), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Fetched:
    uid: int
    raw: bytes
    arrived: datetime | None
    whole: bool  # False: only the headers were downloaded (the message is over the limit)


def _download(client: _PinnedIMAP, uids: list[int]) -> list[_Fetched]:
    sizes: dict[int, int] = {}
    arrivals: dict[int, datetime | None] = {}
    for head, _ in _fetch_lines(client, uids, "UID RFC822.SIZE INTERNALDATE"):
        found, size, date = _FETCH_ITEM.search(head), _SIZE.search(head), _INTERNALDATE.search(head)
        if found is not None:
            sizes[int(found.group(1))] = int(size.group(1)) if size else 0
            arrivals[int(found.group(1))] = _internal_date(date.group(1)) if date else None
    fetched: list[_Fetched] = []
    for uid in uids:
        if uid not in sizes:
            continue  # expunged meanwhile
        whole = sizes[uid] <= MAX_MESSAGE_BYTES
        part = "BODY.PEEK[]" if whole else "BODY.PEEK[HEADER]"
        raw = b"".join(body for head, body in _fetch_lines(client, [uid], f"UID {part}") if body)
        fetched.append(_Fetched(uid, raw, arrivals.get(uid), whole))
    return fetched


def _after_reading(
    client: _PinnedIMAP, params: MailReceiveInput, uids: list[int], capabilities: set[str]
) -> None:
    if not uids:
        return
    which = _uid_set(uids)
    if params.markSeen:
        typ, data = client.call("STORE", which, "+FLAGS.SILENT", r"(\Seen)")
        _checked(client, typ, data, "the IMAP server refused to mark the messages seen")
    if params.moveTo is None:
        return
    target = folder_name(params.moveTo)
    what = f"cannot move the messages to {params.moveTo!r}"
    if "MOVE" in capabilities:
        typ, data = client.call("MOVE", which, target)
        _checked(client, typ, data, what, FOLDER)
        return
    typ, data = client.call("COPY", which, target)
    _checked(client, typ, data, what, FOLDER)
    typ, data = client.call("STORE", which, "+FLAGS.SILENT", r"(\Deleted)")
    _checked(client, typ, data, what)
    if "UIDPLUS" in capabilities:
        # Only these: a plain EXPUNGE would also remove what others marked deleted.
        typ, data = client.call("EXPUNGE", which)
        _checked(client, typ, data, what)


# ---------------------------------------------------------------------------------------------
# Decoding a message


def _guess(raw: bytes, declared: str | None = None) -> str:
    """Bytes of an unknown or unlabelled charset: UTF-8 if they are, else `declared`, else
    Windows-1251 (what Russian mail without a label is, most often)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in (declared, FALLBACK_CHARSET):
        if charset:
            try:
                return raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
    return raw.decode("utf-8", "replace")


def _raw_header(message: Message, name: str) -> str | None:
    """A header's text as sent, with raw 8-bit bytes (outside RFC 2047) read by `_guess`."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            raw = str(value)
            if raw.isascii():
                return raw
            return _guess(raw.encode("ascii", "surrogateescape"), _body_charset(message))
    return None


def _body_charset(message: Message) -> str | None:
    for part in message.walk():
        charset = part.get_content_charset()
        if charset:
            return charset
    return None


def _header(message: EmailMessage, name: str) -> str:
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    if raw.isascii():
        try:
            return " ".join(str(message[name]).split())
        except Exception:  # a header the parser cannot read: its text as sent
            return " ".join(raw.split())
    return " ".join(str(email_policy.default.header_factory(name, raw)).split())


def _addresses(message: EmailMessage, name: str) -> list[MailAddress]:
    raw = _raw_header(message, name)
    if raw is None:
        return []
    try:
        header = email_policy.default.header_factory(name, " ".join(raw.split()))
        found = [
            MailAddress(name=a.display_name, address=a.addr_spec)
            for a in header.addresses
            if a.addr_spec and a.addr_spec != "<>"
        ]
    except Exception:  # a broken address header: its text, so nothing is lost
        return [MailAddress(name="", address=" ".join(raw.split()))]
    return found


def _date(message: EmailMessage, arrived: datetime | None) -> str | None:
    raw = _raw_header(message, "Date")
    try:
        moment = parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        moment = None
    moment = moment or arrived
    return utc_iso(moment) if moment is not None else None


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset()
    if charset is None:
        text = _guess(raw)
    else:
        try:
            text = raw.decode(charset)
        except LookupError:  # a charset Python does not know
            text = _guess(raw)
        except UnicodeDecodeError:  # mislabelled
            text = (
                _guess(raw, None)
                if charset.lower() in {"us-ascii", "ascii"}
                else raw.decode(charset, "replace")
            )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _file_name(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # a broken parameter
        name = None
    if name:
        name = " ".join(str(name).split())
        if not name.isascii() and any("\udc80" <= c <= "\udcff" for c in name):
            name = _guess(name.encode("ascii", "surrogateescape"))
        return name.replace("/", "_").replace("\\", "_")
    extension = {"message/rfc822": ".eml", "text/html": ".html", "text/plain": ".txt"}.get(
        part.get_content_type(), ""
    )
    return f"attachment-{index}{extension}"


def _is_attachment(part: Message) -> bool:
    if part.get_content_type() not in ("text/plain", "text/html"):
        return True
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (disposition == "inline" and bool(part.get_filename()))


def _leaves(part: Message) -> Iterator[Message]:
    """The parts that hold content, in order; an attached message stays one part."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _leaves(sub)
    else:
        yield part


def _content(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822" or part.is_multipart():
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes()
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


@dataclass
class _Reading:
    params: MailReceiveInput
    ctx: ComponentContext

    def message(self, fetched: _Fetched) -> MailMessage:
        message = email.message_from_bytes(fetched.raw, policy=email_policy.default)
        assert isinstance(message, EmailMessage)
        texts: list[str] = []
        htmls: list[str] = []
        attachments: list[MailAttachment] = []
        if fetched.whole:
            for index, part in enumerate(_leaves(message), start=1):
                if _is_attachment(part):
                    attachments.append(self.attachment(part, index))
                elif part.get_content_type() == "text/html":
                    htmls.append(_part_text(part))
                else:
                    texts.append(_part_text(part))
        text, text_cut = self.bounded("\n".join(texts))
        html, html_cut = self.bounded("\n".join(htmls))
        senders = _addresses(message, "From")
        return MailMessage.model_validate(
            {
                "uid": fetched.uid,
                "messageId": _header(message, "Message-ID"),
                "from": senders[0] if senders else None,
                "to": _addresses(message, "To"),
                "cc": _addresses(message, "Cc"),
                "subject": _header(message, "Subject"),
                "date": _date(message, fetched.arrived),
                "text": text,
                "html": html,
                "attachments": attachments,
                "truncated": text_cut or html_cut or not fetched.whole,
            }
        )

    def bounded(self, text: str) -> tuple[str, bool]:
        limit = self.params.maxTextChars
        return (text[:limit], True) if len(text) > limit else (text, False)

    def attachment(self, part: Message, index: int) -> MailAttachment:
        name = _file_name(part, index)
        media = part.get_content_type()
        data = _content(part)
        file_id: str | None = None
        if self.params.saveAttachments:
            file_id = self.store(name, media, data)
        return MailAttachment(fileId=file_id, name=name, type=media, size=len(data))

    def store(self, name: str, media: str, data: bytes) -> str:
        files = self.ctx.services.get(FILES_KEY)
        if files is None:
            raise ComponentFailed(
                ATTACHMENT,
                f"attachment {name!r} cannot be kept: there is no file store here "
                "(set saveAttachments to false to list attachments without keeping them)",
            )
        try:
            return str(files.put(name, media, data).id)
        except ValueError as exc:  # the store's refusal (over its size limit)
            raise ComponentFailed(ATTACHMENT, f"attachment {name!r}: {exc}") from None


def run(params: MailReceiveInput, ctx: ComponentContext) -> MailReceiveResult:
    """Search the folder, read the oldest `limit` messages found, then flag or move them."""
    deadline = Deadline(params.timeoutSeconds)
    server = server_of(params, ctx, "imap")
    reading = _Reading(params, ctx)
    with talking_to(server, "IMAP with"):
        try:
            client = _open(server, deadline)
        except imaplib.IMAP4.error as exc:
            raise ComponentFailed(CONNECTION, f"IMAP server {server.where}: {_said(exc)}") from None
        try:
            capabilities = _login(client, server)
            if params.moveTo is not None:
                _must_exist(client, params.moveTo)
            _select(client, params.folder, params.markSeen or params.moveTo is not None)
            found = _search(client, params, capabilities)
            chosen = found[: params.limit]
            messages = [reading.message(f) for f in _download(client, chosen)]
            _after_reading(client, params, [m.uid for m in messages], capabilities)
        except imaplib.IMAP4.error as exc:  # abort included: the connection broke
            raise ComponentFailed(CONNECTION, f"IMAP server {server.where}: {_said(exc)}") from None
        finally:
            _close(client)
    return MailReceiveResult(messages=messages, total=len(found))


def _close(client: _PinnedIMAP) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):
        with contextlib.suppress(OSError):
            client.shutdown()


SPEC = register(
    ComponentSpec(
        name="mail.receive",
        input_model=MailReceiveInput,
        result_model=MailReceiveResult,
        errors=ERRORS,
        run=run,
        summary="Read messages from an IMAP mailbox, attachments kept in the file store.",
    )
)
