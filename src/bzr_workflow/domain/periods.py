"""Periods as the offices name them: a school year (2026-2027) or a semester (2026-2027-1), and the
academic calendar that gives them their dates.

`parse(text)` reads every accepted spelling and gives a `Period` whose `key` is the short form JSON
carries; `parse_period(text, kind)` also refuses a period of the wrong kind for a rule. A bare year
`2026`, the form of earlier versions, is the school year that begins in it (2026-2027); events
stored with it are upcast where they are read (`upcast`), and aggregates keyed by a period keep
their ids (`id_key`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from datetime import date, timedelta

from .errors import BadInput

SEMESTER = re.compile(r"^(\d{4})-(\d{4})-([12])$", re.ASCII)
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$", re.ASCII)
YEAR = re.compile(r"^(\d{4})$", re.ASCII)
"""The legacy form: a bare year, read as the school year that begins in it."""
_LONG = re.compile(r"^(\d{4})-(\d{4})学年(?:第([一二12])学期)?$", re.ASCII)
_TERMS = {"一": 1, "二": 2, "1": 1, "2": 2}

YEAR_FORM = "2026-2027 (or 2026-2027学年)"
SEMESTER_FORM = "2026-2027-1 (or 2026-2027学年第一学期)"
Span = tuple[date, date]


@dataclass(frozen=True)
class YearCalendar:
    """One school year's dates as an institution set them: its two terms and its holidays."""

    terms: tuple[Span, Span]
    holidays: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Calendar:
    """An institution's academic calendar, by school year; a year it has not set runs term 1 from
    September to February and term 2 from March to August (the seeds give no dates)."""

    years: Mapping[str, YearCalendar] = field(default_factory=dict)

    def year(self, first: int) -> YearCalendar:
        own = self.years.get(f"{first}-{first + 1}")
        if own is not None:
            return own
        feb_end = date(first + 1, 3, 1) - timedelta(days=1)
        return YearCalendar(((date(first, 9, 1), feb_end),
                             (date(first + 1, 3, 1), date(first + 1, 8, 31))))

    def holidays(self, start: date, end: date) -> list[Span]:
        """The holidays that touch start..end."""
        return [(a, b) for y in range(start.year - 1, end.year + 1)
                for a, b in self.year(y).holidays if a <= end and b >= start]

    def on_holiday(self, first: date, last: date) -> bool:
        """Whether every day of first..last falls in a holiday."""
        day = first
        spans = self.holidays(first, last)
        while day <= last:
            if not any(a <= day <= b for a, b in spans):
                return False
            day += timedelta(days=1)
        return True


DEFAULT_CALENDAR = Calendar()


@dataclass(frozen=True, order=True)
class Period:
    """A school year (term 0) or one of its two semesters; `key` is the short form."""

    first: int
    """The calendar year the school year begins in."""
    term: int = 0

    @property
    def key(self) -> str:
        year = f"{self.first}-{self.first + 1}"
        return f"{year}-{self.term}" if self.term else year

    @property
    def kind(self) -> str:
        return "semester" if self.term else "year"

    @property
    def label(self) -> str:
        """The long Chinese form: 2026-2027学年, 2026-2027学年第一学期."""
        year = f"{self.first}-{self.first + 1}学年"
        return f"{year}第{'一二'[self.term - 1]}学期" if self.term else year

    @property
    def year(self) -> Period:
        return Period(self.first)

    def semesters(self) -> tuple[Period, Period]:
        """The two terms of the school year (of a semester: of its year)."""
        return Period(self.first, 1), Period(self.first, 2)

    def previous(self) -> Period:
        if not self.term:
            return Period(self.first - 1)
        return Period(self.first, 1) if self.term == 2 else Period(self.first - 1, 2)

    def span(self, calendar: Calendar | None = None) -> Span:
        """First and last day under the calendar (the default one without)."""
        terms = (calendar or DEFAULT_CALENDAR).year(self.first).terms
        if not self.term:
            return terms[0][0], terms[1][1]
        return terms[self.term - 1]

    def start(self, calendar: Calendar | None = None) -> date:
        return self.span(calendar)[0]

    def end(self, calendar: Calendar | None = None) -> date:
        return self.span(calendar)[1]

    def __str__(self) -> str:
        return self.key


def parse(text: str) -> Period:
    """Any accepted spelling of a period; bad input names the forms."""
    value = (text or "").strip()
    first, term = _read(value)
    if first is None:
        raise BadInput("period {text!r}: write a school year like {YEAR_FORM} or a semester "
                       "like {SEMESTER_FORM}", text=text, YEAR_FORM=YEAR_FORM,
                       SEMESTER_FORM=SEMESTER_FORM)
    if not 1900 <= first <= 2999:
        raise BadInput("period {text!r}: the year is out of range", text=text)
    return Period(first, term)


def _read(value: str) -> tuple[int | None, int]:
    if m := YEAR.match(value):
        return int(m.group(1)), 0
    m = SEMESTER.match(value) or SCHOOL_YEAR.match(value) or _LONG.match(value)
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        return None, 0
    term = m.group(3) if m.re.groups >= 3 else None
    return int(m.group(1)), _TERMS[term] if term else 0


