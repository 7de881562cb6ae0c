"""Work norms checked against the log: per week, two weeks, month, term or year, met or short."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

HOUR_UNITS = ("小时", "学时", "hours", "hour")


def buckets(per: str, start: date, end: date) -> list[tuple[date, date]]:
    """The windows a norm is counted in, covering the period (edge windows cut to it)."""
    if per in ("semester", "term") or (per == "year" and start.year == end.year):
        return [(start, end)]
    if per == "month":
        out, day = [], start
        while day <= end:
            nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            out.append((day, min(nxt - timedelta(days=1), end)))
            day = nxt
        return out
    if per == "year":
        return [(max(start, date(y, 1, 1)), min(end, date(y, 12, 31)))
                for y in range(start.year, end.year + 1)]
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

    def evaluate(self, entries: list[dict[str, Any]], start: date, end: date) -> dict[str, Any]:
        """Each window's count against the minimum, and how many windows were met."""
        hours = self.unit in HOUR_UNITS
        mine = [e for e in entries if e["activity"] == self.activity]
        windows = []
        for first, last in buckets(self.per, start, end):
            done = sum((Decimal(e["hours"] if hours else e["count"]) for e in mine
                        if first.isoformat() <= e["date"] <= last.isoformat()), Decimal(0))
            windows.append({"from": first.isoformat(), "to": last.isoformat(), "done": _num(done),
                            "short": _num(max(self.min - done, Decimal(0)))})
        met = sum(1 for w in windows if w["short"] == 0)
        return {"activity": self.activity, "label": self.label, "role": self.role,
                "per": self.per, "min": _num(self.min), "unit": self.unit,
                "windows": windows, "met": met, "of": len(windows)}


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


def contact_trigger_of(table: Mapping[str, Any]) -> ContactTrigger:
    return ContactTrigger(table["key"], table["label"], tuple(table["roles"]))


def answered(triggers: tuple[ContactTrigger, ...],
             entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each trigger logged, in date order, with the parent contact that answered it: the first
    contact about the same student on or after its date that answers no earlier trigger (None
    when there is none). Students are matched by `student_ref`, not by their (sealed) name."""
    labels = {t.key: t.label for t in triggers}
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
        out.append({"date": t["date"], "trigger": t["trigger"],
                    "label": labels.get(t["trigger"], t["trigger"]), "student": t.get("student"),
                    "student_ref": ref,
                    "contact": {"date": contact["date"], "note": contact.get("note", "")}
                    if contact else None})
    return out


def norm_of(table: Mapping[str, Any]) -> Norm:
    return Norm(activity=table["activity"], label=table["label"], min=Decimal(str(table["min"])),
                per=table["per"], role=table["role"], unit=table.get("unit", ""))


def _num(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)
