"""The base of every edge model: camelCase on the wire, snake_case in Python, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, StringConstraints
from pydantic.alias_generators import to_camel


def utc_iso(moment: datetime) -> str:
    """The product's date format: UTC with milliseconds and a `Z` (`2015-11-06T21:00:00.000Z`)."""
    offset = moment.utcoffset()
    if offset is None:
        moment = moment.replace(tzinfo=UTC)
    elif offset:
        moment = moment.astimezone(UTC)
    # A stored process holds a dozen times, most within one second: each second's text is made
    # once (a synchronous web request stores one process per call).
    second = _second_text(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )
    return f"{second}.{moment.microsecond // 1000:03d}Z"


@lru_cache(maxsize=1024)
def _second_text(year: int, month: int, day: int, hour: int, minute: int, second: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def from_epoch(seconds: float) -> datetime:
    """A Clock reading (seconds since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)


# Times leave the service in the product's format whatever the adapter stored.
UtcDateTime = Annotated[datetime, PlainSerializer(utc_iso, return_type=str)]
# A time that is only ever shown, kept as the product's text (`2015-11-06T21:00:00.000Z`): a
# datetime costs a Python call to format each time it is written, and a process's trace has
# two per step (every synchronous web request stores one).
UtcText = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]


class CamelModel(BaseModel):
    """Fields are snake_case in Python and camelCase in JSON (both accepted on input)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
    )
