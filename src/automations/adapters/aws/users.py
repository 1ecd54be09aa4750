"""UserStore and ApiKeyStore on DynamoDB, with the hashing of `automations.model.user`.

A user's login is kept unique by a claim item (`LOGIN`/<login folded>) written in the same
transaction as the user. Logins compare as the SQLite store's `COLLATE NOCASE` does: ASCII
letters fold, other letters do not (so both stores accept and refuse the same logins).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.dynamo import TransactionCancelled, padded
from automations.adapters.aws.tables import GSI1
from automations.asl.ports import Clock
from automations.model.base import from_epoch, utc_iso
from automations.model.user import (
    KEY_SEPARATOR,
    ApiKey,
    User,
    api_key_text,
    hash_api_secret,
    hash_password,
    new_api_key,
    same_secret_hash,
    verify_password,
)
from automations.ports import StoreConflict

USERS = "USER"
LOGINS = "LOGIN"
KEYS = "APIKEY"
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

    def create(self, login: str, password: str, name: str = "") -> User:
        if dynamo.get(self._client, self._table, _login_key(login)) is not None:
            raise StoreConflict(f"login {login!r} is taken")  # spares a counter value
        user = User(
            id=str(dynamo.next_number(self._client, self._table, "users")),
            login=login,
            name=name,
            created_at=from_epoch(self._clock.now()),
        )
        user_item = {
            **_user_key(user.id),
            "id": user.id,
            "login": login,
            "name": name,
            "passwordHash": hash_password(password),
            "active": True,
            "createdAt": utc_iso(user.created_at),
        }
        try:
            dynamo.transact(
                self._client,
                [
                    _put_new(self._table, {**_login_key(login), "userId": user.id}),
                    _put_new(self._table, user_item),
                ],
            )
        except TransactionCancelled as exc:
            raise StoreConflict(f"login {login!r} is taken") from exc
        return user

    def get(self, user_id: str) -> User | None:
        found = self._item(user_id)
        return None if found is None else _user(found)

    def _item(self, user_id: str) -> dict[str, Any] | None:
        if not user_id.isdigit():
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
        if not user_id.isdigit():
            return False
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dynamo.item(_user_key(user_id)),
                UpdateExpression="SET passwordHash = :h",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":h": {"S": hash_password(password)}},
            )
        except Exception as exc:
            if dynamo.condition_failed(exc):
                return False
            raise
        return True


class DynamoApiKeyStore:
    """API keys in the Automations table (`<id>.<secret>`; the secret is kept hashed).

    keys = DynamoApiKeyStore(client, "Automations", RealClock())
    """

    def __init__(self, client: Any, table: str, clock: Clock) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def create(self, user_id: str, name: str = "") -> tuple[ApiKey, str]:
        key, secret = new_api_key(user_id, name, from_epoch(self._clock.now()))
        if not user_id.isdigit():
            raise StoreConflict(f"no user {user_id} to own the key")
        created = utc_iso(key.created_at)
        key_item = {
            "pk": KEYS,
            "sk": key.id,
            "userId": user_id,
            "name": name,
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
        if not key_id or not secret:
            return None
        found = dynamo.get(self._client, self._table, {"pk": KEYS, "sk": key_id})
        if found is None or "revokedAt" in found:
            return None
        if not same_secret_hash(hash_api_secret(secret), found["secretHash"]):
            return None
        owner = dynamo.get(self._client, self._table, _user_key(found["userId"]))
        return None if owner is None or not owner["active"] else _user(owner)

    def revoke(self, key_id: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dynamo.item({"pk": KEYS, "sk": key_id}),
                UpdateExpression="SET revokedAt = :t",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revokedAt)",
                ExpressionAttributeValues={":t": {"S": utc_iso(from_epoch(self._clock.now()))}},
            )
        except Exception as exc:
            if dynamo.condition_failed(exc):
                return False
            raise
        return True

    def of_user(self, user_id: str) -> list[ApiKey]:
        if not user_id.isdigit():
            return []
        found = dynamo.query(
            self._client,
            TableName=self._table,
            IndexName=GSI1,
            KeyConditionExpression="gsi1pk = :u",
            ExpressionAttributeValues={":u": {"S": f"USERKEYS#{user_id}"}},
        )
        return [_key(dynamo.plain(i)) for i in found]


def _put_new(table: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": dynamo.item(attributes),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _user(found: dict[str, Any]) -> User:
    return User(
        id=found["id"],
        login=found["login"],
        name=found["name"],
        active=found["active"],
        created_at=datetime.fromisoformat(found["createdAt"]),
    )


def _key(found: dict[str, Any]) -> ApiKey:
    revoked = found.get("revokedAt")
    return ApiKey(
        id=found["sk"],
        user_id=found["userId"],
        name=found["name"],
        created_at=datetime.fromisoformat(found["createdAt"]),
        revoked_at=None if revoked is None else datetime.fromisoformat(revoked),
    )
