"""School years and semesters, the academic calendar, opening early, and norms counted where
they apply (issue 15: School years, not calendar years; Norms counted where they apply)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from eventsourcing.persistence import StoredEvent

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import BadInput, NotPermitted, RuleRefused
from bzr_workflow.domain.roster import PeriodRoster

HEFEI_YEAR = "三、管理与考核 2: 每学年末，由学院对班主任（班导师）履行工作职责情况进行全面考核并评定考核等级"
HEFEI_PARENTS = "三、工作要求 5: 每学期至少联系学生家长5人次，形成教育合力。"


def on_day(app: WorkflowApp, day: str) -> None:
    """The institution's today (08:00 in Beijing)."""
    moment = datetime.fromisoformat(f"{day}T00:00:00+00:00").astimezone(UTC)
    app.clock = lambda: moment  # type: ignore[method-assign]


@pytest.fixture
def hefei(db_url: str) -> Iterator[WorkflowApp]:
    """合肥工业大学数学学院: wu (班主任 of m1, appointed 2026-09-21), the dean, the office."""
    app = open_app(parse_location(db_url), create=True)
    app.org.init("hfut-math", "admin", "", None)
    app.org.add_unit("math", "数学学院", "", "admin")
    for login, roles in (("dean", ["college"]), ("vice", ["student_work_head"]),
                         ("wu", ["banzhuren@math"])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("m1", "数学2025级1班", "math", 30, "", False, "admin", year_of_study=2)
    advisor = app.user("wu")
    advisor.take_class("m1", "R-0", 0)
    app.save(advisor)
    klass = app.school_class("m1")
    klass.appoint("wu", "2026-09-21", "R-0", "admin", 1)
    app.save(klass)
    yield app
    app.close()


def calendar_2026(app: WorkflowApp) -> None:
    app.org.set_calendar("2026-2027学年", [(1, "2026-09-07..2027-01-22"),
                                         (2, "2027-02-27..2027-07-09")],
                         ["2026-09-28..2026-10-07"], "admin")


# -- periods and the calendar ---------------------------------------------------------------


def test_a_school_year_is_opened_in_any_of_its_spellings_and_carried_short(hefei: WorkflowApp
                                                                           ) -> None:
    assert "每学年末" in HEFEI_YEAR
    on_day(hefei, "2027-07-01")
    [case] = hefei.appraisals.open_appraisals("2026-2027学年", [("wu", "m1", "math")], "dean", True)
    assert case["period"] == "2026-2027"
    assert hefei.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean", True) == []
    with pytest.raises(BadInput, match="by school year; write it like 2026-2027"):
        hefei.appraisals.open_appraisals("2026-2027-1", [("wu", "m1", "math")], "dean", True)


def test_a_bare_year_is_the_school_year_that_begins_in_it(hefei: WorkflowApp) -> None:
    """The form of earlier versions: `2026` is 2026-2027, and it finds the same roster."""
    on_day(hefei, "2027-07-01")
    [case] = hefei.appraisals.open_appraisals("2026", [("wu", "m1", "math")], "dean", True)
    assert case["period"] == "2026-2027"
    assert hefei.appraisals.open_appraisals("2026-2027学年", [("wu", "m1", "math")], "dean",
                                            True) == []


def test_a_period_that_has_not_begun_is_refused_unless_early(hefei: WorkflowApp) -> None:
    assert "每学年末" in HEFEI_YEAR
    on_day(hefei, "2026-08-20")
    with pytest.raises(RuleRefused, match="2026-2027 has not begun .*2026-09-01.*--early"):
        hefei.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean", True)
    calendar_2026(hefei)
    on_day(hefei, "2026-09-03")  # the default calendar's year began; this institution's has not
    with pytest.raises(RuleRefused, match="begins on 2026-09-07"):
        hefei.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean", True)
    [case] = hefei.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean", True,
                                              early=True)
    assert case["period"] == "2026-2027"


