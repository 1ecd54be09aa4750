"""`/api/v1/users`: create, list, change and delete users, and the last-admin guard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from automations.api.services import ApiConfig
from automations.model.user import Role
from support.api import BASIC, Api, MakeApi, basic


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    # No remembered credentials: a changed password or role bites on the next request.
    return make_api(config=ApiConfig(auth_cache_seconds=0))


def admin_id(api: Api) -> str:
    return str(api.call("GET", "/api/v1/users").body[0]["id"])


def test_create_a_member_who_can_then_sign_in(api: Api) -> None:
    body = {"email": "ann@example.com", "password": "long enough", "name": "Ann"}
    created = api.call("POST", "/api/v1/users", body)
    assert created.status == 200
    assert {k: v for k, v in created.body.items() if k not in ("id", "createdAt")} == {
        "email": "ann@example.com",
        "name": "Ann",
        "role": "member",
        "active": True,
    }
    ann = basic("ann@example.com", "long enough")
    assert api.call("GET", "/api/v1/catalogs", auth=ann).status == 200
    assert api.call("GET", "/api/v1/users", auth=ann).status == 403


def test_create_an_admin(api: Api) -> None:
    body = {"email": "boss@example.com", "password": "long enough", "role": "admin"}
    assert api.call("POST", "/api/v1/users", body).body["role"] == "admin"
    boss = basic("boss@example.com", "long enough")
    assert api.call("GET", "/api/v1/users", auth=boss).status == 200


def test_an_email_is_taken_once_whatever_its_case(api: Api) -> None:
    body = {"email": "ann@example.com", "password": "long enough"}
    api.call("POST", "/api/v1/users", body)
    again = api.call("POST", "/api/v1/users", body | {"email": "ANN@example.com"})
    assert (again.status, again.body["code"], again.body["fieldId"]) == (409, "conflict", "email")


def test_list_shows_every_user_and_no_password_hash(api: Api) -> None:
    api.call("POST", "/api/v1/users", {"email": "ann@example.com", "password": "long enough"})
    listed = api.call("GET", "/api/v1/users")
    assert [(u["email"], u["role"]) for u in listed.body] == [
        ("admin@example.ru", "admin"),
        ("ann@example.com", "member"),
    ]
    text = json.dumps(listed.body)
    assert "scrypt" not in text and "password" not in text.lower()
    one = api.call("GET", f"/api/v1/users/{listed.body[1]['id']}")
    assert one.body == listed.body[1]
    assert api.call("GET", "/api/v1/users/999").status == 404


def test_patch_changes_role_name_and_password(api: Api) -> None:
    ann = api.user("ann@example.com", password="first passw0rd")
    user_id = api.call("GET", "/api/v1/users").body[1]["id"]
    patch = {"role": "admin", "name": "Ann B.", "password": "second passw0rd"}
    changed = api.call("PATCH", f"/api/v1/users/{user_id}", patch)
    assert (changed.status, changed.body["role"], changed.body["name"]) == (200, "admin", "Ann B.")
    assert api.call("GET", "/api/v1/catalogs", auth=ann).status == 401
    renewed = basic("ann@example.com", "second passw0rd")
    assert api.call("GET", "/api/v1/users", auth=renewed).status == 200
    only_name = api.call("PATCH", f"/api/v1/users/{user_id}", {"name": "Ann"})
    assert (only_name.body["role"], only_name.body["name"]) == ("admin", "Ann")
    assert api.call("PATCH", "/api/v1/users/999", {"name": "x"}).status == 404


def test_a_demoted_admin_is_refused_at_once(api: Api) -> None:
    boss = api.user("boss@example.com", role=Role.ADMIN)
    user_id = api.call("GET", "/api/v1/users").body[1]["id"]
    assert api.call("GET", "/api/v1/users", auth=boss).status == 200
    api.call("PATCH", f"/api/v1/users/{user_id}", {"role": "member"})
    refused = api.call("GET", "/api/v1/users", auth=boss)
    assert (refused.status, refused.body["code"]) == (403, "forbidden")


def test_delete_removes_the_user_and_their_access(api: Api) -> None:
    ann = api.user("ann@example.com")
    user_id = api.call("GET", "/api/v1/users").body[1]["id"]
    assert api.call("GET", "/api/v1/catalogs", auth=ann).status == 200
    assert api.call("DELETE", f"/api/v1/users/{user_id}").body == {"id": user_id}
    assert api.call("GET", "/api/v1/catalogs", auth=ann).status == 401
    assert api.call("DELETE", f"/api/v1/users/{user_id}").status == 404
    assert [u["email"] for u in api.call("GET", "/api/v1/users").body] == ["admin@example.ru"]


def test_the_last_admin_can_be_neither_demoted_nor_deleted(api: Api) -> None:
    me = admin_id(api)
    demoted = api.call("PATCH", f"/api/v1/users/{me}", {"role": "member", "name": "Renamed"})
    deleted = api.call("DELETE", f"/api/v1/users/{me}")
    for answer in (demoted, deleted):
        assert (answer.status, answer.body["code"]) == (409, "last_admin")
        assert (
            answer.body["message"] == f"user {me} is the last admin: make another user admin first"
        )
    assert api.call("GET", f"/api/v1/users/{me}").body["name"] == "Admin"  # nothing changed


def test_an_admin_may_step_down_once_another_is_admin(api: Api) -> None:
    api.user("boss@example.com", role=Role.ADMIN)
    me = admin_id(api)
    assert api.call("PATCH", f"/api/v1/users/{me}", {"role": "member"}).status == 200
    assert api.call("GET", "/api/v1/users").status == 403  # BASIC is the former admin's


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"password": "long enough"}, "body.email"),
        ({"email": "not an email", "password": "long enough"}, "body.email"),
        ({"email": "a@b.c", "password": "short"}, "body.password"),
        ({"email": "a@b.c", "password": "long enough", "role": "owner"}, "body.role"),
        ({"email": "a@b.c", "password": "long enough", "roles": ["admin"]}, "body.roles"),
        ({"email": "a@b.c", "password": "x" * 2000}, "body.password"),
        ({"email": "a@b.c", "password": "long enough", "name": 5}, "body.name"),
    ],
)
def test_a_bad_new_user_is_400_naming_the_field(
    api: Api, body: dict[str, Any], location: str
) -> None:
    answer = api.call("POST", "/api/v1/users", body)
    assert (answer.status, answer.body["code"]) == (400, "request_invalid")
    assert answer.body["errors"][0]["location"] == location
    assert answer.body["message"].startswith(location)


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"role": "root"}, "body.role"),
        ({"password": "short"}, "body.password"),
        ({"email": "new@example.com"}, "body.email"),
    ],
)
def test_a_bad_patch_is_400_naming_the_field(api: Api, body: dict[str, Any], location: str) -> None:
    answer = api.call("PATCH", f"/api/v1/users/{admin_id(api)}", body)
    assert (answer.status, answer.body["errors"][0]["location"]) == (400, location)


def test_a_body_that_is_no_object_or_holds_a_lone_surrogate_is_400(api: Api) -> None:
    not_object = api.call("POST", "/api/v1/users", [1, 2])
    surrogate = api.call(
        "POST",
        "/api/v1/users",
        raw_body='{"email": "a@b.c", "password": "long \\ud800 enough"}',
    )
    assert (not_object.status, surrogate.status) == (400, 400)
    assert surrogate.body["errors"][0]["location"] == "body.password"


def test_users_are_the_admins_business(api: Api) -> None:
    ann = api.user("ann@example.com")
    for method, path in (("GET", "/api/v1/users"), ("DELETE", f"/api/v1/users/{admin_id(api)}")):
        answer = api.call(method, path, auth=ann)
        assert (answer.status, answer.body["code"]) == (403, "forbidden")
    assert api.call("GET", "/api/v1/users", auth=None).status == 401
    assert api.call("GET", "/api/v1/users", auth=BASIC).status == 200


@pytest.mark.parametrize("user_id", ["³", "١", "x", "-1", "9" * 30])
def test_an_id_that_names_no_user_is_404(api: Api, user_id: str) -> None:
    answers = [
        api.call("GET", f"/api/v1/users/{user_id}"),
        api.call("PATCH", f"/api/v1/users/{user_id}", {"name": "x"}),
        api.call("DELETE", f"/api/v1/users/{user_id}"),
    ]
    assert [(a.status, a.body["code"]) for a in answers] == [(404, "not_found")] * 3
