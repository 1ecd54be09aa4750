"""`mail.send`: send an email over SMTP (the product's "Отправка почты").

Inputs (the server: see `mail_common`; SMTP's ports are 465 with `secure`, 587 without):
- `from` (required): `"robot@example.com"` or `"Бипиум <robot@example.com>"`.
- `to`, `cc`, `bcc`: an address, several separated by commas, or a list of them; at least one
  recipient in all. Bcc recipients get the message but are written in no header.
- `replyTo`: address(es) for the `Reply-To` header.
- `subject`, `text`, `html`: a message with both `text` and `html` is `multipart/alternative`.
- `attachments`: a list (or one) of a stored file's id (`"f_..."` or `{fileId, name?}`), a URL
  to fetch (`{url, name?}`; `title` is taken for `name`, as the product's file fields have it),
  or the content itself (`{name, type?, contentBase64}`). At most 25 MB in all.
- `timeoutSeconds` (default 30, at most 300): the whole call, each network operation bounded
  by what is left of it.

Names, subjects and file names beyond ASCII are encoded as mail wants them: RFC 2047
encoded-words in headers, RFC 2231 parameters for file names, IDNA for a domain; text parts
are sent as base64 or quoted-printable, so the message is 7-bit clean. A local part beyond
ASCII needs a server that offers SMTPUTF8.

The envelope is all or nothing: if the server refuses any recipient, the message is not sent
to the others either (a retry then sends it once). Result: `{messageId}`, the `Message-ID`
header written (`<...@sender's domain>`).

Error codes:
- `mail.connection`: the server cannot be reached, does not answer in time, offers no STARTTLS,
  or its certificate is not trusted.
- `mail.auth`: the user or password is refused, or the server offers no authentication.
- `mail.rejected`: the server refused the sender, a recipient (the message names each one with
  the server's answer) or the message.
- `mail.forbidden_address`: a host given by the scenario, or an attachment's URL, leads to an
  address that is not public (`http.request`'s guard and its settings).
- `mail.attachment`: a stored file that does not exist, a URL that cannot be fetched, content
  that is not base64, or attachments over the limit.

The password is never logged nor written in an error.
"""

from __future__ import annotations

import base64
import binascii
import logging
import smtplib
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy as email_policy
from email.errors import HeaderDefect, ObsoleteHeaderDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from automations.components import http_request
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

REJECTED = "mail.rejected"
ERRORS = (CONNECTION, AUTH, REJECTED, FORBIDDEN_ADDRESS, ATTACHMENT)

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS = 100
DEFAULT_TYPE = "application/octet-stream"

log = logging.getLogger(__name__)

# 7-bit clean (text parts in base64 or quoted-printable) with CRLF line ends, as SMTP wants.
_POLICY = email_policy.SMTP.clone(cte_type="7bit")
_UTF8_POLICY = email_policy.SMTPUTF8


# ---------------------------------------------------------------------------------------------
# Inputs


def _address_list(value: str | list[str] | None) -> list[Address]:
    """Every address of `value` (a text with commas, or a list of such texts), checked."""
    if value is None:
        return []
    texts = [value] if isinstance(value, str) else value
    found: list[Address] = []
    for text in texts:
        if not isinstance(text, str):
            raise ValueError("an address must be a text")
        if "\r" in text or "\n" in text:
            raise ValueError(f"{text!r} holds a line break")
        stripped = text.strip().strip(",").strip()
        if not stripped:
            continue
        found.extend(_parsed(stripped))
    return found


def _parsed(text: str) -> list[Address]:
    try:
        header = email_policy.default.header_factory("to", text)
        defects: Sequence[HeaderDefect] = header.defects
        addresses = list(header.addresses)
    except Exception:  # the header parser raises IndexError and others on broken text
        raise ValueError(f"{text!r} is not an email address") from None
    serious = [d for d in defects if not isinstance(d, ObsoleteHeaderDefect)]
    if serious or not addresses or any(not a.username or not a.domain for a in addresses):
        raise ValueError(f"{text!r} is not an email address")
    return [_ascii_domain(a) for a in addresses]


