"""The base of every edge model: camelCase on the wire, snake_case in Python, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel


def utc_iso(moment: datetime) -> str:
    """The product's date format: UTC with milliseconds and a `Z` (`2015-11-06T21:00:00.000Z`)."""
    if moment.tzinfo is not UTC:  # (every time the service makes is UTC already)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" -> "Z"


def from_epoch(seconds: float) -> datetime:
    """A Clock reading (seconds since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)


# Times leave the service in the product's format whatever the adapter stored.
UtcDateTime = Annotated[datetime, PlainSerializer(utc_iso, return_type=str)]


class CamelModel(BaseModel):
    """Fields are snake_case in Python and camelCase in JSON (both accepted on input)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
    )
