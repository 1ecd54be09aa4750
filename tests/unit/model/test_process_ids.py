"""Process ids begin with their time (UUIDv7 layout) so that new processes sit side by side in
the store's index; ids for the same event stay the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from automations.model.process_ids import new_process_id, process_id_for

T = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_new_ids_are_uuid7_that_sort_by_time() -> None:
    earlier = [new_process_id(T.timestamp() + i / 1000) for i in range(50)]
    later = new_process_id(T.timestamp() + 1)
    assert sorted(earlier)[-1] < later
    parsed = uuid.UUID(later)
    assert (parsed.version, parsed.variant, len(later)) == (7, uuid.RFC_4122, 32)
    assert parsed.int >> 80 == int((T.timestamp() + 1) * 1000)
    assert len(set(earlier)) == 50  # the random part tells apart ids of one millisecond


def test_ids_for_the_same_parts_and_time_are_the_same() -> None:
    first = process_id_for(T, "event", "e1", "s1")
    assert process_id_for(T, "event", "e1", "s1") == first
    assert process_id_for(T, "event", "e1", "s2") != first
    assert uuid.UUID(first).version == 7
    assert process_id_for(T + timedelta(seconds=1), "event", "e1", "s1") > first
