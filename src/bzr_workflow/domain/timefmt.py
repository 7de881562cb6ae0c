"""Instants shown in the institution's local time, and user-typed instants read back."""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import UTC, date, datetime, timedelta, timezone

from .errors import BadInput


@lru_cache(maxsize=64)
def zone(utc_offset: str) -> timezone:
    sign = -1 if utc_offset.startswith("-") else 1
    hours, _, minutes = utc_offset.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def local_iso(instant: datetime, utc_offset: str) -> str:
    return instant.astimezone(zone(utc_offset)).isoformat(timespec="seconds")


def local_short(instant: datetime, utc_offset: str) -> str:
    return instant.astimezone(zone(utc_offset)).strftime("%Y-%m-%d %H:%M")


def parse_instant(text: str, utc_offset: str, end: bool = True) -> datetime:
    """An ISO date or date-time, read in the institution's zone when it has no offset.

    With `end`, the instant is the last moment of what was typed (a day, a minute, a second),
    so a time copied from `history` includes the decision shown at it.
    """
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadInput("{text!r} is not a date or time (use 2026-12-03 or 2026-12-03T10:02)",
                       text=text) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(utc_offset))
    try:
        if end:
            value += _granule(raw) - timedelta(microseconds=1)
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01 or 9999-12-31 moved across the zone's offset
        raise BadInput("{text!r} is out of range (years 0002 to 9998)", text=text) from None


def _granule(raw: str) -> timedelta:
    clock = re.sub(r"(Z|[+-]\d\d(:?\d\d)?)$", "", raw[10:].lstrip("T "))
    if len(raw) <= 10:
        return timedelta(days=1)
    if "." in clock:
        return timedelta(microseconds=1)
    return timedelta(minutes=1) if clock.count(":") < 2 else timedelta(seconds=1)


def parse_date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise BadInput("{text!r} is not a date (use YYYY-MM-DD)", text=text) from None
