"""A month's allowance lines from the policy's formula, each with the facts and rule that made it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import BadInput

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Appointment:
    advisor: str
    class_code: str
    start: str
    end: str | None
    case: str


@dataclass(frozen=True)
class ClassState:
    """A class as it stood from `effective` on ('' = from when it was registered)."""

    effective: str
    students: int
    graduating: bool
    level: str


def month_range(month: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise BadInput(f"--month {month!r}: write it as YYYY-MM") from None
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def in_force(history: list[ClassState], day: date) -> ClassState:
    """The class as it stood on `day`: the latest change effective on or before it."""
    before = [s for s in history if s.effective <= day.isoformat()]
    return max(before or history[:1], key=lambda s: s.effective)


def _days(appt: Appointment, first: date, last: date) -> int:
    start = max(date.fromisoformat(appt.start), first)
    end = min(date.fromisoformat(appt.end) - timedelta(days=1) if appt.end else last, last)
    return max((end - start).days + 1, 0)


def month_lines(section: dict[str, Any], month: str, appointments: list[Appointment],
                histories: dict[str, list[ClassState]], kinds: dict[str, str],
                withheld: dict[str, str]) -> list[dict[str, Any]]:
    """Every appointment that served in the month gets a line (excluded ones at 0, saying why)."""
    first, last = month_range(month)
    lines = []
    for appt in sorted(appointments, key=lambda a: (a.class_code, a.advisor, a.start)):
        days = _days(appt, first, last)
        if days == 0 or appt.class_code not in histories:
            continue
        state = in_force(histories[appt.class_code], first)
        amount, rule, extra = _amount(section, state, kinds.get(appt.advisor, ""))
        amount, rule = _part(section, amount, rule, days, last.day, appt)
        if appt.advisor in withheld and amount:
            amount, rule = Decimal(0), f"withheld: {withheld[appt.advisor]} ({rule})"
        lines.append({"advisor": appt.advisor, "class": appt.class_code,
                      "amount": amount.quantize(CENT, ROUND_HALF_UP), "rule": rule,
                      "appointment": appt.case, "appointed_from": appt.start,
                      "students": state.students, "students_since": state.effective or None,
                      "days": days, "funding": _split(section, amount), **extra})
    return lines


def _amount(section: dict[str, Any], state: ClassState,
            kind: str) -> tuple[Decimal, str, dict[str, Any]]:
    since = f" since {state.effective}" if state.effective else ""
    if kind and kind in section.get("excluded_kinds", []):
        return Decimal(0), f"excluded: {kind} advisors are paid otherwise", {}
    if section["formula"] == "tiered":
        if state.graduating and "graduating_rate" in section:
            rate = Decimal(str(section["graduating_rate"]))
            return rate, f"graduating class: {rate} per month", {"rate": str(rate)}
        tier = max((t for t in section["tiers"] if t["min_students"] <= state.students),
                   key=lambda t: t["min_students"])
        base, coef = Decimal(str(section["base"])), Decimal(str(tier["coefficient"]))
        return (base * coef, f"{base} × {coef} ({state.students} students{since})",
                {"rate": str(base), "coefficient": str(coef)})
    if section["formula"] == "per_student":
        rates = section.get("rates", {})
        if state.level not in rates:
            return Decimal(0), f"no rate for level {state.level or '(none)'}", {}
        rate = Decimal(str(rates[state.level]))
        return (rate * state.students,
                f"{rate} × {state.students} students ({state.level}{since})", {"rate": str(rate)})
    return Decimal(0), "the policy sets no allowance formula", {}


def _part(section: dict[str, Any], amount: Decimal, rule: str, days: int, month_days: int,
          appt: Appointment) -> tuple[Decimal, str]:
    if days == month_days or not amount:
        return amount, rule
    mode = section.get("part_month", "full")
    if mode == "prorate":
        return amount * days / month_days, f"{rule} × {days}/{month_days} days served"
    if mode == "none":
        return Decimal(0), f"{rule}; not paid: served {days} of {month_days} days"
    return amount, rule


def _split(section: dict[str, Any], amount: Decimal) -> list[dict[str, Any]]:
    return [{"payer": f["payer"],
             "amount": (amount * Decimal(str(f["share"])) / 100).quantize(CENT, ROUND_HALF_UP)}
            for f in section.get("funding", [])]
