"""The configured admin user: created on a first start, and kept an admin on every start.

Both runtimes call `ensure_admin` before serving. A database made before roles existed has its
users read as members; without this, nobody could manage anything after an upgrade.
"""

from __future__ import annotations

from automations.model.user import Role
from automations.ports import StoreConflict, UserStore

ADMIN_NAME = "Admin"


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
