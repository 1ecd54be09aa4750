"""Who may call which route: one table, (method, route) -> the role it needs, or PUBLIC.

The gate looks every request up here before routing or parsing, so a member calling a management
route gets 403 and learns nothing else (not even whether the body was valid). A route missing
from the table needs the admin role: a forgotten row can lock members out, never let them in,
and a test fails until the row is written.

Members use records (and read the catalogs they live in), read the processes they started and
manage their own API keys; everything else is the admins'. Which processes a member sees is the
processes routes' business (`initiator_scope`): the table only says who may ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from automations.api.errors import Forbidden, Unauthorized
from automations.api.messengers import METHODS as MESSENGER_METHODS
from automations.api.webhook import METHODS as WEBHOOK_METHODS
from automations.model.user import Role, User

PUBLIC = None
ADMIN, MEMBER = Role.ADMIN, Role.MEMBER

ROUTE_ROLES: dict[tuple[str, str], Role | None] = {
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    # Signing in needs no credentials; reading and ending a session check the cookie (and the
    # CSRF token) themselves, so that a stale cookie can always be cleared.
    ("POST", "/api/v1/session"): PUBLIC,
    ("GET", "/api/v1/session"): PUBLIC,
    ("DELETE", "/api/v1/session"): PUBLIC,
    ("GET", "/api/v1/components"): MEMBER,
    # Files go with records (a record's file field holds their ids): members store and read
    # them. An id is 128 random bits, so reading one needs having been given it.
    ("POST", "/api/v1/files"): MEMBER,
    ("GET", "/api/v1/files/<fileId>"): MEMBER,
    ("POST", "/api/v1/expressions/check"): MEMBER,
    ("POST", "/api/v1/scenarios/validate"): ADMIN,
    ("GET", "/api/v1/processes/stats"): ADMIN,
    # Web requests come from other systems: the scenario decides what to trust in them.
    **{(method, "/api/webrequest/<urlId>"): PUBLIC for method in WEBHOOK_METHODS},
    # Messengers deliver updates: each is checked against its connection's secret instead.
    **{(method, "/api/messengers/<connection>"): PUBLIC for method in MESSENGER_METHODS},
    ("GET", "/api/v1/catalogs"): MEMBER,
    ("POST", "/api/v1/catalogs"): ADMIN,
    ("GET", "/api/v1/catalogs/<catalogId>"): MEMBER,
    ("PATCH", "/api/v1/catalogs/<catalogId>"): ADMIN,
    ("DELETE", "/api/v1/catalogs/<catalogId>"): ADMIN,
    ("GET", "/api/v1/catalogs/<catalogId>/records"): MEMBER,
    ("POST", "/api/v1/catalogs/<catalogId>/records"): MEMBER,
    ("GET", "/api/v1/catalogs/<catalogId>/records/<recordId>"): MEMBER,
    ("PATCH", "/api/v1/catalogs/<catalogId>/records/<recordId>"): MEMBER,
    ("DELETE", "/api/v1/catalogs/<catalogId>/records/<recordId>"): MEMBER,
    # A record's messages: whoever may read or write the record (a member) reads and writes them.
    ("GET", "/api/v1/catalogs/<catalogId>/records/<recordId>/messages"): MEMBER,
    ("POST", "/api/v1/catalogs/<catalogId>/records/<recordId>/messages"): MEMBER,
    ("POST", "/api/v1/catalogs/<catalogId>/records/updating"): MEMBER,
    ("POST", "/api/v1/catalogs/<catalogId>/records/<recordId>/updating"): MEMBER,
    ("GET", "/api/v1/scenarios"): ADMIN,
    ("GET", "/api/v1/scenarios/<scenarioId>"): ADMIN,
    ("PUT", "/api/v1/scenarios/<scenarioId>"): ADMIN,
    ("DELETE", "/api/v1/scenarios/<scenarioId>"): ADMIN,
    ("POST", "/api/v1/scenarios/<scenarioId>/run"): ADMIN,
    ("GET", "/api/v1/subscriptions"): ADMIN,
    ("POST", "/api/v1/subscriptions"): ADMIN,
    ("GET", "/api/v1/subscriptions/<subscriptionId>"): ADMIN,
    ("PATCH", "/api/v1/subscriptions/<subscriptionId>"): ADMIN,
    ("DELETE", "/api/v1/subscriptions/<subscriptionId>"): ADMIN,
    ("GET", "/api/v1/webrequests"): ADMIN,
    ("POST", "/api/v1/webrequests"): ADMIN,
    ("DELETE", "/api/v1/webrequests/<endpointId>"): ADMIN,
    ("GET", "/api/v1/schedules"): ADMIN,
    ("POST", "/api/v1/schedules"): ADMIN,
    ("DELETE", "/api/v1/schedules/<scheduleId>"): ADMIN,
    ("GET", "/api/v1/processes"): MEMBER,
    ("GET", "/api/v1/processes/<processId>"): MEMBER,
    ("POST", "/api/v1/processes/<processId>/stop"): ADMIN,
    # The one who started it may retry it too (`api/processes.py` finds it theirs or none).
    ("POST", "/api/v1/processes/<processId>/retry"): MEMBER,
    ("GET", "/api/v1/metrics"): ADMIN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/users/<userId>"): ADMIN,
    ("PATCH", "/api/v1/users/<userId>"): ADMIN,
    ("DELETE", "/api/v1/users/<userId>"): ADMIN,
    ("GET", "/api/v1/apikeys"): MEMBER,
    ("POST", "/api/v1/apikeys"): MEMBER,
    ("DELETE", "/api/v1/apikeys/<keyId>"): MEMBER,
}


@dataclass(frozen=True, slots=True)
class _Rule:
    method: str
    pattern: re.Pattern[str]
    role: Role | None


def _pattern(route: str) -> re.Pattern[str]:
    # As the resolver matches a route: a parameter is one path segment; trailing slashes are fine.
    return re.compile("^" + re.sub(r"<\w+>", "[^/]+", route) + "/*$")


# Routes without parameters first, as the resolver tries them (`records/updating` is not a
# record id); no two rows of one method match the same path with different roles.
_RULES = [
    _Rule(method, _pattern(route), role)
    for (method, route), role in sorted(ROUTE_ROLES.items(), key=lambda row: "<" in row[0][1])
]


def required_role(method: str, path: str) -> Role | None:
    """The role a request needs (PUBLIC for none); ADMIN for anything the table does not list."""
    wanted = method.upper()
    for rule in _RULES:
        if rule.method == wanted and rule.pattern.match(path):
            return rule.role
    return ADMIN


def authorize(user: User, needed: Role) -> None:
    """Forbidden unless the caller acts with a role that covers `needed`."""
    if not user.role.covers(needed):
        raise Forbidden(f"this needs the {needed} role; these credentials act as {user.role}")


def caller(user: User | None) -> User:
    """The authenticated caller a route reads from its context (the gate set it)."""
    if user is None:
        raise Unauthorized("authentication required (sign in, HTTP Basic or an API key)")
    return user


def initiator_scope(user: User) -> str | None:
    """Whose processes a caller may see: None for every process (an admin), else their own."""
    return None if user.role.covers(ADMIN) else user.id
