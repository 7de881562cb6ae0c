"""Work norms checked against the log: per week, two weeks, month, semester or school year, met,
short, or not due (before the appointment, not over yet, a holiday, between terms)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .periods import DEFAULT_CALENDAR, Calendar, Period

HOUR_UNITS = ("小时", "学时", "hours", "hour")


def buckets(per: str, start: date, end: date,
            calendar: Calendar | None = None) -> list[tuple[date, date]]:
    """The windows a norm is counted in, covering the period (edge windows cut to it). A
    semester or year norm is counted in each semester or school year of the calendar that the
    period touches (a school year holds two semesters)."""
    if per in ("semester", "term", "year"):
        cal = calendar or DEFAULT_CALENDAR
        spans = [p.span(cal) for first in range(start.year - 1, end.year + 1)
                 for p in (Period(first).semesters() if per != "year" else (Period(first),))]
        out = [(max(a, start), min(b, end)) for a, b in spans if a <= end and b >= start]
        return out or [(start, end)]
    if per == "month":
        out, day = [], start
        while day <= end:
            nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            out.append((day, min(nxt - timedelta(days=1), end)))
            day = nxt
        return out
    length = 14 if per == "two_weeks" else 7
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday <= end:
        out.append((max(monday, start), min(monday + timedelta(days=length - 1), end)))
        monday += timedelta(days=length)
    return out


@dataclass(frozen=True, kw_only=True)
class Norm:
    """One work norm: at least `min` of `activity` per window, for holders of `role`."""

    activity: str
    label: str
    min: Decimal
    per: str
    role: str
    unit: str = ""
    """An hour unit (小时, 学时, hours) counts logged hours; anything else counts entries."""

    def evaluate(self, entries: list[dict[str, Any]], start: date, end: date,
                 calendar: Calendar | None = None, today: date | None = None,
                 serving: Sequence[tuple[date, date | None]] = ()) -> dict[str, Any]:
        """Each window's count against the minimum, and how many of the windows due were met.
        A window is not due, so never short, when it lies wholly before the advisor's first
        appointment (`serving`) or after the last one ended, is not over by `today`, or lies
        wholly in the calendar's holidays or between its terms."""
        hours = self.unit in HOUR_UNITS
        mine = [e for e in entries if e["activity"] == self.activity]
        windows = []
        for first, last in buckets(self.per, start, end, calendar):
            done = sum((Decimal(e["hours"] if hours else e["count"]) for e in mine
                        if first.isoformat() <= e["date"] <= last.isoformat()), Decimal(0))
            why = not_due(first, last, calendar or DEFAULT_CALENDAR, today, serving)
            windows.append({"from": first.isoformat(), "to": last.isoformat(), "done": _num(done),
                            "short": _num(max(self.min - done, Decimal(0))) if not why else 0,
                            "due": not why, **({"not_due": why} if why else {})})
        due = [w for w in windows if w["due"]]
        met = sum(1 for w in due if w["short"] == 0)
        return {"activity": self.activity, "label": self.label, "role": self.role,
                "per": self.per, "min": _num(self.min), "unit": self.unit,
                "windows": windows, "met": met, "of": len(due)}


def not_due(first: date, last: date, calendar: Calendar, today: date | None,
            serving: Sequence[tuple[date, date | None]]) -> str:
    """Why a window is not held to its norm, or "" when it is."""
    if serving:
        if last < min(s for s, _ in serving):
            return "before the appointment"
        ends = [e for _, e in serving]
        if all(e is not None for e in ends) and first > max(e for e in ends if e is not None):
            return "after the appointment"
    if today is not None and last >= today:
        return "not over yet" if first <= today else "still ahead"
    if calendar.on_holiday(first, last):
        return "holiday"
    if _between_terms(first, last, calendar):
        return "between terms"
    return ""


def _between_terms(first: date, last: date, calendar: Calendar) -> bool:
    """Whether no day of first..last falls in a term of the calendar."""
    terms = [t for y in range(first.year - 1, last.year + 1) for t in calendar.year(y).terms]
    return not any(a <= last and b >= first for a, b in terms)


TRIGGER_ACTIVITY = "trigger"
"""The log entry of an event that calls for a parent contact (log add --activity trigger)."""
CONTACT_ACTIVITY = "parent_contact"
"""The log entry that answers it."""


@dataclass(frozen=True)
class ContactTrigger:
    """An event that calls for contacting a student's parents (Jiyuan 二(五)), and the roles whose
    duty it is. Not a count per period: each one logged is answered by a contact, or not."""

    key: str
    label: str
    roles: tuple[str, ...]
    due_days: int = 0
    """Days after the trigger by which a parent contact answers it (及时); 0 = no deadline."""


def working_roles(grants: Sequence[Sequence[str]], advises: bool,
                  roles: Mapping[str, Any]) -> list[str]:
    """The roles a person works in (whose norms and parent-contact triggers are theirs): those
    granted, or, for one who advises a class with no grant, the role labelled 班主任."""
    granted = sorted({r for r, _ in grants if r in roles})
    if granted or not advises:
        return granted
    return [key for key, role in roles.items() if role.label == "班主任"]


def contact_trigger_of(table: Mapping[str, Any]) -> ContactTrigger:
    return ContactTrigger(table["key"], table["label"], tuple(table["roles"]),
                          int(table.get("due_days", 0)))


def answered(triggers: tuple[ContactTrigger, ...],
             entries: list[dict[str, Any]], today: date | None = None) -> list[dict[str, Any]]:
    """Each trigger logged, in date order, with the parent contact that answered it: the first
    contact about the same student on or after its date that answers no earlier trigger (None
    when there is none). Students are matched by `student_ref`, not by their (sealed) name.
    Where the trigger has a deadline, `due` is its last day; `overdue` says it went unanswered
    past it (by `today`), `late` that the contact came after it."""
    labels = {t.key: t.label for t in triggers}
    days = {t.key: t.due_days for t in triggers}
    logged = sorted((e for e in entries if e["activity"] == TRIGGER_ACTIVITY),
                    key=lambda e: e["date"])
    contacts = sorted((e for e in entries if e["activity"] == CONTACT_ACTIVITY),
                      key=lambda e: e["date"])
    used: set[int] = set()
    out = []
    for t in logged:
        ref = t.get("student_ref") or t.get("student")
        found = next((n for n, c in enumerate(contacts) if n not in used
                      and (c.get("student_ref") or c.get("student")) == ref
                      and c["date"] >= t["date"]), None)
        if found is not None:
            used.add(found)
        contact = contacts[found] if found is not None else None
        due = (date.fromisoformat(t["date"]) + timedelta(days=days[t["trigger"]])).isoformat() \
            if days.get(t["trigger"]) else None
        out.append({"date": t["date"], "trigger": t["trigger"],
                    "label": labels.get(t["trigger"], t["trigger"]), "student": t.get("student"),
                    "student_ref": ref,
                    "contact": {"date": contact["date"], "note": contact.get("note", "")}
                    if contact else None,
                    "due": due,
                    "overdue": bool(due and contact is None and today is not None
                                    and today.isoformat() > due),
                    "late": bool(due and contact is not None and contact["date"] > due)})
    return out


def norm_of(table: Mapping[str, Any]) -> Norm:
    return Norm(activity=table["activity"], label=table["label"], min=Decimal(str(table["min"])),
                per=table["per"], role=table["role"], unit=table.get("unit", ""))


def _num(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)