def test_the_calendar_is_set_by_an_administrator_and_shown(hefei: WorkflowApp) -> None:
    with pytest.raises(NotPermitted):
        hefei.org.set_calendar("2026-2027", [(1, "2026-09-07..2027-01-22"),
                                             (2, "2027-02-27..2027-07-09")], [], "dean")
    with pytest.raises(BadInput, match="give both terms"):
        hefei.org.set_calendar("2026-2027", [(1, "2026-09-07..2027-01-22")], [], "admin")
    calendar_2026(hefei)
    on_day(hefei, "2026-11-30")
    shown = hefei.org.calendar()
    [year] = shown["years"]
    assert year["year"] == "2026-2027" and year["set"] is True
    assert [(t["period"], t["from"], t["to"]) for t in year["terms"]] == [
        ("2026-2027-1", "2026-09-07", "2027-01-22"), ("2026-2027-2", "2027-02-27", "2027-07-09")]
    assert year["holidays"] == [{"from": "2026-09-28", "to": "2026-10-07"}]


def test_who_is_appraised_in_a_year_follows_the_calendar(hefei: WorkflowApp) -> None:
    """appraisal open --all takes everyone appointed in the school year as the calendar sets it."""
    calendar_2026(hefei)
    hefei.org.add_user("qian", "qian", [], "admin")
    hefei.org.add_class("m2", "数学2025级2班", "math", 30, "", False, "admin", year_of_study=2)
    klass = hefei.school_class("m2")
    klass.appoint("qian", "2027-07-20", "R-9", "admin", 1)  # after term 2 ended
    hefei.save(klass)
    assert [t[0] for t in hefei.reads.appraisal_targets("2026-2027")] == ["wu"]


# -- stores made before school years -----------------------------------------------------------


def test_events_stored_with_a_bare_year_read_as_the_school_year(hefei: WorkflowApp) -> None:
    on_day(hefei, "2027-07-01")
    [case] = hefei.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean", True)
    notes = hefei.recorder.select_notifications(start=None, limit=1000)
    olds = {"bzr.case.opened": 3, "bzr.roster.started": 1}
    seen = 0
    for note in notes:
        if note.topic not in olds:
            continue
        state = json.loads(note.state)
        state["period"], state["class_version"] = "2026", olds[note.topic]
        old = StoredEvent(originator_id=note.originator_id,
                          originator_version=note.originator_version, topic=note.topic,
                          state=json.dumps(state).encode())
        assert hefei.mapper.to_domain_event(old).period == "2026-2027"
        seen += 1
    assert seen == 2
    # the roster an earlier version made for "2026" is the one a school year finds
    assert PeriodRoster.create_id("appraisal", "2026-2027") == \
        PeriodRoster.create_id("appraisal", "2026")
    assert case["id"] in hefei.repository.get(
        PeriodRoster.create_id("appraisal", "2026")).cases.values()


# -- norms counted where they apply ------------------------------------------------------------


def parents(report: dict) -> dict:
    return next(n for n in report["norms"] if n["activity"] == "parent_contact")


def test_parent_contacts_are_counted_per_semester_inside_the_school_year(hefei: WorkflowApp
                                                                         ) -> None:
    assert "每学期至少联系学生家长5人次" in HEFEI_PARENTS
    calendar_2026(hefei)
    hefei.worklog.log_add(None, [{"activity": "parent_contact", "date": "2026-10-15",
                                  "count": "5"},
                                 {"activity": "parent_contact", "date": "2027-03-10",
                                  "count": "2"}], "wu")
    on_day(hefei, "2027-07-20")
    norm = parents(hefei.reads.norms("wu", "2026-2027"))
    assert [(w["from"], w["to"], w["done"], w["short"]) for w in norm["windows"]] == [
        ("2026-09-07", "2027-01-22", 5, 0), ("2027-02-27", "2027-07-09", 2, 3)]
    assert (norm["met"], norm["of"]) == (1, 2)
    one = parents(hefei.reads.norms("wu", "2026-2027学年第一学期"))
    assert [(w["done"], w["short"]) for w in one["windows"]] == [(5, 0)]


def test_a_semester_still_running_is_not_short(hefei: WorkflowApp) -> None:
    assert "每学期" in HEFEI_PARENTS
    calendar_2026(hefei)
    on_day(hefei, "2027-05-10")
    norm = parents(hefei.reads.norms("wu", "2026-2027"))
    assert [(w["short"], w["due"], w.get("not_due")) for w in norm["windows"]] == [
        (5, True, None), (0, False, "not over yet")]
    assert (norm["met"], norm["of"]) == (0, 1)


