"""A take-back at Suzhou's quota step (报继续教育处审定, where a 优秀 takes one of the year's 15 %
places) gives the place back and the result is decided again when the step is signed again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location

PERIOD = "2026-2027"
ADVISORS = [f"a{n}" for n in range(7)]  # 15 % of 7 = 1.05: one place
EXCELLENT = ["political_morality=95", "ideological_work=95", "daily_management=95",
             "study_culture=95", "attendance=95"]


@pytest.fixture
def suzhou(db_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(db_url), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("open1", ["school@cs"]), ("s1", ["school@cs"]), ("s2", ["school@cs"]),
                         ("o1", ["ce_office"]), ("o2", ["ce_office"])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    for login in ADVISORS:
        app.org.add_user(login, f"顾{login}", [], "admin")
    app.appraisals.open_appraisals(PERIOD, [(a, "c1", "cs") for a in ADVISORS], "open1", True)
    yield app
    app.close()


def awaiting_approval(app: WorkflowApp, advisor: str) -> str:
    [ref] = [r["case"] for r in app.reads.results(PERIOD).rows if r["advisor"] == advisor]
    app.appraisals.submit_summary(ref, advisor, "一年来履行班主任职责的书面总结")
    app.appraisals.score(ref, "s1", EXCELLENT)
    app.cases.approve(ref, "s1", "")
    app.cases.approve(ref, "s2", "同意")
    return str(ref)


def taken(app: WorkflowApp) -> list[str]:
    places = app.reads.grade_places(PERIOD)
    assert places is not None
    return sorted(places["taken"])


def test_a_take_back_at_the_quota_step_gives_the_place_back(suzhou: WorkflowApp) -> None:
    first, second = (awaiting_approval(suzhou, a) for a in ADVISORS[:2])
    assert suzhou.cases.approve(first, "o1", "审定")["grade"] == "优秀"
    assert taken(suzhou) == [first]
    back = suzhou.handovers.take_back(first, "o1", "排序有误")
    assert (back["step"], taken(suzhou)) == ("ce_approval", [])
    assert suzhou.cases.approve(second, "o1", "审定")["grade"] == "优秀"
    again = suzhou.cases.approve(first, "o1", "重新审定")
    assert (again["grade"], taken(suzhou)) == ("合格", [second])


def test_a_result_passed_over_and_taken_back_is_decided_again(suzhou: WorkflowApp) -> None:
    first, second = (awaiting_approval(suzhou, a) for a in ADVISORS[:2])
    suzhou.cases.approve(first, "o1", "")
    assert suzhou.cases.approve(second, "o1", "")["grade"] == "合格"  # the place was gone
    suzhou.handovers.take_back(first, "o1", "撤回审定")
    suzhou.handovers.take_back(second, "o1", "重新排序")
    shown = suzhou.reads.show(second)
    assert (shown["step"], shown["grade"]) == ("ce_approval", "优秀")  # no longer capped
    [row] = [r for r in suzhou.reads.results(PERIOD).rows if r["case"] == second]
    assert row["grade"] == "优秀"  # the results view agrees
    assert suzhou.cases.approve(second, "o1", "")["grade"] == "优秀"
    assert taken(suzhou) == [second]
