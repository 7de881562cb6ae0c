"""An appointment's run in time: its state on a day, the last day a term allows, and whether it served a full term."""

from __future__ import annotations

from datetime import date, timedelta

UPCOMING, ACTIVE, ENDED = "upcoming", "active", "ended"

GRADUATION, TERM, DISMISSAL, ENDED_BY_OFFICE = "graduation", "term", "dismissal", "ended"
"""Why an appointment ended (`end_cause`): the class graduated, the term ran out, a published
dismissal, or `appointment end` (resignation, transfer, an office's act)."""

FULL_TERM_CAUSES = (GRADUATION, TERM)
"""Ends that complete a term: the cohort graduated, or the term's years ran out."""


def term_end(start: str, term_years: int) -> str | None:
    """The last day of a term of `term_years` from `start` (Aksu 第十二条: 一届（三年）): the day
    before the same date `term_years` later; None when the policy sets no term."""
    if not term_years or not start:
        return None
    first = date.fromisoformat(start)
    try:
        following = first.replace(year=first.year + term_years)
    except ValueError:  # 29 February, and no 29 February that year
        following = first.replace(year=first.year + term_years, day=28) + timedelta(days=1)
    return (following - timedelta(days=1)).isoformat()


def last_day(start: str, end: str | None, term_years: int) -> str | None:
    """The last day the appointment serves: its recorded end, or its term's last day if that comes
    first (None: open-ended)."""
    term = term_end(start, term_years)
    ends = [d for d in (end, term) if d]
    return min(ends) if ends else None


def state_on(start: str, end: str | None, today: str) -> str:
    """`upcoming` before its start, `ended` once an end is recorded for today or before (an
    appointment whose last day is today is paid for today but is no longer the class's: the
    class is free), `active` between."""
    if end and end <= today:
        return ENDED
    if start > today:
        return UPCOMING
    return ACTIVE


def full_term(start: str, end: str | None, cause: str, term_years: int) -> bool | None:
    """Whether the appointment served a full term (Aksu 第十二条: a condition for 职称评审):
    None while it runs; true when it ended with its term (the years ran out) or with its cohort
    (the class graduated); false when a dismissal, a resignation or a transfer cut it short."""
    if not end:
        return None
    if cause in FULL_TERM_CAUSES:
        return True
    term = term_end(start, term_years)
    return term is not None and end >= term
