"""Deadlines through the application layer on SQLite and PostgreSQL: steps past their time limit
listed and marked in the inbox, and 公示 that have run finalised by the engine itself (@rule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.application.duework import run_due_work
from bzr_workflow.domain.timefmt import parse_instant

from suzhou_year import make_year

PUBLISHED = ["zhou", "liu", "sun", "wu"]  # make_year's advisors whose result went to 公示


def at(app: WorkflowApp, moment: datetime) -> None:
    app.clock = lambda: moment  # type: ignore[method-assign]


@pytest.fixture
def year(db_url: str) -> Iterator[WorkflowApp]:
    """Suzhou's year, played ten days ago: the 公示 (five days) of four results has run."""
    app = open_app(parse_location(db_url), create=True)
    at(app, datetime.now(UTC) - timedelta(days=10))
    make_year(app)
    at(app, datetime.now(UTC))
    yield app
    app.close()


def ref_of(app: WorkflowApp, advisor: str) -> str:
    return next(r["id"] for r in app.reads.cases("appraisal") if r["subject"] == advisor)


def test_a_step_is_not_overdue_before_its_due_instant_and_is_from_it(year: WorkflowApp) -> None:
    ref = ref_of(year, "zheng")  # signed by its school: waits at the office (ce_office)
    [row] = [r for r in year.reads.inbox("o1") if r["id"] == ref]
    due = parse_instant(str(row["due"]), "+08:00", end=False)
    assert row["overdue"] is False and due > datetime.now(UTC) + timedelta(days=6)
    at(year, due - timedelta(seconds=1))
    assert ref not in [o["case"] for o in year.reads.overdue()]
    assert [r["overdue"] for r in year.reads.inbox("o1") if r["id"] == ref] == [False]
    at(year, due)
    [late] = [o for o in year.reads.overdue() if o["case"] == ref]
    assert (late["step"], late["role"], late["holders"], late["subject_name"]) == (
        "ce_approval", "ce_office", ["o1", "o2"], "郑涛")
    assert [r["overdue"] for r in year.reads.inbox("o1") if r["id"] == ref] == [True]


def test_overdue_lists_only_what_the_reader_may_read(year: WorkflowApp) -> None:
    at(year, datetime.now(UTC) + timedelta(days=30))
    everything = {o["case"] for o in year.reads.overdue()}
    assert {o["case"] for o in year.reads.overdue("aud")} == everything
    assert everything == {ref_of(year, a) for a in ("zheng", "feng", "he")}
    assert year.reads.overdue("s1") == []  # 计算机学院 has no case open
    assert ref_of(year, "feng") in {o["case"] for o in year.reads.overdue("m1")}


def test_a_run_announcement_is_finalised_by_rule_at_the_instant_it_ran(year: WorkflowApp) -> None:
    done = run_due_work(year)
    assert sorted(f["case"] for f in done["finalised"]) == sorted(ref_of(year, a)
                                                                  for a in PUBLISHED)
    ref = ref_of(year, "liu")
    until = year.reads.show(ref)["announcement"]["until"]
    [entry] = [e for e in year.reads.history(ref) if e["action"] == "finalised"]
    assert entry["actor"] == "@rule"
    assert entry["at"] == (datetime.fromisoformat(until) + timedelta(days=1)).strftime(
        "%Y-%m-%dT00:00:00+08:00")
    assert [a["at"] for a in year.reads.audit(case=ref) if a["action"] == "finalised"] \
        == [entry["at"]]
    assert run_due_work(year)["finalised"] == []


def test_the_reward_that_follows_a_grade_follows_a_finalisation_by_rule(year: WorkflowApp) -> None:
    run_due_work(year)
    ref = ref_of(year, "zhou")
    actions = [(e["actor"], e["action"]) for e in year.reads.history(ref)]
    assert actions[-2:] == [("@rule", "finalised"), ("@rule", "rewarded")]
    assert year.user("zhou").results["2026-2027"]["grade"] == "优秀"


def test_an_announcement_with_an_open_objection_is_not_finalised(year: WorkflowApp) -> None:
    ref = ref_of(year, "sun")
    at(year, datetime.now(UTC) - timedelta(days=8))  # while its 公示 ran
    year.appraisals.lodge_objection(ref, "zhou", "评分有误")
    at(year, datetime.now(UTC))
    done = run_due_work(year)
    assert ref not in [f["case"] for f in done["finalised"]] and len(done["finalised"]) == 3
    assert year.reads.show(ref)["final"] is False


def test_an_announcement_still_running_is_left_alone(db_url: str) -> None:
    app = open_app(parse_location(db_url), create=True)
    try:
        make_year(app)
        assert run_due_work(app)["finalised"] == []
        assert not any(app.reads.show(ref_of(app, a))["final"] for a in PUBLISHED)
    finally:
        app.close()
