"""Norm windows and compliance: weeks and months across the period's edges, counts and hours."""

from __future__ import annotations

from datetime import date
from typing import Any

from bzr_workflow.domain.norms import buckets, norm_of


def evaluate(norm: dict[str, Any], entries: list[dict[str, Any]], start: date,
             end: date) -> dict[str, Any]:
    return norm_of(norm).evaluate(entries, start, end)


TALKS = {"activity": "individual_talks", "label": "与学生个别谈心", "min": 2, "per": "week",
         "role": "advisor", "unit": "人"}
HOURS = {"activity": "weekly_hours", "label": "工作时间", "min": 2, "per": "week",
         "role": "banzhuren", "unit": "小时"}
DORM = {"activity": "dormitory_visit", "label": "深入学生宿舍", "min": 1, "per": "month",
        "role": "advisor", "unit": "次"}


def entry(day: str, activity: str = "individual_talks", count: int = 1,
          hours: str = "0") -> dict[str, Any]:
    return {"date": day, "activity": activity, "count": count, "hours": hours}


def test_weeks_run_monday_to_sunday_and_are_cut_at_the_periods_edges() -> None:
    windows = buckets("week", date(2026, 9, 3), date(2026, 9, 20))  # Thursday .. Sunday
    assert windows == [(date(2026, 9, 3), date(2026, 9, 6)), (date(2026, 9, 7), date(2026, 9, 13)),
                       (date(2026, 9, 14), date(2026, 9, 20))]


def test_months_are_calendar_months_within_the_period() -> None:
    windows = buckets("month", date(2026, 9, 1), date(2027, 2, 28))
    assert [w[0].month for w in windows] == [9, 10, 11, 12, 1, 2]
    assert windows[4] == (date(2027, 1, 1), date(2027, 1, 31))


def test_activities_count_in_the_week_they_fall_in_across_a_month_boundary() -> None:
    entries = [entry("2026-09-27"), entry("2026-09-28"), entry("2026-10-01")]  # Sun, Mon, Thu
    result = evaluate(TALKS, entries, date(2026, 9, 21), date(2026, 10, 4))
    assert [(w["from"], w["done"], w["short"]) for w in result["windows"]] == [
        ("2026-09-21", 1, 1), ("2026-09-28", 2, 0)]
    assert (result["met"], result["of"]) == (1, 2)


def test_a_month_norm_is_met_by_one_visit_on_its_last_day() -> None:
    entries = [entry("2026-09-30", "dormitory_visit"), entry("2026-11-01", "dormitory_visit")]
    result = evaluate(DORM, entries, date(2026, 9, 1), date(2026, 11, 30))
    assert [w["short"] for w in result["windows"]] == [0, 1, 0]


def test_hour_norms_add_hours_not_counts() -> None:
    entries = [entry("2026-09-07", "weekly_hours", hours="1.5"),
               entry("2026-09-08", "weekly_hours", hours="0.5")]
    [week] = evaluate(HOURS, entries, date(2026, 9, 7), date(2026, 9, 13))["windows"]
    assert (week["done"], week["short"]) == (2, 0)


def test_a_count_of_several_talks_counts_as_several() -> None:
    [week] = evaluate(TALKS, [entry("2026-09-08", count=3)], date(2026, 9, 7),
                      date(2026, 9, 13))["windows"]
    assert week["done"] == 3
