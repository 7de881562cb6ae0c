"""Work norms checked against the log: per week, two weeks, month, term or year, met or short."""

from __future__ import annotations

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


def evaluate(norm: dict[str, Any], entries: list[dict[str, Any]], start: date,
             end: date) -> dict[str, Any]:
    """For one norm: each window's count against its minimum, and how many windows were met."""
    hours = norm.get("unit", "") in HOUR_UNITS
    mine = [e for e in entries if e["activity"] == norm["activity"]]
    minimum = Decimal(str(norm["min"]))
    windows = []
    for first, last in buckets(norm["per"], start, end):
        done = sum((Decimal(e["hours"] if hours else e["count"]) for e in mine
                    if first.isoformat() <= e["date"] <= last.isoformat()), Decimal(0))
        windows.append({"from": first.isoformat(), "to": last.isoformat(), "done": _num(done),
                        "short": _num(max(minimum - done, Decimal(0)))})
    met = sum(1 for w in windows if w["short"] == 0)
    return {"activity": norm["activity"], "label": norm["label"], "role": norm["role"],
            "per": norm["per"], "min": _num(minimum), "unit": norm.get("unit", ""),
            "windows": windows, "met": met, "of": len(windows)}


def _num(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)
