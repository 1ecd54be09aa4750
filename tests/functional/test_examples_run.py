"""Every example runs with `automations run` and gives what examples/README.md says.

The expected runs live in examples/expectations.json (the README describes the same runs):
status, a subset of the final variables, the error code, and elements the path must include.
Those runs need no server. `send-order-confirmation` also runs here against a real SMTP server
(aiosmtpd, STARTTLS and AUTH) reached through `AUTOMATIONS_CONNECTIONS`, as an operator would
configure it: once sent, once with a wrong password, refused connection and recipient.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from automations.adapters.local.connections import VARIABLE as CONNECTIONS_ENV
from automations.cli import main
from automations.components.mail_common import CA_FILE_ENV
from support.mail_servers import PASSWORD, USER, SmtpServer, certificate, free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXPECTATIONS: dict[str, list[dict[str, Any]]] = json.loads(
    (EXAMPLES / "expectations.json").read_text(encoding="utf-8")
)
RUNS = [(stem, i, run) for stem, runs in EXPECTATIONS.items() for i, run in enumerate(runs)]


def test_every_example_has_expected_runs() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.bpmn")} == set(EXPECTATIONS)


@pytest.mark.parametrize(("stem", "index", "expected"), RUNS, ids=[f"{s}-{i}" for s, i, _ in RUNS])
def test_example_run_gives_what_the_readme_says(
    stem: str,
    index: int,
    expected: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("AUTOMATIONS_HTTP_ALLOW_HOSTS", raising=False)
    # The documented runs are those of a machine where the operator configured no connection.
    monkeypatch.delenv(CONNECTIONS_ENV, raising=False)
    code, result = run_example(stem, expected["input"], capsys)
    assert (code, result["status"]) == (
        (0, "completed") if expected["status"] == "completed" else (1, "error")
    )
    assert {k: result["output"].get(k) for k in expected["output"]} == expected["output"]
    error = result["error"]
    assert (error and error["code"]) == expected.get("error_code")
    if error:
        assert error["element"], "an error names the element where it happened"
    missing = [e for e in expected.get("trace_includes", []) if e not in result["trace"]]
    assert not missing, f"path {result['trace']} lacks {missing}"


def run_example(
    stem: str, variables: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    """`automations run examples/<stem>.bpmn --input ... --json`: its exit code and answer."""
    args = ["run", str(EXAMPLES / f"{stem}.bpmn"), "--input", json.dumps(variables), "--json"]
    code = main(args)
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, result


# --- send-order-confirmation against a real SMTP server ----------------------------------------

CONFIRMATION = "send-order-confirmation"
ORDER = EXPECTATIONS[CONFIRMATION][0]["input"]  # the README's run, now with a server behind it


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """aiosmtpd on a loopback port requiring STARTTLS and AUTH; its authority is trusted the
    way an operator trusts an internal one."""
    made = certificate(tmp_path)
    monkeypatch.setenv(CA_FILE_ENV, str(made.cert))
    server = SmtpServer(made).start()
    yield server
    server.stop()


def shop_mail(monkeypatch: pytest.MonkeyPatch, port: int, password: str = PASSWORD) -> None:
    """The operator's connection `shop-mail`, as `AUTOMATIONS_CONNECTIONS` holds it."""
    url = f"smtp://{quote(USER, safe='')}:{quote(password, safe='')}@127.0.0.1:{port}"
    monkeypatch.setenv(CONNECTIONS_ENV, json.dumps({"shop-mail": url}))


def test_the_confirmation_arrives_as_the_example_composes_it(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_mail(monkeypatch, smtp.port)

    code, result = run_example(CONFIRMATION, ORDER, capsys)

    assert (code, result["status"]) == (0, "completed"), result["error"]
    assert "Confirmed" in result["trace"] and "NoteNotSent" not in result["trace"]
    [received] = smtp.received
    assert (received.login, received.mail_from, received.rcpt_tos) == (
        USER,
        "shop@example.com",
        ["ivan@example.com"],
    )
    assert received.content.isascii(), "headers and parts are encoded, the message 7-bit clean"
    message = BytesParser(policy=policy.default).parsebytes(received.content)
    assert isinstance(message, EmailMessage)
    assert result["output"]["confirmed"] is True
    assert result["output"]["confirmationId"] == message["Message-ID"]
    assert message["Subject"] == "Заказ № 1042 принят"
    assert b"\r\nSubject: =?utf-8?" in received.content  # an RFC 2047 encoded-word
    assert str(message["From"]) == "Магазин «Самовар» <shop@example.com>"
    assert str(message["To"]) == "Иван Петров <ivan@example.com>"
    assert str(message["Reply-To"]) == "Отдел продаж <sales@example.com>"

    alternative, csv = message.iter_parts()
    text, html = alternative.iter_parts()
    # Text parts travel with CRLF line ends, MIME's canonical form.
    assert text.get_content() == (
        "Здравствуйте, Иван Петров!\r\n\r\nВаш заказ № 1042 принят.\r\n"
        "— Чайник × 1\r\n— Чашка × 2\r\nИтого: 3100 ₽\r\n"
    )
    assert html.get_content_type() == "text/html"
    assert "<ul><li>Чайник × 1</li><li>Чашка × 2</li></ul>" in html.get_content()
    assert "<b>3100 ₽</b>" in html.get_content()
    assert (csv.get_content_disposition(), csv.get_content_type()) == ("attachment", "text/csv")
    assert csv.get_filename() == "Заказ 1042.csv"
    assert b"filename*=utf-8''%D0%97%D0%B0%D0%BA%D0%B0%D0%B7%201042.csv" in received.content
    assert csv.get_payload(decode=True) == b"sku,qty,price\r\nKETTLE,1,2500\r\nCUP,2,300\r\n"


def test_a_refused_login_is_caught_by_its_boundary_and_the_password_kept_out(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_mail(monkeypatch, smtp.port, password="wrong-Пароль-7")

    code, result = run_example(CONFIRMATION, ORDER, capsys)

    assert (code, result["status"]) == (0, "completed"), result["error"]
    output = result["output"]
    assert (output["confirmed"], output["mailError"]) == (False, "mail.auth")
    assert "refused user 'robot@example.com'" in output["mailErrorMessage"]
    assert result["trace"][-3:] == ["MailLoginRefused", "NoteNotSent", "NotSent"]
    assert smtp.logins == [USER] and smtp.received == []
    assert "wrong-Пароль-7" not in json.dumps(result, ensure_ascii=False)


def test_a_refused_connection_is_caught_by_the_other_boundary(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_mail(monkeypatch, free_port())  # nobody listens there

    code, result = run_example(CONFIRMATION, ORDER, capsys)

    assert (code, result["status"]) == (0, "completed"), result["error"]
    assert (result["output"]["confirmed"], result["output"]["mailError"]) == (
        False,
        "mail.connection",
    )
    assert result["trace"][-3:] == ["MailServerUnavailable", "NoteNotSent", "NotSent"]


def test_a_refused_recipient_is_not_caught_and_fails_the_process(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp.refuse = {"ivan@example.com"}
    shop_mail(monkeypatch, smtp.port)

    code, result = run_example(CONFIRMATION, ORDER, capsys)

    assert (code, result["status"]) == (1, "error")
    error = result["error"]
    assert (error["code"], error["element"]) == ("mail.rejected", "SendConfirmation")
    assert "ivan@example.com (550" in error["message"]
    assert smtp.received == []