def _ascii_domain(address: Address) -> Address:
    domain = address.domain
    if domain.isascii():
        return address
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{domain!r} is not a domain name") from None
    return Address(address.display_name, address.username, ascii_domain)


Addresses = str | list[str] | None


class Attachment(BaseModel):
    """One attachment: a stored file, a URL, or the content itself."""

    model_config = ConfigDict(extra="forbid")

    fileId: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = None
    contentBase64: str | None = None
    name: str | None = Field(default=None, max_length=255)
    type: str | None = Field(default=None, max_length=255)

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"fileId": value}
        if isinstance(value, dict) and "title" in value and "name" not in value:
            # The product's file values are {title, url, ...}: keep what is ours of them.
            value = {k: v for k, v in value.items() if k in cls.model_fields or k == "title"}
            value["name"] = value.pop("title")
        elif isinstance(value, dict):
            value = {
                k: v for k, v in value.items() if k in cls.model_fields or k not in _PRODUCT_KEYS
            }
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Attachment:
        given = [k for k in ("fileId", "url", "contentBase64") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("an attachment is one of a fileId, a url or a contentBase64")
        if self.contentBase64 is not None and not self.name:
            raise ValueError("an attachment given as contentBase64 needs a name")
        if self.type is not None and not _is_media_type(self.type):
            raise ValueError(f"{self.type!r} is not a media type (type/subtype)")
        return self


# Keys of the product's file values that say nothing to us (ignored rather than refused).
_PRODUCT_KEYS = {"id", "size", "mimeType", "metadata"}


def _is_media_type(text: str) -> bool:
    main, _, sub = text.partition("/")
    return bool(main) and bool(sub) and all(c.isalnum() or c in "!#$&^_.+-" for c in main + sub)


class MailSendInput(ServerInput):
    """What `mail.send` takes; see the module docstring for each field."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    sender: str = Field(alias="from", min_length=3, max_length=1000)
    to: Addresses = None
    cc: Addresses = None
    bcc: Addresses = None
    replyTo: Addresses = None
    subject: str = Field(default="", max_length=10_000)
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @field_validator("sender")
    @classmethod
    def _one_sender(cls, value: str) -> str:
        if len(_address_list(value)) != 1:
            raise ValueError("`from` must be one address")
        return value

    @field_validator("to", "cc", "bcc", "replyTo")
    @classmethod
    def _addresses(cls, value: Addresses) -> Addresses:
        _address_list(value)
        return value

    @field_validator("attachments", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (dict, str)) else value

    @model_validator(mode="after")
    def _some_recipient(self) -> MailSendInput:
        if not (_address_list(self.to) or _address_list(self.cc) or _address_list(self.bcc)):
            raise ValueError("no recipient: give `to`, `cc` or `bcc`")
        return self


class MailSendResult(BaseModel):
    """The sent message's `Message-ID`."""

    messageId: str


# ---------------------------------------------------------------------------------------------
# The message


@dataclass(frozen=True, slots=True)
class _File:
    name: str
    type: str
    data: bytes


def _attachment_file(item: Attachment, ctx: ComponentContext, deadline: Deadline) -> _File:
    if item.fileId is not None:
        files = ctx.services.get(FILES_KEY)
        found = files.read(item.fileId) if files is not None else None
        if found is None:
            raise ComponentFailed(ATTACHMENT, f"there is no stored file {item.fileId!r}")
        stored, data = found
        return _File(item.name or stored.name, item.type or stored.type or DEFAULT_TYPE, data)
    if item.url is not None:
        data, content_type = _fetched(item.url, deadline)
        return _File(item.name or _url_name(item.url), item.type or content_type, data)
    try:
        data = base64.b64decode(item.contentBase64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise ComponentFailed(
            ATTACHMENT, f"the content of attachment {item.name!r} is not base64"
        ) from None
    return _File(item.name or "attachment", item.type or DEFAULT_TYPE, data)


def _fetched(url: str, deadline: Deadline) -> tuple[bytes, str]:
    """The body and media type at `url`, fetched as `http.request` fetches (its guard too)."""
    try:
        content, content_type = http_request.fetch_bytes(
            url, timeout_seconds=deadline.left(f"fetching {url}")
        )
    except ComponentFailed as failed:
        code = FORBIDDEN_ADDRESS if failed.code == http_request.FORBIDDEN_ADDRESS else ATTACHMENT
        raise ComponentFailed(code, f"attachment {failed.message}") from None
    except ValueError as exc:  # not an http(s) URL
        raise ComponentFailed(ATTACHMENT, f"attachment URL {url!r}: {exc}") from None
    media = content_type.split(";", 1)[0].strip().lower()
    return content, media if _is_media_type(media) else DEFAULT_TYPE


def _url_name(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1]
    return name or "attachment"


def _message(params: MailSendInput, files: list[_File], message_id: str) -> EmailMessage:
    sender = _address_list(params.sender)[0]
    headers = {
        "To": _address_list(params.to),
        "Cc": _address_list(params.cc),
        "Reply-To": _address_list(params.replyTo),
    }
    every = [sender, *(a for group in headers.values() for a in group)]
    utf8 = any(not a.username.isascii() for a in [*every, *_address_list(params.bcc)])
    message = EmailMessage(policy=_UTF8_POLICY if utf8 else _POLICY)
    message["From"] = sender
    for name, addresses in headers.items():
        if addresses:
            message[name] = addresses
    message["Subject"] = " ".join(params.subject.splitlines())
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    _body(message, params.text, params.html)
    for file in files:
        maintype, _, subtype = file.type.partition("/")
        message.add_attachment(
            file.data, maintype=maintype, subtype=subtype, filename=_safe_name(file.name)
        )
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # email adds it to every part it makes; only the top has it
    return message


def _body(message: EmailMessage, text: str | None, html: str | None) -> None:
    if text is not None or html is None:
        message.set_content(text or "")
        if html is not None:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")


def _safe_name(name: str) -> str:
    # A name is a file name, not a path (some clients save under the path they are given).
    cleaned = "".join(" " if c in "\r\n\t" else c for c in name).replace("/", "_")
    return cleaned.replace("\\", "_").strip() or "attachment"


def _files(params: MailSendInput, ctx: ComponentContext, deadline: Deadline) -> list[_File]:
    files: list[_File] = []
    total = 0
    for item in params.attachments:
        file = _attachment_file(item, ctx, deadline)
        total += len(file.data)
        if total > MAX_ATTACHMENT_BYTES:
            raise ComponentFailed(
                ATTACHMENT, f"the attachments are larger than {MAX_ATTACHMENT_BYTES} bytes in all"
            )
        files.append(file)
    return files


# ---------------------------------------------------------------------------------------------
# SMTP


class _PinnedSMTP(smtplib.SMTP):
    """smtplib's client dialling the address the guard checked (TLS still checks the host's
    name), with every operation held to the call's deadline."""

    def __init__(self, server: Server, deadline: Deadline) -> None:
        self._server = server
        self._deadline = deadline
        # The EHLO name: the machine's name without a DNS lookup (getfqdn can hang for seconds).
        super().__init__(local_hostname=socket.gethostname() or "localhost")

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = open_socket(self._server, self._deadline)
        if self._server.implicit_tls:
            return tls_context().wrap_socket(sock, server_hostname=self._server.host)
        return sock

    def putcmd(self, cmd: str, args: str = "") -> None:
        if self.sock is not None:
            self.sock.settimeout(self._deadline.left(f"talking to {self._server.where}"))
        super().putcmd(cmd, args)


def _send(server: Server, message: EmailMessage, params: MailSendInput, deadline: Deadline) -> None:
    sender = _address_list(params.sender)[0].addr_spec
    recipients = list(
        dict.fromkeys(
            a.addr_spec
            for a in _address_list(params.to) + _address_list(params.cc) + _address_list(params.bcc)
        )
    )
    utf8 = message.policy is _UTF8_POLICY
    client = _PinnedSMTP(server, deadline)
    with talking_to(server, "SMTP with"):
        try:
            client._host = server.host  # type: ignore[attr-defined]  # STARTTLS checks this name
            client.connect(server.host, server.port)
            _secure(client, server)
            _login(client, server)
            _deliver(client, sender, recipients, message, utf8)
        except smtplib.SMTPServerDisconnected as exc:
            raise ComponentFailed(
                CONNECTION, f"SMTP server {server.where} closed the connection: {exc}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise ComponentFailed(
                CONNECTION, f"SMTP server {server.where} answered {_answer(exc)}"
            ) from None
        finally:
            _quit(client)


def _secure(client: _PinnedSMTP, server: Server) -> None:
    client.ehlo()
    if server.implicit_tls:
        return
    if not client.has_extn("starttls"):
        raise ComponentFailed(
            CONNECTION,
            f"SMTP server {server.where} does not offer STARTTLS; mail is not sent unencrypted "
            "(use port 465 with `secure`, or an smtps:// connection, if it speaks TLS there)",
        )
    client.starttls(context=tls_context())
    client.ehlo()


def _login(client: _PinnedSMTP, server: Server) -> None:
    if not server.user:
        return
    if not client.has_extn("auth"):
        raise ComponentFailed(AUTH, f"SMTP server {server.where} offers no authentication")
    mechanisms = client.esmtp_features.get("auth", "").upper().split()
    # smtplib sends credentials as ASCII only: PLAIN and LOGIN are written here, in UTF-8.
    user, password = server.user.encode(), server.password.encode()
    if "PLAIN" in mechanisms:
        code, answer = client.docmd("AUTH", "PLAIN " + _b64(b"\0" + user + b"\0" + password))
    elif "LOGIN" in mechanisms:
        code, answer = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, answer = client.docmd(_b64(password))
    else:
        raise ComponentFailed(
            AUTH,
            f"SMTP server {server.where} offers neither PLAIN nor LOGIN authentication "
            f"(it offers {' '.join(mechanisms) or 'none'})",
        )
    if code != 235:
        raise ComponentFailed(
            AUTH, f"SMTP server {server.where} refused user {server.user!r}: {code} {_text(answer)}"
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _deliver(
    client: _PinnedSMTP,
    sender: str,
    recipients: list[str],
    message: EmailMessage,
    utf8: bool,
) -> None:
    options: list[str] = []
    if utf8:
        if not client.has_extn("smtputf8"):
            raise ComponentFailed(
                REJECTED,
                "an address has a local part beyond ASCII, and the SMTP server does not "
                "offer SMTPUTF8",
            )
        options.append("SMTPUTF8")
    code, answer = client.mail(sender, options)
    if code != 250:
        client.rset()
        raise ComponentFailed(
            REJECTED, f"the server refused sender {sender}: {code} {_text(answer)}"
        )
    refused: list[str] = []
    for recipient in recipients:
        code, answer = client.rcpt(recipient)
        if code not in (250, 251):
            refused.append(f"{recipient} ({code} {_text(answer)})")
    if refused:
        client.rset()  # all or nothing: the others get it on a retry, once
        raise ComponentFailed(
            REJECTED, f"the server refused {len(refused)} recipient(s): {', '.join(refused)}"
        )
    code, answer = client.data(message.as_bytes())
    if code != 250:
        raise ComponentFailed(REJECTED, f"the server refused the message: {code} {_text(answer)}")


def _quit(client: _PinnedSMTP) -> None:
    if client.sock is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _answer(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _text(answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    return " ".join(text.split())


def run(params: MailSendInput, ctx: ComponentContext) -> MailSendResult:
    """Build the message, then send it: all recipients or none."""
    deadline = Deadline(params.timeoutSeconds)
    server = server_of(params, ctx, "smtp")
    files = _files(params, ctx, deadline)
    domain = _address_list(params.sender)[0].domain.strip("[]") or "localhost"
    message_id = make_msgid(domain=domain)
    message = _message(params, files, message_id)
    _send(server, message, params, deadline)
    log.info("mail.send %s: %s to %s", server.where, message_id, "recipients")
    return MailSendResult(messageId=message_id)


SPEC = register(
    ComponentSpec(
        name="mail.send",
        input_model=MailSendInput,
        result_model=MailSendResult,
        errors=ERRORS,
        run=run,
        summary="Send an email over SMTP (TLS or STARTTLS), with attachments.",
    )
)
