"""Roles over the whole API (the dev server's app, automation side included).

The matrix walks every route the OpenAPI document lists, so a new route is covered the day it
is added; what a member may do is written here on its own, not read from the access table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from automations.adapters.local.runtime import LocalRuntime, build_runtime
from automations.api.access import ROUTE_ROLES
from automations.devserver.server import ensure_admin
from automations.model.process import EventRef, Initiator, ProcessRecord
from automations.model.user import Role
from automations.settings import Settings
from support.api import basic, proxy_event

ADMIN = basic("admin@example.com", "admin-passw0rd")
MEMBER = basic("member@example.com", "member-passw0rd")
OTHER = basic("other@example.com", "other-passw0rd")
# What a member may call: records (and the catalogs they are in), their processes, their keys.
MEMBER_READS = {
    "/api/v1/components",  # the editor's palette: reading it changes nothing
    "/api/v1/catalogs",
    "/api/v1/catalogs/{catalogId}",
    "/api/v1/processes",
    "/api/v1/processes/{processId}",
}
# Files go with records (a file field holds their ids): members store and read them.
MEMBER_PREFIXES = ("/api/v1/catalogs/{catalogId}/records", "/api/v1/apikeys", "/api/v1/files")
# A syntax check of one expression: it reads and stores nothing.
MEMBER_CALLS = {
    ("POST", "/api/v1/expressions/check"),
    # The one who started a process may retry it (anyone else's reads as not found).
    ("POST", "/api/v1/processes/{processId}/retry"),
}
# Public by design, and the only public operations the document lists: they answer for
# themselves. Signing in takes no credentials; reading or ending a session looks at the
# session cookie alone (Basic or a key is no session), so a stale cookie can always be
# cleared. What they answer without a cookie is checked below, with one in test_sessions.py.
SESSION_ROUTES = {
    ("POST", "/api/v1/session"),
    ("GET", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
}


def member_may(method: str, route: str) -> bool:
    return (
        route.startswith(MEMBER_PREFIXES)
        or (method == "GET" and route in MEMBER_READS)
        or (method, route) in MEMBER_CALLS
    )


def guarded(server: Server) -> list[tuple[str, str]]:
    """Every operation of the document except the session's own."""
    return [op for op in operations(server) if op not in SESSION_ROUTES]


