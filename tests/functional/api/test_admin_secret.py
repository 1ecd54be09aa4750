"""The dev server's admin password through the Secrets port: a secret when the settings name
one (`AUTOMATIONS_ADMIN_PASSWORD_SECRET`), the plain setting otherwise; never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.adapters.local.runtime import build_runtime
from automations.adapters.local.secrets import EnvSecrets
from automations.cli import main
from automations.devserver.server import banner, ensure_admin
from automations.errors import SettingsInvalid
from automations.settings import Settings

BOSS = "boss@example.com"
SETTINGS = Settings(
    demo=False, admin_email=BOSS, admin_password="unused-pw", admin_password_secret="admin-pw"
)


def test_the_admin_is_created_with_the_secrets_password(tmp_path: Path) -> None:
    secrets = EnvSecrets({"AUTOMATIONS_SECRET_ADMIN_PW": "from-the-secret-9"})
    runtime = build_runtime(tmp_path / "a.db", SETTINGS, secrets=secrets)
    try:
        assert ensure_admin(runtime)  # created, and the password it was given works
        users = runtime.services.users
        assert users.authenticate(BOSS, "from-the-secret-9") is not None
        assert users.authenticate(BOSS, "unused-pw") is None
        assert ensure_admin(runtime) and len(users.all()) == 1  # a second start finds it
    finally:
        runtime.close()


def test_the_runtime_reads_secrets_from_the_environment_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOMATIONS_SECRET_ADMIN_PW", "env-secret-7")
    runtime = build_runtime(tmp_path / "b.db", SETTINGS)
    try:
        assert ensure_admin(runtime)
        assert runtime.services.users.authenticate(BOSS, "env-secret-7") is not None
    finally:
        runtime.close()


def test_a_missing_secret_creates_no_admin(tmp_path: Path) -> None:
    runtime = build_runtime(tmp_path / "c.db", SETTINGS, secrets=EnvSecrets({}))
    try:
        with pytest.raises(SettingsInvalid, match=r"AUTOMATIONS_ADMIN_PASSWORD_SECRET.*'admin-pw'"):
            ensure_admin(runtime)
        assert runtime.services.users.all() == []  # not the setting's password instead
    finally:
        runtime.close()


def test_the_banner_names_the_secret_and_prints_no_password() -> None:
    text = banner(SETTINGS, "http://127.0.0.1:8000", None, password_ok=True)
    assert f"{BOSS} / <secret admin-pw>" in text
    assert "unused-pw" not in text


def test_automations_dev_says_which_secret_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOMATIONS_ADMIN_PASSWORD_SECRET", "nowhere")
    monkeypatch.setenv("AUTOMATIONS_DEMO", "false")
    monkeypatch.delenv("AUTOMATIONS_SECRET_NOWHERE", raising=False)
    assert main(["dev", "--db", str(tmp_path / "d.db"), "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert "configuration: AUTOMATIONS_ADMIN_PASSWORD_SECRET: " in error
    assert "'nowhere'" in error and "Traceback" not in error
