"""A month's allowance lines from the policy's formula, each with the facts and rule that made it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import BadInput
from .grading import dec

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Appointment:
    advisor: str
    class_code: str
    start: str
    end: str | None
    """The last day served (paid), None while it runs."""
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
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except ValueError:  # not a month, or 9999-12 (whose next month no date can hold)
        raise BadInput("--month {month!r}: write it as YYYY-MM (up to 9999-11)",
                       month=month) from None
    return first, following - timedelta(days=1)


def in_force(history: list[ClassState], day: date) -> ClassState:
    """The class as it stood on `day`: the latest change effective on or before it."""
    before = [s for s in history if s.effective <= day.isoformat()]
    return max(before or history[:1], key=lambda s: s.effective)


def _days(appt: Appointment, first: date, last: date) -> int:
    start = max(date.fromisoformat(appt.start), first)
    end = min(date.fromisoformat(appt.end) if appt.end else last, last)
    return max((end - start).days + 1, 0)


@dataclass(frozen=True)
class Tier:
    min_students: int
    coefficient: Decimal


@dataclass(frozen=True)
class Funding:
    payer: str
    share: Decimal
    """Per cent of each line this payer bears."""
    per_unit: bool = False
    """Borne by the class's own unit (Suzhou 第十条 一 各二级学院继续教育专户): each line names
    the unit that pays, so each 二级学院 has its total."""


@dataclass(frozen=True, kw_only=True)
class AllowanceRules:
    """The policy's [allowance]: the monthly formula, its exclusions, part months, withholding
    and who pays. `per` (always "month") is documentary; `note` is shown with the sheet."""

    formula: str
    """tiered (base × the class size's coefficient), per_student (a rate per student), none."""
    base: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    graduating_rate: Decimal | None = None
    rates: tuple[tuple[str, Decimal], ...] = ()
    """per_student rates by class level, in the file's order."""
    excluded_kinds: tuple[str, ...] = ()
    funding: tuple[Funding, ...] = ()
    part_month: str = "full"
    withhold_grades: tuple[str, ...] = ()
    """Final appraisal grades in the month's period that withhold the allowance."""
    note: str = ""

    def amount(self, state: ClassState, kind: str) -> tuple[Decimal, str, dict[str, Any]]:
        """A full month's amount for a class as it stands and an advisor of employment `kind`,
        the rule in words, and the figures used."""
        since = f" since {state.effective}" if state.effective else ""
        if kind and kind in self.excluded_kinds:
            return Decimal(0), f"excluded: {kind} advisors are paid otherwise", {}
        if self.formula == "tiered" and self.base is not None:
            if state.graduating and self.graduating_rate is not None:
                rate = self.graduating_rate
                return rate, f"graduating class: {rate} per month", {"rate": str(rate)}
            tier = max((t for t in self.tiers if t.min_students <= state.students),
                       key=lambda t: t.min_students)
            base, coef = self.base, tier.coefficient
            return (base * coef, f"{base} × {coef} ({state.students} students{since})",
                    {"rate": str(base), "coefficient": str(coef)})
        if self.formula == "per_student":
            rates = dict(self.rates)
            if state.level not in rates:
                # Only a class registered before levels were checked (level_refusal) gets here.
                return (Decimal(0), f"not paid: no rate for level {state.level or '(none)'};"
                        " set it with `class update --level`", {})
            rate = rates[state.level]
            return (rate * state.students,
                    f"{rate} × {state.students} students ({state.level}{since})",
                    {"rate": str(rate)})
        return Decimal(0), "the policy sets no allowance formula", {}

    def level_refusal(self, level: str) -> BadInput | None:
        """Why a class of `level` could not be paid under this formula (None: it can). A
        per-student formula pays by level, so a class without one, or with one it has no rate
        for, would be paid 0 without anyone deciding so."""
        if self.formula != "per_student":
            return None
        rates = ", ".join(f"{name} {rate}" for name, rate in self.rates)
        if not level:
            return BadInput("level is required: the allowance pays a rate per student by level "
                            "({rates})", rates=rates)
        if level not in dict(self.rates):
            return BadInput("level {level!r} has no allowance rate (the policy's levels: {rates})",
                            level=level, rates=rates)
        return None

    def part(self, amount: Decimal, rule: str, days: int, month_days: int) -> tuple[Decimal, str]:
        """A month served in part: paid in full, prorated by days, or not at all."""
        if days == month_days or not amount:
            return amount, rule
        if self.part_month == "prorate":
            return amount * days / month_days, f"{rule} × {days}/{month_days} days served"
        if self.part_month == "none":
            return Decimal(0), f"{rule}; not paid: served {days} of {month_days} days"
        return amount, rule

    def split(self, amount: Decimal, unit: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        """Who pays what of `amount`; a share borne per unit names the class's `unit` (code,
        name): "计算机学院（各二级学院继续教育专户）"."""
        out = []
        for f in self.funding:
            share = {"payer": f.payer,
                     "amount": (amount * f.share / 100).quantize(CENT, ROUND_HALF_UP)}
            if f.per_unit and unit:
                share |= {"payer": f"{unit[1]}（{f.payer}）", "unit": unit[0]}
            out.append(share)
        return out

    def month_lines(self, month: str, appointments: list[Appointment],
                    histories: dict[str, list[ClassState]], kinds: dict[str, str],
                    withheld: dict[str, str],
                    units: Mapping[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
        """Every appointment that served in the month gets a line (excluded ones at 0, saying
        why); `units` gives each class's unit (code, name) for the shares borne per unit."""
        first, last = month_range(month)
        lines = []
        for appt in sorted(appointments, key=lambda a: (a.class_code, a.advisor, a.start)):
            days = _days(appt, first, last)
            if days == 0 or appt.class_code not in histories:
                continue
            state = in_force(histories[appt.class_code], first)
            amount, rule, extra = self.amount(state, kinds.get(appt.advisor, ""))
            amount, rule = self.part(amount, rule, days, last.day)
            if appt.advisor in withheld and amount:
                amount, rule = Decimal(0), f"withheld: {withheld[appt.advisor]} ({rule})"
            lines.append({"advisor": appt.advisor, "class": appt.class_code,
                          "amount": amount.quantize(CENT, ROUND_HALF_UP), "rule": rule,
                          "appointment": appt.case, "appointed_from": appt.start,
                          "students": state.students, "students_since": state.effective or None,
                          "days": days,
                          "funding": self.split(amount, (units or {}).get(appt.class_code)),
                          **extra})
        return lines


def allowance_of(table: Mapping[str, Any]) -> AllowanceRules:
    """The typed rules of a validated [allowance] table."""
    return AllowanceRules(
        formula=table["formula"], base=dec(table["base"]) if "base" in table else None,
        tiers=tuple(Tier(t["min_students"], dec(t["coefficient"])) for t in table.get("tiers", [])),
        graduating_rate=dec(table["graduating_rate"]) if "graduating_rate" in table else None,
        rates=tuple((level, dec(rate)) for level, rate in table.get("rates", {}).items()),
        excluded_kinds=tuple(table.get("excluded_kinds", [])),
        funding=tuple(Funding(f["payer"], dec(f["share"]), bool(f.get("per_unit")))
                      for f in table.get("funding", [])),
        part_month=table.get("part_month", "full"),
        withhold_grades=tuple(table.get("withhold_grades", [])), note=table.get("note", ""))
