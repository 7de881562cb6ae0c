"""Instants shown in the institution's local time, and user-typed instants read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from .errors import BadInput


def zone(utc_offset: str) -> timezone:
    sign = -1 if utc_offset.startswith("-") else 1
    hours, _, minutes = utc_offset.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def local_iso(instant: datetime, utc_offset: str) -> str:
    return instant.astimezone(zone(utc_offset)).isoformat(timespec="seconds")


def local_short(instant: datetime, utc_offset: str) -> str:
    return instant.astimezone(zone(utc_offset)).strftime("%Y-%m-%d %H:%M")


def parse_instant(text: str, utc_offset: str) -> datetime:
    """An ISO date or date-time; without an offset it is read in the institution's zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{text!r} is not a date or time (use 2026-12-03 or 2026-12-03T10:02)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(utc_offset))
    if len(text.strip()) == 10:
        value = value + timedelta(days=1) - timedelta(microseconds=1)
    return value.astimezone(UTC)


def parse_date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise BadInput(f"{text!r} is not a date (use YYYY-MM-DD)") from None
