"""One Records-table stream record (as Lambda delivers it) -> the ChangeEvent the write caused.

The record store puts the event into the item it writes (see `records._attributes`), so the
NEW image alone rebuilds exactly the event the SQLite outbox would hold: its id, type, values
(the whole record after a create, the changed fields after an update, the last values before a
delete), previous values, user, chain depth and time. REMOVE records (a tombstone's TTL
expiring, or a catalog's records deleted with it) cause no event; neither does a MODIFY whose
image carries the same event as before. No boto3 here: the dispatcher imports this on cold start.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from automations.adapters.aws.dynamo import loads, plain
from automations.model.event import ChangeEvent, EventType

EVENT_NAMES = frozenset({"INSERT", "MODIFY"})


def change_event(record: Mapping[str, Any]) -> ChangeEvent | None:
    """The event of one stream record, or None when the record reports no write of ours."""
    if record.get("eventName") not in EVENT_NAMES:
        return None
    images = record.get("dynamodb", {})
    new_image = images.get("NewImage")
    if not new_image:
        return None
    new = plain(new_image)
    old = plain(images.get("OldImage") or {})
    if "eventId" not in new or new["eventId"] == old.get("eventId"):
        return None
    values = new["eventValues"] if "eventValues" in new else new["values"]
    return ChangeEvent(
        id=new["eventId"],
        type=EventType(new["eventType"]),
        catalog_id=new["catalogId"],
        record_id=new["recordId"],
        values=loads(values),
        prev_values=loads(new.get("eventPrevValues")),
        user_id=new.get("eventUserId"),
        depth=new.get("eventDepth", 0),
        created_at=datetime.fromisoformat(new["eventAt"]),
    )