def test_weeks_before_the_appointment_ahead_and_on_holiday_are_not_short(hefei: WorkflowApp
                                                                         ) -> None:
    """三、工作要求 2: 原则上要求班主任（班导师）每周工作至少2至4个小时 — held from the appointment
    (2026-09-21) to today, outside the holidays the calendar sets (2026-09-28..10-07)."""
    calendar_2026(hefei)
    on_day(hefei, "2026-10-21")
    norm = next(n for n in hefei.reads.norms("wu", "2026-2027-1")["norms"]
                if n["activity"] == "weekly_hours")
    weeks = {w["from"]: (w["short"], w.get("not_due")) for w in norm["windows"]}
    assert weeks["2026-09-07"] == (0, "before the appointment")
    assert weeks["2026-09-14"] == (0, "before the appointment")
    assert weeks["2026-09-21"] == (2, None)
    assert weeks["2026-09-28"] == (0, "holiday")
    assert weeks["2026-10-05"] == (2, None)  # 10-05..10-07 holiday, 10-08..10-11 at work
    assert weeks["2026-10-12"] == (2, None)
    assert weeks["2026-10-19"] == (0, "not over yet")
    assert weeks["2026-10-26"] == (0, "still ahead")
    assert norm["of"] == 3 and norm["met"] == 0


def test_a_store_made_when_years_were_bare_keeps_working(sqlite_url: str) -> None:
    """A Hefei store whose events (and views) say "2026", as earlier versions wrote a year: read
    now, the appraisal, its roster and the advisor's result are in 2026-2027, and the views are
    rebuilt so."""
    import sqlite3

    assert "每学年末" in HEFEI_YEAR
    app = open_app(parse_location(sqlite_url), create=True)
    app.org.init("hfut-math", "admin", "", None)
    app.org.add_unit("math", "数学学院", "", "admin")
    for login, roles in (("dean", ["college"]), ("vice", ["student_work_head"]),
                         ("grader", ["college"]), ("wu", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("m1", "数学2025级1班", "math", 30, "", False, "admin", year_of_study=2)
    on_day(app, "2027-07-15")
    ref = str(app.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean",
                                             True)[0]["id"])
    app.cases.approve(ref, "vice", "学生意见已听取")
    app.appraisals.score(ref, "grader", ["y1_major=称职", "overall=称职"])
    app.cases.approve(ref, "grader", "")
    assert app.reads.results("2026-2027").rows  # the views are made
    app.close()

    old_versions = {"bzr.case.opened": 3, "bzr.roster.started": 1, "bzr.user.result_recorded": 1,
                    "bzr.user.consequence_recorded": 1}
    db = sqlite3.connect(sqlite_url)
    guards = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                        " AND tbl_name = 'stored_events'").fetchall()
    for name, _ in guards:  # the store is append-only; an old store is made by rewriting it
        db.execute(f"DROP TRIGGER {name}")
    rewritten = 0
    for oid, version, topic, state in db.execute("SELECT originator_id, originator_version,"
                                                 " topic, state FROM stored_events").fetchall():
        if topic not in old_versions:
            continue
        fields = json.loads(state)
        assert fields["period"] == "2026-2027"
        fields["period"] = "2026"
        fields.pop("class_version", None)
        if old_versions[topic] > 1:
            fields["class_version"] = old_versions[topic]
        db.execute("UPDATE stored_events SET state = ? WHERE originator_id = ?"
                   " AND originator_version = ?", (json.dumps(fields).encode(), oid, version))
        rewritten += 1
    for _, sql in guards:
        db.execute(sql)
    db.execute("UPDATE bzr_cases SET period = '2026'")
    db.execute("UPDATE bzr_appraisals SET period = '2026'")
    db.execute("UPDATE bzr_view_position SET position = 4 WHERE name = 'schema'")
    db.commit()
    db.close()
    assert rewritten >= 3

    again = open_app(parse_location(sqlite_url))
    on_day(again, "2027-07-16")
    try:
        assert again.case(ref).period == "2026-2027"
        assert list(again.user("wu").results) == ["2026-2027"]
        assert [r["period"] for r in again.reads.results("2026").rows] == ["2026-2027"]
        assert [c["id"] for c in again.reads.cases(period="2026-2027学年")] == [ref]
        assert again.appraisals.open_appraisals("2026-2027", [("wu", "m1", "math")], "dean",
                                                True) == []
    finally:
        again.close()
