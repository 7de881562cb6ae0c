"""Appraisal periods as the policy names them: a semester (2026-2027-1) or a year (2026)."""

from __future__ import annotations

import re
from datetime import date

from .errors import BadInput

SEMESTER = re.compile(r"^(\d{4})-(\d{4})-([12])$")
YEAR = re.compile(r"^(\d{4})$")


def parse_period(text: str, kind: str) -> str:
    """The period in its canonical form; refuse one of the wrong kind for the policy."""
    value = (text or "").strip()
    if kind == "semester":
        m = SEMESTER.match(value)
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            raise BadInput(f"period {text!r}: this policy appraises by semester; write it like"
                           " 2026-2027-1 (school year, then term 1 or 2)")
    elif not YEAR.match(value):
        raise BadInput(f"period {text!r}: this policy appraises by year; write it like 2026")
    if not 1900 <= int(value[:4]) <= 2999:
        raise BadInput(f"period {text!r}: the year is out of range")
    return value


def period_range(period: str) -> tuple[str, str]:
    """First and last day. Term 1 runs from September to February, term 2 from March to August,
    so the terms of a school year cover it without gaps (the seeds give no dates)."""
    m = SEMESTER.match(period)
    if not m:
        return f"{period}-01-01", f"{period}-12-31"
    first, second = int(m.group(1)), int(m.group(2))
    if m.group(3) == "1":
        feb_end = 29 if _leap(second) else 28
        return f"{first}-09-01", f"{second}-02-{feb_end}"
    return f"{second}-03-01", f"{second}-08-31"


def _leap(year: int) -> bool:
    return date(year, 3, 1).toordinal() - date(year, 2, 28).toordinal() == 2


def previous(period: str) -> str:
    m = SEMESTER.match(period)
    if not m:
        return str(int(period) - 1)
    first = int(m.group(1))
    return f"{first}-{first + 1}-1" if m.group(3) == "2" else f"{first - 1}-{first}-2"


def year_of(period: str) -> str:
    """The school year of a semester, or the year itself."""
    m = SEMESTER.match(period)
    return f"{m.group(1)}-{m.group(2)}" if m else period


def period_of_day(day: date, kind: str) -> str:
    """The appraisal period a day falls in (terms as in period_range)."""
    if kind != "semester":
        return str(day.year)
    if day.month >= 9:
        return f"{day.year}-{day.year + 1}-1"
    if day.month <= 2:
        return f"{day.year - 1}-{day.year}-1"
    return f"{day.year - 1}-{day.year}-2"
