"""Periods: the spellings offices write, the short form, the calendar's dates, and old stores."""

from __future__ import annotations

from datetime import date

import pytest

from bzr_workflow.domain.errors import BadInput
from bzr_workflow.domain.norms import buckets
from bzr_workflow.domain.periods import (Calendar, Period, YearCalendar, id_key, parse,
                                         parse_period, period_of_day, upcast, year_calendar)

SUZHOU = "第十条: 学院（部）按学年对班主任进行考核"


@pytest.mark.parametrize("text,key,kind", [
    ("2026-2027", "2026-2027", "year"), ("2026-2027学年", "2026-2027", "year"),
    ("2026", "2026-2027", "year"),
    ("2026-2027-1", "2026-2027-1", "semester"), ("2026-2027学年第一学期", "2026-2027-1", "semester"),
    ("2026-2027学年第二学期", "2026-2027-2", "semester"), (" 2026-2027-2 ", "2026-2027-2", "semester"),
])
def test_every_spelling_gives_the_short_form(text: str, key: str, kind: str) -> None:
    assert "按学年" in SUZHOU
    period = parse(text)
    assert (period.key, period.kind) == (key, kind)


@pytest.mark.parametrize("text", ["2026-2028", "2026-2027-3", "2026-27", "2026-2027学年第三学期", ""])
def test_a_bad_period_names_the_forms(text: str) -> None:
    with pytest.raises(BadInput, match="2026-2027 \\(or 2026-2027学年\\)"):
        parse(text)


def test_a_rule_refuses_a_period_of_the_wrong_kind() -> None:
    assert parse_period("2026-2027学年", "year") == "2026-2027"
    with pytest.raises(BadInput, match="by semester; write it like 2026-2027-1"):
        parse_period("2026-2027", "semester")
    with pytest.raises(BadInput, match="by school year; write it like 2026-2027"):
        parse_period("2026-2027-1", "year")


def test_default_dates_and_neighbours() -> None:
    year = parse("2027-2028")
    assert year.span() == (date(2027, 9, 1), date(2028, 8, 31))
    assert Period(2027, 1).end() == date(2028, 2, 29)  # a leap February
    assert [s.key for s in year.semesters()] == ["2027-2028-1", "2027-2028-2"]
    assert Period(2027, 1).previous().key == "2026-2027-2" and year.previous().key == "2026-2027"
    assert Period(2026, 2).label == "2026-2027学年第二学期"


def test_a_set_calendar_gives_the_dates() -> None:
    start, end = year_calendar("2026-2027", [(1, "2026-09-07..2027-01-22"),
                                             (2, "2027-02-27..2027-07-09")], [])[1]
    cal = Calendar({"2026-2027": YearCalendar((start, end))})
    assert parse("2026-2027").span(cal) == (date(2026, 9, 7), date(2027, 7, 9))
    assert period_of_day(date(2026, 9, 5), "semester", cal) == "2025-2026-2"
    assert period_of_day(date(2027, 2, 10), "semester", cal) == "2026-2027-1"  # the winter break
    assert period_of_day(date(2027, 2, 27), "year", cal) == "2026-2027"
    assert parse("2025-2026").span(cal) == (date(2025, 9, 1), date(2026, 8, 31))  # not set


def test_a_semester_norm_has_a_window_per_semester_of_the_year() -> None:
    """合肥 三、工作要求 5: 每学期至少联系学生家长5人次 — two windows in a school year."""
    first, last = parse("2026-2027").span()
    assert buckets("semester", first, last) == [(date(2026, 9, 1), date(2027, 2, 28)),
                                               (date(2027, 3, 1), date(2027, 8, 31))]
    assert buckets("year", first, last) == [(first, last)]


def test_old_bare_years_are_upcast_and_keep_their_ids() -> None:
    assert upcast("2026") == "2026-2027" and upcast("2026-2027-1") == "2026-2027-1"
    assert id_key("2026-2027") == "2026" and id_key("2026-2027-1") == "2026-2027-1"
