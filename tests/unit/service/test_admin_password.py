"""Where the admin's password comes from: the named secret, else the setting."""

from __future__ import annotations

import pytest

from automations.adapters.local.secrets import EnvSecrets
from automations.errors import SettingsInvalid
from automations.service.users import admin_password
from automations.settings import Settings

SECRETS = EnvSecrets({"AUTOMATIONS_SECRET_ADMIN": "kept-apart", "AUTOMATIONS_SECRET_EMPTY": ""})


def test_without_a_secret_the_setting_is_the_password() -> None:
    assert admin_password(Settings(admin_password="plain-pw"), SECRETS) == "plain-pw"
    unset = Settings.from_environment({"AUTOMATIONS_ADMIN_PASSWORD_SECRET": ""})
    assert admin_password(unset, SECRETS) == "admin"  # an empty name names nothing


def test_a_named_secret_wins_over_the_setting() -> None:
    settings = Settings(admin_password="plain-pw", admin_password_secret="admin")
    assert admin_password(settings, SECRETS) == "kept-apart"


def test_an_empty_secret_is_no_password() -> None:
    with pytest.raises(SettingsInvalid, match=r"AUTOMATIONS_ADMIN_PASSWORD_SECRET: .*'empty'"):
        admin_password(Settings(admin_password_secret="empty"), SECRETS)