def parse_period(text: str, kind: str) -> str:
    """The period's short form; refuse one of the wrong kind ("semester" or "year") for the rule
    that reads it."""
    period = parse(text)
    if kind == "semester" and period.kind != "semester":
        raise BadInput("period {text!r}: this policy appraises by semester; write it like "
                       "{SEMESTER_FORM}", text=text, SEMESTER_FORM=SEMESTER_FORM)
    if kind != "semester" and period.kind != "year":
        raise BadInput("period {text!r}: this is counted by school year; write it like "
                       "{YEAR_FORM}", text=text, YEAR_FORM=YEAR_FORM)
    return period.key


def upcast(text: str) -> str:
    """A period as stored by an earlier version, in today's short form ("2026" → "2026-2027");
    any other text unchanged."""
    m = YEAR.match(text or "")
    return f"{text}-{int(text) + 1}" if m else text


def id_key(period: str) -> str:
    """The text an aggregate keyed by a period hashes into its id. A school year hashes as the
    bare year earlier versions stored, so a roster or quota made then is the one found now."""
    m = SCHOOL_YEAR.match(period or "")
    return m.group(1) if m else period


def period_range(period: str, calendar: Calendar | None = None) -> tuple[str, str]:
    """First and last day, as ISO dates, under the calendar (the default one without)."""
    first, last = parse(period).span(calendar)
    return first.isoformat(), last.isoformat()


def previous(period: str) -> str:
    return parse(period).previous().key


def year_of(period: str) -> str:
    """The school year of a semester, or the year itself."""
    return parse(period).year.key


def period_of_day(day: date, kind: str, calendar: Calendar | None = None) -> str:
    """The period a day falls in under the calendar: its semester, or its school year. A day
    between a year's terms (or outside both) counts in the term that ends before it."""
    cal = calendar or DEFAULT_CALENDAR
    first = day.year if day >= cal.year(day.year).terms[0][0] else day.year - 1
    term = 1 if day < cal.year(first).terms[1][0] else 2
    return Period(first, term if kind == "semester" else 0).key


def semesters_of(period: str) -> Sequence[str]:
    """The semesters a period covers: a semester itself, or the two of a school year."""
    p = parse(period)
    return [p.key] if p.term else [s.key for s in p.semesters()]


def parse_span(text: str, what: str) -> Span:
    """FROM..TO as two ISO dates, FROM on or before TO."""
    first, sep, last = (text or "").strip().partition("..")
    try:
        span = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        span = None
    if not sep or span is None:
        raise BadInput("{what} {text!r}: write FROM..TO with ISO dates, like "
                       "2026-09-01..2027-01-20", what=what, text=text)
    if span[0] > span[1]:
        raise BadInput("{what} {text!r}: it ends before it begins", what=what, text=text)
    return span


def year_calendar(year: str, terms: Sequence[tuple[int, str]], holidays: Sequence[str]
                  ) -> tuple[str, tuple[Span, Span], list[Span]]:
    """A school year's calendar as `calendar set` gives it, checked: both terms, term 1 beginning
    in the year's first calendar year, term 2 after it, holidays within the year."""
    period = parse(year)
    if period.term:
        raise BadInput("--year {year!r}: name the school year, like {YEAR_FORM}", year=year,
                       YEAR_FORM=YEAR_FORM)
    given: dict[int, Span] = {}
    for number, text in terms:
        if number not in (1, 2):
            raise BadInput("--term {number}: a school year has terms 1 and 2", number=number)
        if number in given:
            raise BadInput("--term {number} is given twice", number=number)
        given[number] = parse_span(text, f"--term {number}")
    if set(given) != {1, 2}:
        raise BadInput("{key}: give both terms (--term 1 FROM..TO --term 2 FROM..TO)",
                       key=period.key)
    one, two = given[1], given[2]
    if one[0].year != period.first:
        raise BadInput("--term 1 {first_from}..{first_to}: term 1 of {key} begins in {first}",
                       first_from=one[0], first_to=one[1], key=period.key, first=period.first)
    if two[0] <= one[1]:
        raise BadInput("--term 2 {second_from}..{second_to}: term 2 begins after term 1 ends "
                       "({first_to})", second_from=two[0], second_to=two[1], first_to=one[1])
    spans = [parse_span(h, "--holiday") for h in holidays]
    for a, b in spans:
        if a < one[0] or b > two[1]:
            raise BadInput("--holiday {a}..{b}: outside {key} ({first_from}..{second_to})", a=a,
                           b=b, key=period.key, first_from=one[0], second_to=two[1])
    return period.key, (one, two), spans


DEFAULT_TERMS = "term 1 September to February, term 2 March to August"


def calendar_year(calendar: Calendar, first: int, own: bool) -> dict[str, Any]:
    """One school year of the calendar as `calendar show --json` gives it."""
    year = calendar.year(first)
    return {"year": f"{first}-{first + 1}", "set": own,
            "terms": [{"term": n, "period": f"{first}-{first + 1}-{n}", "from": a.isoformat(),
                       "to": b.isoformat()} for n, (a, b) in enumerate(year.terms, 1)],
            "holidays": [{"from": a.isoformat(), "to": b.isoformat()} for a, b in year.holidays]}