@dataclass
class Server:
    runtime: LocalRuntime
    app: Any
    ids: dict[str, str]  # login -> user id

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        auth: str | None = ADMIN,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
    ) -> tuple[int, Any]:
        sent = ({"Authorization": auth} if auth else {}) | (headers or {})
        event = proxy_event(method, path, body, headers=sent, raw_body=raw_body)
        response = self.app.resolve(event, None)
        text = response.get("body") or ""
        return response["statusCode"], json.loads(text) if text else None

    def started_by(self, process_id: str, user_id: str | None) -> None:
        """A process as a record write of this user would start it."""
        self.runtime.automation.processes.deps.processes.create(
            ProcessRecord(
                id=process_id,
                scenario_id="s",
                scenario_version=1,
                event=EventRef(id="e", type="$record.after.create"),
                initiator=Initiator(user_id=user_id),
                queued_at=datetime(2026, 1, 2, tzinfo=UTC),
            )
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    runtime = build_runtime(tmp_path / "app.db", Settings(demo=False))
    users = runtime.services.users
    ids = {
        "admin": users.create("admin@example.com", "admin-passw0rd", role=Role.ADMIN).id,
        "member": users.create("member@example.com", "member-passw0rd").id,
        "other": users.create("other@example.com", "other-passw0rd").id,
    }
    yield Server(runtime=runtime, app=runtime.app(), ids=ids)
    runtime.close()


def operations(server: Server) -> list[tuple[str, str]]:
    """(METHOD, route) of every operation in the served OpenAPI document."""
    status, document = server.call("GET", "/api/v1/openapi.json", auth=None)
    assert status == 200
    return sorted(
        (method.upper(), route)
        for route, methods in document["paths"].items()
        for method in methods
    )


def sample(route: str) -> str:
    """The route with every parameter an id of nothing (no call below changes anything)."""
    return re.sub(r"\{\w+\}", "x1", route)


def test_the_matrix_covers_the_whole_api(server: Server) -> None:
    listed = operations(server)
    assert len(listed) >= 35
    assert {("POST", "/api/v1/users"), ("PUT", "/api/v1/scenarios/{scenarioId}")} <= set(listed)


def test_without_credentials_every_route_is_401(server: Server) -> None:
    answers = {op: server.call(op[0], sample(op[1]), {}, auth=None) for op in guarded(server)}
    assert {op: a[0] for op, a in answers.items() if a[0] != 401} == {}
    assert {a[1]["code"] for a in answers.values()} == {"unauthorized"}


def test_the_exempt_session_routes_are_exactly_the_public_ones_listed(server: Server) -> None:
    documented = {(m, r.replace("{", "<").replace("}", ">")) for m, r in operations(server)}
    public = {op for op, role in ROUTE_ROLES.items() if role is None and op in documented}
    assert public == SESSION_ROUTES


def test_the_session_routes_without_a_session(server: Server) -> None:
    read = server.call("GET", "/api/v1/session", auth=None)
    read_basic = server.call("GET", "/api/v1/session", auth=ADMIN)  # Basic is no session
    signed_out = server.call("DELETE", "/api/v1/session", auth=None)
    empty = server.call("POST", "/api/v1/session", {}, auth=None)
    assert (read[0], read[1]["code"]) == (401, "unauthorized")
    assert (read_basic[0], read_basic[1]["code"]) == (401, "unauthorized")
    assert signed_out == (200, {"ok": True})
    assert (empty[0], empty[1]["code"]) == (400, "request_invalid")


def test_members_get_403_on_every_management_route(server: Server) -> None:
    refused: dict[tuple[str, str], int] = {}
    allowed: dict[tuple[str, str], int] = {}
    for method, route in guarded(server):
        status, body = server.call(method, sample(route), {}, auth=MEMBER)
        (allowed if member_may(method, route) else refused)[method, route] = status
        if status == 403 and not member_may(method, route):
            assert (body["code"], body["message"]) == (
                "forbidden",
                "this needs the admin role; these credentials act as member",
            )
    assert {op: s for op, s in refused.items() if s != 403} == {}
    assert {op: s for op, s in allowed.items() if s in (401, 403)} == {}
    assert len(allowed) >= 10 and len(refused) >= 20


def test_admins_are_never_refused(server: Server) -> None:
    answers = {op: server.call(op[0], sample(op[1]), {})[0] for op in guarded(server)}
    assert {op: s for op, s in answers.items() if s in (401, 403)} == {}


def test_a_member_is_refused_before_the_body_is_read(server: Server) -> None:
    status, body = server.call("POST", "/api/v1/catalogs", raw_body="{not json", auth=MEMBER)
    assert (status, body["code"]) == (403, "forbidden")
    status, _ = server.call("POST", "/api/v1/catalogs", raw_body="{not json")
    assert status == 400


def registered_routes(app: Any) -> set[tuple[str, str]]:
    # The resolver's own list (private, but the only one that holds routes the document hides).
    return {(r.method, r.path) for r in app._static_routes + app._dynamic_routes}


def test_every_route_declares_its_role_and_every_declaration_is_a_route(server: Server) -> None:
    routes = registered_routes(server.app)
    assert routes - set(ROUTE_ROLES) == set(), "add these routes to ROUTE_ROLES in api/access.py"
    assert set(ROUTE_ROLES) - routes == set(), "these rows of ROUTE_ROLES name no route"


def test_a_route_nobody_declared_is_for_admins_only(server: Server) -> None:
    @server.app.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {"ok": "yes"}

    assert registered_routes(server.app) - set(ROUTE_ROLES) == {("GET", "/api/v1/forgotten")}
    assert server.call("GET", "/api/v1/forgotten", auth=MEMBER)[0] == 403
    assert server.call("GET", "/api/v1/forgotten") == (200, {"ok": "yes"})


def test_the_document_says_which_role_each_operation_needs(server: Server) -> None:
    _, document = server.call("GET", "/api/v1/openapi.json", auth=None)
    paths = document["paths"]
    users = paths["/api/v1/users"]["get"]
    records = paths["/api/v1/catalogs/{catalogId}/records"]["get"]
    assert (users["x-role"], records["x-role"]) == ("admin", "member")
    assert "403" in users["responses"] and "403" not in records["responses"]
    put = paths["/api/v1/scenarios/{scenarioId}"]["put"]  # its own patch kept beside the role's
    assert {"403", "422"} <= set(put["responses"]) and "application/xml" in str(put)


def test_members_use_records_and_read_the_catalogs_they_are_in(server: Server) -> None:
    fields = [{"name": "Title", "type": "text"}]
    status, catalog = server.call("POST", "/api/v1/catalogs", {"name": "Deals", "fields": fields})
    assert status == 200
    base = f"/api/v1/catalogs/{catalog['id']}"
    created = server.call("POST", f"{base}/records", {"values": {"1": "First"}}, auth=MEMBER)
    record = f"{base}/records/{created[1]['id']}"
    changed = server.call("PATCH", record, {"values": {"1": "Second"}}, auth=MEMBER)
    read = server.call("GET", record, auth=MEMBER)
    found = server.call("GET", f"{base}/records", auth=MEMBER)
    card = server.call("POST", f"{record}/updating", {"values": {"1": "x"}}, auth=MEMBER)
    listed = server.call("GET", "/api/v1/catalogs", auth=MEMBER)
    structure = server.call("GET", base, auth=MEMBER)
    deleted = server.call("DELETE", record, auth=MEMBER)
    assert [a[0] for a in (created, changed, read, found, card, listed, structure, deleted)] == [
        200
    ] * 8
    assert read[1]["values"]["1"] == "Second" and [r["id"] for r in found[1]] == [read[1]["id"]]
    assert [c["name"] for c in listed[1]] == ["Deals"] and structure[1]["fields"][0]["id"] == "1"
    # The product's privilege codes: a member edits records, an admin the catalog too.
    assert structure[1]["privilegeCode"] == "edit"
    assert server.call("GET", base)[1]["privilegeCode"] == "admin"
    assert server.call("GET", record, auth=MEMBER)[0] == 404
    assert server.call("PATCH", base, {"name": "Mine"}, auth=MEMBER)[0] == 403


def test_members_see_only_the_processes_they_started(server: Server) -> None:
    server.started_by("p-member", server.ids["member"])
    server.started_by("p-other", server.ids["other"])
    server.started_by("p-system", None)
    mine = server.call("GET", "/api/v1/processes", auth=MEMBER)
    theirs = server.call("GET", "/api/v1/processes", auth=OTHER)
    every = server.call("GET", "/api/v1/processes")
    assert [p["id"] for p in mine[1]] == ["p-member"]
    assert [p["id"] for p in theirs[1]] == ["p-other"]
    assert sorted(p["id"] for p in every[1]) == ["p-member", "p-other", "p-system"]
    assert server.call("GET", "/api/v1/processes/p-member", auth=MEMBER)[1]["id"] == "p-member"
    assert server.call("GET", "/api/v1/processes/p-other")[0] == 200


def test_another_users_process_reads_as_missing(server: Server) -> None:
    server.started_by("p-other", server.ids["other"])
    hidden = server.call("GET", "/api/v1/processes/p-other", auth=MEMBER)
    missing = server.call("GET", "/api/v1/processes/p-none", auth=MEMBER)
    assert hidden[0] == missing[0] == 404
    assert json.dumps(hidden[1]).replace("p-other", "ID") == json.dumps(missing[1]).replace(
        "p-none", "ID"
    )
    assert server.call("POST", "/api/v1/processes/p-other/stop", {}, auth=OTHER)[0] == 403


def test_a_key_scoped_to_member_acts_as_a_member(server: Server) -> None:
    status, minted = server.call("POST", "/api/v1/apikeys", {"name": "ci", "role": "member"})
    assert (status, minted["role"], minted["userId"]) == (200, "member", server.ids["admin"])
    key = {"X-API-Key": minted["key"]}
    assert server.call("GET", "/api/v1/catalogs", auth=None, headers=key)[0] == 200
    refused = server.call("GET", "/api/v1/scenarios", auth=None, headers=key)
    assert (refused[0], refused[1]["code"]) == (403, "forbidden")
    escalate = server.call("POST", "/api/v1/apikeys", {"role": "admin"}, auth=None, headers=key)
    assert (escalate[0], escalate[1]["code"]) == (403, "forbidden")
    full = server.call("POST", "/api/v1/apikeys", {"name": "full"})[1]
    assert full["role"] == "admin"
    scenarios = server.call("GET", "/api/v1/scenarios", auth=f"Bearer {full['key']}")
    assert scenarios[0] == 200


def test_a_member_cannot_mint_an_admin_key(server: Server) -> None:
    status, body = server.call("POST", "/api/v1/apikeys", {"role": "admin"}, auth=MEMBER)
    assert (status, body["code"]) == (403, "forbidden")
    assert "admin role" in body["message"] and "member" in body["message"]
    assert server.call("GET", "/api/v1/apikeys", auth=MEMBER) == (200, [])
    own = server.call("POST", "/api/v1/apikeys", {"name": "mine"}, auth=MEMBER)[1]
    assert own["role"] == "member"


def test_keys_are_listed_without_secrets_and_revoked_by_their_owner(server: Server) -> None:
    minted = server.call("POST", "/api/v1/apikeys", {"name": "mine"}, auth=MEMBER)[1]
    secret = minted["key"].split(".", 1)[1]
    status, listed = server.call("GET", "/api/v1/apikeys", auth=MEMBER)
    assert status == 200 and [k["name"] for k in listed] == ["mine"]
    assert secret not in json.dumps(listed) and "key" not in listed[0]
    assert server.call("GET", "/api/v1/apikeys", auth=OTHER) == (200, [])
    path = f"/api/v1/apikeys/{minted['id']}"
    assert server.call("DELETE", path, auth=OTHER)[0] == 404  # not theirs: as if missing
    assert server.call("DELETE", path, auth=MEMBER) == (200, {"id": minted["id"]})
    assert server.call("GET", "/api/v1/catalogs", auth=f"Bearer {minted['key']}")[0] == 401
    assert server.call("DELETE", path, auth=MEMBER)[0] == 404


def test_an_admin_may_revoke_anyones_key(server: Server) -> None:
    minted = server.call("POST", "/api/v1/apikeys", {"name": "leaked"}, auth=MEMBER)[1]
    assert server.call("DELETE", f"/api/v1/apikeys/{minted['id']}")[0] == 200
    listed = server.call("GET", "/api/v1/apikeys", auth=MEMBER)[1]
    assert listed[0]["revokedAt"] is not None


def test_the_dev_server_makes_its_configured_admin_an_admin_on_every_start(
    tmp_path: Path,
) -> None:
    settings = Settings(demo=False, admin_email="boss@example.com", admin_password="boss-pw")
    runtime = build_runtime(tmp_path / "old.db", settings)
    try:
        runtime.services.users.create("boss@example.com", "boss-pw")  # as an old database has it
        assert ensure_admin(runtime)  # the configured password works
        boss = runtime.services.users.by_login("boss@example.com")
        assert boss is not None and boss.role is Role.ADMIN
        runtime.services.users.set_password(boss.id, "changed")
        assert not ensure_admin(runtime)  # still an admin; the banner says the password differs
    finally:
        runtime.close()
