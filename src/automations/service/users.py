"""The configured admin user: created on a first start, and kept an admin on every start.

Both runtimes call `ensure_admin` before serving, with the password `admin_password` finds:
a secret read through the Secrets port when the settings name one (as deployed: a Secrets
Manager secret), else the setting itself. A database made before roles existed has its users
read as members; without this, nobody could manage anything after an upgrade.
"""

from __future__ import annotations

from automations.errors import SettingsInvalid, StoreConflict
from automations.model.user import Role
from automations.ports import Secrets, UserStore
from automations.settings import PREFIX, Settings

ADMIN_NAME = "Admin"


def admin_password(settings: Settings, secrets: Secrets) -> str:
    """The admin's password: the secret `admin_password_secret` names when it is set, else
    `admin_password`. SettingsInvalid when the named secret does not exist or is empty (a
    deployment without the password it was given must not fall back to the default one)."""
    name = settings.admin_password_secret
    if not name:
        return settings.admin_password
    password = secrets.get(name)
    if not password:
        raise SettingsInvalid(
            f"{PREFIX}ADMIN_PASSWORD_SECRET: there is no secret {name!r} holding a password"
        )
    return password


def ensure_admin(users: UserStore, login: str, password: str) -> bool:
    """Create `login` as an admin, or make the existing user with that login one (its password
    is left as it is); True when the user was created."""
    try:
        users.create(login, password, name=ADMIN_NAME, role=Role.ADMIN)
    except StoreConflict:
        existing = users.by_login(login)
        if existing is not None and existing.role is not Role.ADMIN:
            users.change(existing.id, role=Role.ADMIN)
        return False
    return True
