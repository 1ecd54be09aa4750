"""UserStore and ApiKeyStore on DynamoDB, with the hashing of `automations.model.user`.

A user's login is kept unique by a claim item (`LOGIN`/<login folded>) written in the same
transaction as the user. Logins compare as the SQLite store's `COLLATE NOCASE` does: ASCII
letters fold, other letters do not (so both stores accept and refuse the same logins).

Users and keys written before roles existed have no `role` and read as members. The number of
admins is one counter item (`ADMINS`/`count`) that every write giving or taking the role changes
in the same transaction; taking it is conditional on the counter staying above zero, so the last
admin can be neither demoted nor deleted, even by two admins acting at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.dynamo import padded
from automations.adapters.aws.errors import TransactionCancelled
from automations.adapters.aws.tables import GSI1
from automations.asl.ports import Clock
from automations.errors import LastAdmin, StoreConflict
from automations.model.base import from_epoch, utc_iso
from automations.model.user import (
    KEY_SEPARATOR,
    ApiKey,
    Role,
    User,
    api_key_text,
    hash_api_secret,
    hash_password,
    is_user_id,
    key_role,
    lower_role,
    new_api_key,
    same_secret_hash,
    verify_password,
)

USERS = "USER"
LOGINS = "LOGIN"
KEYS = "APIKEY"
ADMINS = {"pk": "ADMINS", "sk": "count"}
CHANGE_ATTEMPTS = 5  # a user changed meanwhile: read again and retry
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Checked against when the login is unknown, so that the answer takes as long either way.
_DUMMY_HASH = hash_password("not a password of anyone")


def _login_key(login: str) -> dict[str, str]:
    return {"pk": LOGINS, "sk": login.translate(_ASCII_LOWER)}


def _user_key(user_id: str) -> dict[str, str]:
    return {"pk": USERS, "sk": padded(user_id)}


class DynamoUserStore:
    """Users in the Automations table; ids from the `users` counter.

    users = DynamoUserStore(client, "Automations", RealClock())
    """

    def __init__(self, client: Any, table: str, clock: Clock) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def create(self, login: str, password: str, name: str = "", role: Role = Role.MEMBER) -> User:
        if dynamo.get(self._client, self._table, _login_key(login)) is not None:
            raise StoreConflict(f"login {login!r} is taken")  # spares a counter value
        user = User(
            id=str(dynamo.next_number(self._client, self._table, "users")),
            login=login,
            name=name,
            role=role,
            created_at=from_epoch(self._clock.now()),
        )
        user_item = {
            **_user_key(user.id),
            "id": user.id,
            "login": login,
            "name": name,
            "passwordHash": hash_password(password),
            "role": str(role),
            "active": True,
            "createdAt": utc_iso(user.created_at),
        }
        actions = [
            _put_new(self._table, {**_login_key(login), "userId": user.id}),
            _put_new(self._table, user_item),
        ]
        if role is Role.ADMIN:
            actions.append(_count_admins(self._table, +1))
        try:
            dynamo.transact(self._client, actions)
        except TransactionCancelled as exc:
            raise StoreConflict(f"login {login!r} is taken") from exc
        return user

    def get(self, user_id: str) -> User | None:
        found = self._item(user_id)
        return None if found is None else _user(found)

    def by_login(self, login: str) -> User | None:
        claim = dynamo.get(self._client, self._table, _login_key(login))
        return None if claim is None else self.get(claim["userId"])

    def all(self) -> list[User]:
        # Sort keys are zero-padded ids: the partition comes in creation order.
        return [_user(found) for found in dynamo.partition(self._client, self._table, USERS)]

    def change(
        self, user_id: str, *, name: str | None = None, role: Role | None = None
    ) -> User | None:
        if name is None and role is None:
            return self.get(user_id)
        for _ in range(CHANGE_ATTEMPTS):
            found = self._item(user_id)
            if found is None:
                return None
            update = _set_fields(self._table, found, {"name": name, "role": role})
            if self._applied([update], found, _admin_delta(_role(found), role or _role(found))):
                return self.get(user_id)
        raise StoreConflict(f"user {user_id} is being changed by someone else: try again")

    def delete(self, user_id: str) -> bool:
        for _ in range(CHANGE_ATTEMPTS):
            found = self._item(user_id)
            if found is None:
                return False
            user = {"TableName": self._table, "Key": dynamo.item(_user_key(user_id))}
            claim = {"TableName": self._table, "Key": dynamo.item(_login_key(found["login"]))}
            actions = [{"Delete": user | _unchanged_role(found)}, {"Delete": claim}]
            if self._applied(actions, found, -1 if _role(found) is Role.ADMIN else 0):
                keys = [
                    {"pk": KEYS, "sk": k.id} for k in _keys_of(self._client, self._table, user_id)
                ]
                dynamo.batch_delete(self._client, self._table, keys)  # dead without their owner
                return True
        raise StoreConflict(f"user {user_id} is being changed by someone else: try again")

    def _applied(self, actions: list[dict[str, Any]], found: dict[str, Any], admins: int) -> bool:
        """Run the writes, moving the admin counter by `admins`; False when the user changed
        since it was read (read it again), LastAdmin when the counter would reach zero."""
        if admins:
            actions = [*actions, _count_admins(self._table, admins)]
        try:
            dynamo.transact(self._client, actions)
        except TransactionCancelled as exc:
            if admins < 0 and exc.failed(len(actions) - 1):
                raise LastAdmin(
                    f"user {found['id']} is the last admin: make another user admin first"
                ) from exc
            return False
        return True

    def _item(self, user_id: str) -> dict[str, Any] | None:
        if not is_user_id(user_id):
            return None
        return dynamo.get(self._client, self._table, _user_key(user_id))

    def authenticate(self, login: str, password: str) -> User | None:
        claim = dynamo.get(self._client, self._table, _login_key(login))
        found = None if claim is None else self._item(claim["userId"])
        stored = _DUMMY_HASH if found is None else found["passwordHash"]
        if not verify_password(password, stored) or found is None or not found["active"]:
            return None
        return _user(found)

    def set_password(self, user_id: str, password: str) -> bool:
        if not is_user_id(user_id):
            return False
        return dynamo.condition_held(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=dynamo.item(_user_key(user_id)),
                UpdateExpression="SET passwordHash = :h",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":h": {"S": hash_password(password)}},
            )
        )


class DynamoApiKeyStore:
    """API keys in the Automations table (`<id>.<secret>`; the secret is kept hashed).

    keys = DynamoApiKeyStore(client, "Automations", RealClock())
    """

    def __init__(self, client: Any, table: str, clock: Clock) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def create(self, user_id: str, name: str = "", role: Role | None = None) -> tuple[ApiKey, str]:
        owner = (
            dynamo.get(self._client, self._table, _user_key(user_id))
            if is_user_id(user_id)
            else None
        )
        if owner is None:
            raise StoreConflict(f"no user {user_id} to own the key")
        # A demotion between this read and the write is harmless: keys act with at most
        # their owner's current role.
        scoped = key_role(_role(owner), role)
        key, secret = new_api_key(user_id, name, from_epoch(self._clock.now()), scoped)
        created = utc_iso(key.created_at)
        key_item = {
            "pk": KEYS,
            "sk": key.id,
            "userId": user_id,
            "name": name,
            "role": str(scoped),
            "secretHash": hash_api_secret(secret),
            "createdAt": created,
            "gsi1pk": f"USERKEYS#{user_id}",
            "gsi1sk": f"{created}#{key.id}",
        }
        try:
            dynamo.transact(
                self._client,
                [
                    {
                        "ConditionCheck": {
                            "TableName": self._table,
                            "Key": dynamo.item(_user_key(user_id)),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    _put_new(self._table, key_item),
                ],
            )
        except TransactionCancelled as exc:
            raise StoreConflict(f"no user {user_id} to own the key") from exc
        return key, api_key_text(key, secret)

    def authenticate(self, key: str) -> User | None:
        key_id, _, secret = key.partition(KEY_SEPARATOR)
        if not _is_key_id(key_id) or not secret:
            return None
        found = dynamo.get(self._client, self._table, {"pk": KEYS, "sk": key_id})
        if found is None or "revokedAt" in found:
            return None
        if not same_secret_hash(hash_api_secret(secret), found["secretHash"]):
            return None
        owner = dynamo.get(self._client, self._table, _user_key(found["userId"]))
        if owner is None or not owner["active"]:
            return None
        acting = lower_role(_role(found), _role(owner))
        return _user(owner).model_copy(update={"role": acting})

    def revoke(self, key_id: str) -> bool:
        if not _is_key_id(key_id):
            return False
        return dynamo.condition_held(
            lambda: self._client.update_item(
                TableName=self._table,
                Key=dynamo.item({"pk": KEYS, "sk": key_id}),
                UpdateExpression="SET revokedAt = :t",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revokedAt)",
                ExpressionAttributeValues={":t": {"S": utc_iso(from_epoch(self._clock.now()))}},
            )
        )

    def of_user(self, user_id: str) -> list[ApiKey]:
        return _keys_of(self._client, self._table, user_id)


def _keys_of(client: Any, table: str, user_id: str) -> list[ApiKey]:
    if not is_user_id(user_id):
        return []
    found = dynamo.query(
        client,
        TableName=table,
        IndexName=GSI1,
        KeyConditionExpression="gsi1pk = :u",
        ExpressionAttributeValues={":u": {"S": f"USERKEYS#{user_id}"}},
    )
    return [_key(dynamo.plain(i)) for i in found]


def _is_key_id(text: str) -> bool:
    """Whether `text` can be a key's id (DynamoDB refuses an empty or over-long key: a 500)."""
    return 0 < len(text) <= 64 and text.isascii() and text.isalnum()


