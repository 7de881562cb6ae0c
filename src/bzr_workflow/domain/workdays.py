"""Working days by the academic calendar, and the instants a step or a 公示 falls due.

A working day is a Monday to Friday that is not in a declared holiday (`calendar set
--holiday`) and, in a school year the institution declared, not in the vacation between its
terms (the winter break between term 1 and term 2, the summer between a declared year's term 2
and the next declared year's term 1): the people who sign (advisors, teaching-site heads, the
college) are teachers, and a step is not late because it waited over the break. A year not
declared has no vacation (its default terms join), so without a calendar a working day is
Monday to Friday.

A step's time limit counts whole working days after the local day it became pending, at the
same local time: pending on a Monday at 10:00 with 5 days, due the next Monday at 10:00;
pending on a Saturday at 10:00 with 1 day, due Monday at 10:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .periods import Calendar
from .timefmt import zone

MAX_SCAN = 3700
"""Days looked at before giving up on finding N working days (ten years: a calendar that
declares every day a holiday cannot loop forever)."""


def _declared(calendar: Calendar, first: int) -> bool:
    return f"{first}-{first + 1}" in calendar.years


def in_vacation(calendar: Calendar, day: date) -> bool:
    """Whether `day` falls between the terms of declared school years."""
    for first in (day.year - 1, day.year):
        if not _declared(calendar, first):
            continue
        (t1a, t1b), (t2a, t2b) = calendar.year(first).terms
        if t1b < day < t2a:
            return True  # the winter break
        if day > t2b and _declared(calendar, first + 1) and \
                day < calendar.year(first + 1).terms[0][0]:
            return True  # the summer, up to the next declared year's first term
    return False


def is_working_day(calendar: Calendar, day: date) -> bool:
    """Monday to Friday, not a declared holiday, not in a declared year's vacation."""
    if day.weekday() >= 5:
        return False
    if any(a <= day <= b for a, b in calendar.holidays(day, day)):
        return False
    return not in_vacation(calendar, day)


def add_working_days(calendar: Calendar, start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself is not counted); `start` for 0."""
    day, counted = start, 0
    for _ in range(MAX_SCAN):
        if counted >= days:
            return day
        day += timedelta(days=1)
        if is_working_day(calendar, day):
            counted += 1
    return day


def working_days_between(calendar: Calendar, start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(calendar, day)
    return count


def step_due(calendar: Calendar, pending_since: datetime, days: int, utc_offset: str) -> datetime:
    """When a step that became pending at `pending_since` with a limit of `days` working days
    falls due: that many working days later, at the same local time of day (to the second, as
    it is shown)."""
    local = pending_since.astimezone(zone(utc_offset)).replace(microsecond=0)  # as shown
    day = add_working_days(calendar, local.date(), days)
    return datetime.combine(day, local.timetz())


def announcement_due(until: str, utc_offset: str) -> datetime:
    """When a 公示 running until the day `until` has run: the start of the next local day."""
    day = date.fromisoformat(until) + timedelta(days=1)
    return datetime.combine(day, time(0, tzinfo=zone(utc_offset)))


def days_late(due: datetime, now: datetime) -> int:
    """Started calendar days since `due` (0 before it, 1 within the first day after it)."""
    if now <= due:
        return 0
    late = now - due
    return late.days + (1 if late % timedelta(days=1) else 0)
