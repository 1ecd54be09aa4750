"""Real mail servers for the mail component tests, each started by the test that needs it.

- `certificate(folder)`: a self-signed authority and key for `localhost` / 127.0.0.1, made with
  `cryptography` (the components trust it through AUTOMATIONS_MAIL_CA_FILE).
- `SmtpServer`: aiosmtpd on a loopback port, STARTTLS (or TLS from the first byte) and AUTH
  required, keeping every message it accepts as the bytes it received; some recipients can be
  refused.
- `Dovecot`: Debian's dovecot with its own configuration in a fresh folder (its own base_dir,
  a loopback port for STARTTLS and one for TLS, a passwd-file user, maildir in that folder,
  no system configuration), run in the foreground and stopped at the end. When dovecot is not
  installed the test is skipped with the reason, or fails under AUTOMATIONS_REQUIRE_CONFORMANCE=1.
- `MemoryFiles`: the FileStore port in memory.
"""

from __future__ import annotations

import datetime
import os
import pwd
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest

from automations.model.file import StoredFile

REQUIRE_ENV = "AUTOMATIONS_REQUIRE_CONFORMANCE"
USER = "robot@example.com"
PASSWORD = "s3cret-Пароль"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def certificate(folder: Path) -> Certificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_path, key_path)


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP server accepted: its envelope and the bytes of its content."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: str | None


@dataclass
class SmtpServer:
    """aiosmtpd with STARTTLS (or TLS at once) and AUTH required; `refuse` names recipients it
    answers 550."""

    certificate: Certificate
    implicit_tls: bool = False
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)
    _controller: Any = None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        server = self

        class Handler:
            async def handle_RCPT(
                self, smtp: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                if address in server.refuse:
                    return "550 5.1.1 no such mailbox here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
                login = session.auth_data.login.decode() if session.auth_data else None
                server.received.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login)
                )
                return "250 Message accepted"

        def authenticator(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            ok = isinstance(data, LoginPassword) and (
                data.login.decode() == USER and data.password.decode() == PASSWORD
            )
            server.logins.append(data.login.decode() if isinstance(data, LoginPassword) else "?")
            return AuthResult(success=ok, handled=False, auth_data=data)

        self.port = free_port()
        tls = self.certificate.server_context()
        options: dict[str, Any] = {
            "auth_required": True,
            # aiosmtpd does not count TLS from the first byte as TLS: it would offer no AUTH.
            "auth_require_tls": not self.implicit_tls,
            "authenticator": authenticator,
        }
        if self.implicit_tls:
            options["ssl_context"] = tls
        else:
            options["tls_context"] = tls
            options["require_starttls"] = True
        self._controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=10, **options
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


# --- IMAP ---------------------------------------------------------------------------------------


def dovecot_binary() -> str:
    """The dovecot executable, or a skip (a failure under AUTOMATIONS_REQUIRE_CONFORMANCE=1)."""
    found = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )
    if found:
        return found
    reason = "dovecot is not installed (apt-get install dovecot-imapd; .ci/run does it)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")


@dataclass
class Dovecot:
    """A private dovecot: `start()` writes its configuration and runs it in the foreground."""

    binary: str
    certificate: Certificate
    root: Path
    starttls_port: int = 0
    tls_port: int = 0
    _process: subprocess.Popen[bytes] | None = None
    _used: int = 0

    def start(self) -> Dovecot:
        self.starttls_port, self.tls_port = free_port(), free_port()
        mail_user = _mail_user()
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        users = [USER, *(_user(n) for n in range(1, USERS))]
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users), encoding="utf-8"
        )
        os.chown(self.root / "mail", mail_user.uid, mail_user.gid)
        conf = self.root / "dovecot.conf"
        conf.write_text(self._configuration(mail_user), encoding="utf-8")
        log = (self.root / "stderr.log").open("wb")
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        self._wait_until_listening()
        return self

    def _configuration(self, user: _MailUser) -> str:
        root = self.root
        return f"""# Written by tests/support/mail_servers.py: nothing of the system's configuration.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.certificate.cert}
ssl_key = <{self.certificate.key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = {user.internal}
default_internal_group = {user.internal_group}
default_login_user = {user.login}
first_valid_uid = {user.uid}
last_valid_uid = {user.uid}
first_valid_gid = {user.gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user.uid} gid={user.gid} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""

    def next_user(self) -> str:
        """A mailbox no test has used yet (the users are written before the server starts:
        dovecot may miss a change to its passwd-file made within the same second)."""
        self._used += 1
        if self._used >= USERS:
            raise RuntimeError(f"more than {USERS} mailboxes asked of one server")
        return _user(self._used)

    def doveadm(self, *args: str) -> str:
        """Run `doveadm` against this server (folders are created through it, by their UTF-8
        names, so that the tests do not depend on the component's folder-name encoding)."""
        done = subprocess.run(
            ["doveadm", "-c", str(self.root / "dovecot.conf"), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)}: {done.stderr}")
        return done.stdout

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=1):
                    pass
                with socket.create_connection(("127.0.0.1", self.starttls_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within 15 s: {self.logs()}")

    def logs(self) -> str:
        parts = []
        for name in ("stderr.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)


USERS = 200


def _user(number: int) -> str:
    return f"user{number}@example.com"


@dataclass(frozen=True)
class _MailUser:
    uid: int
    gid: int
    internal: str
    internal_group: str
    login: str


def _mail_user() -> _MailUser:
    """Who dovecot's processes run as. As root: the package's unprivileged users (dovecot
    refuses root for logins and mail); otherwise the current user for everything."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return _MailUser(me.pw_uid, me.pw_gid, me.pw_name, me.pw_name, me.pw_name)
    internal = pwd.getpwnam("dovecot")
    login = pwd.getpwnam("dovenull")
    import grp

    return _MailUser(
        internal.pw_uid,
        internal.pw_gid,
        internal.pw_name,
        grp.getgrgid(internal.pw_gid).gr_name,
        login.pw_name,
    )


def dovecot_root() -> Path:
    """A fresh folder dovecot's unprivileged processes can reach (pytest's tmp_path is 0700
    under a root-owned parent, which they cannot enter)."""
    root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
    root.chmod(0o755)
    return root


# --- files ---------------------------------------------------------------------------------------


class MemoryFiles:
    """The FileStore port in memory, with a size limit."""

    def __init__(self, max_bytes: int = 25 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.files: dict[str, tuple[StoredFile, bytes]] = {}

    def put(self, name: str, content_type: str, data: bytes) -> StoredFile:
        if len(data) > self.max_bytes:
            raise ValueError(f"the file is larger than {self.max_bytes} bytes")
        stored = StoredFile(
            id=f"f_{secrets.token_hex(8)}",
            name=name,
            type=content_type,
            size=len(data),
            created=datetime.datetime.now(datetime.UTC),
        )
        self.files[stored.id] = (stored, data)
        return stored

    def info(self, file_id: str) -> StoredFile | None:
        found = self.files.get(file_id)
        return found[0] if found else None

    def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        return self.files.get(file_id)
