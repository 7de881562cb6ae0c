"""Working days by the academic calendar and the instants steps and 公示 fall due (domain/workdays.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bzr_workflow.domain.periods import Calendar, YearCalendar
from bzr_workflow.domain.workdays import (add_working_days, announcement_due, days_late,
                                          is_working_day, step_due, working_days_between)

NONE = Calendar()
YEAR = Calendar({"2026-2027": YearCalendar(
    ((date(2026, 9, 7), date(2027, 1, 22)), (date(2027, 2, 27), date(2027, 7, 9))),
    ((date(2026, 10, 1), date(2026, 10, 7)),))})
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def test_without_a_calendar_monday_to_friday_are_working_days() -> None:
    week = [date(2026, 12, 7) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
    assert [is_working_day(NONE, d) for d in week] == [True] * 5 + [False] * 2


def test_five_working_days_from_a_monday_end_the_next_monday() -> None:
    assert add_working_days(NONE, date(2026, 12, 7), 5) == date(2026, 12, 14)


def test_a_friday_plus_one_working_day_is_the_monday() -> None:
    assert add_working_days(NONE, date(2026, 12, 11), 1) == date(2026, 12, 14)


def test_a_declared_holiday_is_not_a_working_day() -> None:
    # 国庆 2026-10-01..07: from Wednesday 30 September, the first working day is Thursday 8 October
    assert not is_working_day(YEAR, date(2026, 10, 5))
    assert add_working_days(YEAR, date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_the_winter_break_of_a_declared_year_is_not_working_days() -> None:
    assert not is_working_day(YEAR, date(2027, 2, 1))
    assert add_working_days(YEAR, date(2027, 1, 22), 1) == date(2027, 3, 1)  # 27 Feb is a Saturday


def test_a_year_not_declared_has_no_vacation() -> None:
    assert is_working_day(YEAR, date(2028, 2, 1))  # a Tuesday of 2027-2028, not declared


def test_a_step_falls_due_at_the_same_local_time_n_working_days_later() -> None:
    since = datetime(2026, 12, 11, 2, 30, 15, 999, tzinfo=UTC)  # Friday 10:30:15 in +08:00
    due = step_due(NONE, since, 5, "+08:00")
    assert due.isoformat() == "2026-12-18T10:30:15+08:00"


def test_a_step_pending_since_a_saturday_falls_due_on_a_working_day() -> None:
    since = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # Saturday 10:00 in +08:00
    assert step_due(NONE, since, 1, "+08:00").isoformat() == "2026-12-14T10:00:00+08:00"


def test_an_announcement_runs_to_the_end_of_its_last_day() -> None:
    assert announcement_due("2026-12-07", "+08:00").isoformat() == "2026-12-08T00:00:00+08:00"


def test_days_late_count_started_days_and_nothing_before_the_due_instant() -> None:
    due = datetime(2026, 12, 7, tzinfo=UTC)
    assert [days_late(due, due + timedelta(hours=h)) for h in (-1, 0, 1, 24, 25)] == [0, 0, 1, 1, 2]


@given(days, st.integers(min_value=0, max_value=40))
def test_n_working_days_later_is_a_working_day_with_n_working_days_up_to_it(
        start: date, n: int) -> None:
    end = add_working_days(YEAR, start, n)
    assert working_days_between(YEAR, start, end) == n
    assert n == 0 or is_working_day(YEAR, end)


@given(days, st.integers(min_value=0, max_value=40))
def test_working_days_never_come_faster_than_weekdays(start: date, n: int) -> None:
    assert add_working_days(YEAR, start, n) >= add_working_days(NONE, start, n)
    assert (add_working_days(NONE, start, n) - start).days <= n + 2 + 2 * (n // 5)


@given(days, st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20))
def test_adding_working_days_in_two_goes_is_adding_them_at_once(start: date, a: int,
                                                                b: int) -> None:
    assert add_working_days(YEAR, add_working_days(YEAR, start, a), b) == \
        add_working_days(YEAR, start, a + b)
