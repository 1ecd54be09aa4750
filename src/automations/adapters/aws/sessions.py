"""SessionStore and SignInThrottle on DynamoDB, in the Sessions table (`tables.py`).

A session is one item (`SESSION#<id>`/`SESSION`, the id being the hash of the cookie's token)
indexed by user on GSI1 (`USERSESSIONS#<user id>`), so that a password change ends every
session of its user with one query. Failed sign-ins are one item per login
(`SIGNIN#<login>`/`FAILURES`). Both carry `expiresAt` (epoch seconds) for the table's TTL,
which deletes them some time after they stopped mattering; reads never rely on it.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime
from typing import Any

from automations.adapters.aws import dynamo
from automations.adapters.aws.client_errors import Meaning, meaning
from automations.adapters.aws.tables import GSI1, TTL_ATTRIBUTE
from automations.model.base import utc_iso
from automations.model.session import Session, SignInFailures

SIGN_IN_ATTEMPTS = 4  # another server reset or counted the same window meanwhile: try again


def _session_key(session_id: str) -> dict[str, str]:
    return {"pk": f"SESSION#{session_id}", "sk": "SESSION"}


def _failures_key(login: str) -> dict[str, str]:
    return {"pk": f"SIGNIN#{login}", "sk": "FAILURES"}


class DynamoSessionStore:
    """Browser sessions; `DynamoSessionStore(client, "Automations")`."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, session: Session) -> None:
        attributes = {
            **_session_key(session.id),
            "userId": session.user_id,
            "csrfToken": session.csrf_token,
            "createdAt": utc_iso(session.created_at),
            "expiresAtText": utc_iso(session.expires_at),
            TTL_ATTRIBUTE: math.ceil(session.expires_at.timestamp()),
            "gsi1pk": f"USERSESSIONS#{session.user_id}",
            "gsi1sk": f"{utc_iso(session.created_at)}#{session.id}",
        }
        self._client.put_item(TableName=self._table, Item=dynamo.item(attributes))

    def get(self, session_id: str) -> Session | None:
        found = dynamo.get(self._client, self._table, _session_key(session_id))
        if found is None:
            return None
        return Session(
            id=session_id,
            user_id=str(found["userId"]),
            csrf_token=str(found["csrfToken"]),
            created_at=datetime.fromisoformat(found["createdAt"]),
            expires_at=datetime.fromisoformat(found["expiresAtText"]),
        )

    def delete(self, session_id: str) -> bool:
        return dynamo.delete_existing(self._client, self._table, _session_key(session_id), "pk")

    def delete_user(self, user_id: str) -> int:
        keys = [
            {"pk": found["pk"]["S"], "sk": found["sk"]["S"]}
            for found in dynamo.query(
                self._client,
                TableName=self._table,
                IndexName=GSI1,
                KeyConditionExpression="gsi1pk = :u",
                ExpressionAttributeValues={":u": {"S": f"USERSESSIONS#{user_id}"}},
                ProjectionExpression="pk, sk",
            )
        ]
        dynamo.batch_delete(self._client, self._table, keys)
        return len(keys)


class DynamoSignInThrottle:
    """Failed sign-ins per login; window starts are kept in milliseconds (N is an integer)."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def failures(self, login: str) -> SignInFailures | None:
        found = dynamo.get(self._client, self._table, _failures_key(login))
        return None if found is None else _failures(found)

    def add_failure(self, login: str, now: float, window_seconds: float) -> SignInFailures:
        cutoff = {"N": str(int((now - window_seconds) * 1000))}
        expires = {"N": str(math.ceil(now + 2 * window_seconds))}
        for _ in range(SIGN_IN_ATTEMPTS):
            # Most often the window is current: one more in it.
            try:
                answer = self._client.update_item(
                    TableName=self._table,
                    Key=dynamo.item(_failures_key(login)),
                    UpdateExpression="ADD failures :one SET #ttl = :expires",
                    ConditionExpression="windowStartMs > :cutoff",
                    ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":cutoff": cutoff,
                        ":expires": expires,
                    },
                    ReturnValues="ALL_NEW",
                )
                return _failures(dynamo.plain(answer["Attributes"]))
            except Exception as exc:
                if meaning(exc) is not Meaning.CONDITION_FAILED:
                    raise
            # None, or a window that has passed: a new one, unless another server began it.
            fresh = {
                **_failures_key(login),
                "failures": 1,
                "windowStartMs": int(now * 1000),
                TTL_ATTRIBUTE: int(expires["N"]),
            }
            if dynamo.condition_held(functools.partial(self._put_fresh, fresh, cutoff)):
                return SignInFailures(count=1, window_start=now)
        raise RuntimeError("sign-in failures of one login kept changing: try again")

    def _put_fresh(self, attributes: dict[str, Any], cutoff: dict[str, str]) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=dynamo.item(attributes),
            ConditionExpression="attribute_not_exists(pk) OR windowStartMs <= :cutoff",
            ExpressionAttributeValues={":cutoff": cutoff},
        )

    def clear(self, login: str) -> None:
        self._client.delete_item(TableName=self._table, Key=dynamo.item(_failures_key(login)))


def _failures(found: dict[str, Any]) -> SignInFailures:
    return SignInFailures(
        count=int(found.get("failures", 0)), window_start=int(found["windowStartMs"]) / 1000
    )