def _put_new(table: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": dynamo.item(attributes),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _role(found: dict[str, Any]) -> Role:
    return Role(found.get("role", Role.MEMBER))


def _count_admins(table: str, delta: int) -> dict[str, Any]:
    """The transaction action moving the admin counter (never below one when taking)."""
    update: dict[str, Any] = {
        "TableName": table,
        "Key": dynamo.item(ADMINS),
        "UpdateExpression": "ADD #n :d",
        "ExpressionAttributeNames": {"#n": "n"},
        "ExpressionAttributeValues": {":d": {"N": str(delta)}},
    }
    if delta < 0:
        update["ConditionExpression"] = "#n > :one"
        update["ExpressionAttributeValues"][":one"] = {"N": "1"}
    return {"Update": update}


def _set_fields(table: str, found: dict[str, Any], fields: dict[str, str | None]) -> dict[str, Any]:
    """The transaction action setting the fields given (not None) on a user read as `found`."""
    chosen = {k: str(v) for k, v in fields.items() if v is not None}
    guard = _unchanged_role(found)
    return {
        "Update": {
            "TableName": table,
            "Key": dynamo.item(_user_key(found["id"])),
            "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in chosen),
            "ConditionExpression": guard["ConditionExpression"],
            "ExpressionAttributeNames": guard["ExpressionAttributeNames"]
            | {f"#{k}": k for k in chosen},
            "ExpressionAttributeValues": guard.get("ExpressionAttributeValues", {})
            | {f":{k}": {"S": v} for k, v in chosen.items()},
        }
    }


def _admin_delta(before: Role, after: Role) -> int:
    """How a change of role moves the number of admins."""
    return (after is Role.ADMIN) - (before is Role.ADMIN)


def _unchanged_role(found: dict[str, Any]) -> dict[str, Any]:
    """A condition that the user still exists with the role it was read with."""
    if "role" not in found:
        return {
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#role)",
            "ExpressionAttributeNames": {"#role": "role"},
        }
    return {
        "ConditionExpression": "#role = :was",
        "ExpressionAttributeNames": {"#role": "role"},
        "ExpressionAttributeValues": {":was": {"S": found["role"]}},
    }


def _user(found: dict[str, Any]) -> User:
    return User(
        id=found["id"],
        login=found["login"],
        name=found["name"],
        role=_role(found),
        active=found["active"],
        created_at=datetime.fromisoformat(found["createdAt"]),
    )


def _key(found: dict[str, Any]) -> ApiKey:
    revoked = found.get("revokedAt")
    return ApiKey(
        id=found["sk"],
        user_id=found["userId"],
        name=found["name"],
        role=_role(found),
        created_at=datetime.fromisoformat(found["createdAt"]),
        revoked_at=None if revoked is None else datetime.fromisoformat(revoked),
    )
