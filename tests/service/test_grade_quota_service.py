"""Suzhou's 15 % binds the grade, on SQLite and PostgreSQL: places taken at the office's 审定,
given back by a return, a veto or an upheld objection, safe under concurrent sign-offs; and the
reward that follows a final 优秀 with no nomination.

001 第十条 二、2: "按学年对班主任进行考核，考核分为不合格、合格、优秀，优秀班主任每学年给予奖励，
优秀班主任的比例为15%。奖励标准1500元，发放荣誉证书。"
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import NotPermitted
from bzr_workflow.domain.ids import key_id
from bzr_workflow.domain.periods import id_key
from bzr_workflow.domain.quota import PlacesQuota
from racing import race

PERIOD = "2026-2027"  # a school year: Suzhou appraises 按学年
ADVISORS = [f"a{n:02d}" for n in range(19)]  # 15 % of 19 = 2.85: 2 places, rounded down
EXCELLENT = ["political_morality=95", "ideological_work=95", "daily_management=95",
             "study_culture=95", "attendance=95"]
QUALIFIED = [item.split("=")[0] + "=75" for item in EXCELLENT]


@pytest.fixture
def suzhou(db_url: str) -> Iterator[WorkflowApp]:
    """Nineteen advisors of one school whose appraisals for the year are open."""
    app = open_app(parse_location(db_url), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("open1", ["school@cs"]), ("s1", ["school@cs"]), ("s2", ["school@cs"]),
                         ("o1", ["ce_office"]), ("o2", ["ce_office"]), ("o3", ["ce_office"]),
                         ("student", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    for login in ADVISORS:
        app.org.add_user(login, f"顾{login}", [], "admin")
    app.appraisals.open_appraisals(PERIOD, [(a, "c1", "cs") for a in ADVISORS], "open1", True)
    yield app
    app.close()


def ref_of(app: WorkflowApp, advisor: str) -> str:
    [row] = [r for r in app.reads.results(PERIOD).rows if r["advisor"] == advisor]
    return row["case"]


def awaiting_approval(app: WorkflowApp, advisor: str, scores: list[str] = EXCELLENT) -> str:
    """The school has appraised the advisor and signed its opinion: 审定 is the office's."""
    ref = ref_of(app, advisor)
    app.appraisals.submit_summary(ref, advisor, "一年来履行班主任职责的书面总结")
    app.appraisals.score(ref, "s1", scores)
    app.cases.approve(ref, "s1", "")
    app.cases.approve(ref, "s2", "同意")
    return ref


def later(app: WorkflowApp, days: int) -> None:
    moment = datetime.now(UTC) + timedelta(days=days)
    app.clock = lambda: moment  # type: ignore[method-assign]


def test_nineteen_advisors_give_two_places_and_the_third_is_published_as_qualified(
        suzhou: WorkflowApp) -> None:
    """优秀班主任的比例为15%: 15 % of 19 is 2.85, rounded down to 2 (the policy's stated choice).
    The third 优秀 at 审定 is not refused: it goes on as 合格 with its total kept, the reason
    recorded, and its tie with the first two (all 95) broken by the office's order."""
    refs = [awaiting_approval(suzhou, a) for a in ADVISORS[:3]]
    for ref in refs[:2]:
        assert suzhou.cases.approve(ref, "o1", "审定")["step"] == "announce"
    third = suzhou.cases.approve(refs[2], "o1", "审定")
    assert (third["step"], third["grade"], third["total"]) == ("announce", "合格", "95")
    [entry] = [h for h in suzhou.reads.history(refs[2]) if h["action"] == "regraded"]
    assert entry["comment"].startswith("优秀名额已满：第 3 名，名额 2 个")
    assert f"与 {refs[0]}、{refs[1]} 同分（95）" in entry["comment"]
    assert entry["actor"] == "o1" and entry["step"] == "ce_approval"
    assert sorted(suzhou.reads.grade_places(PERIOD)["taken"]) == sorted(refs[:2])  # type: ignore[index]


def test_a_result_below_the_grade_needs_no_place(suzhou: WorkflowApp) -> None:
    """Only 优秀 is capped (优秀班主任的比例为15%): 合格 passes 审定 when the places are gone."""
    for advisor in ADVISORS[:2]:
        suzhou.cases.approve(awaiting_approval(suzhou, advisor), "o1", "")
    ref = awaiting_approval(suzhou, ADVISORS[2], QUALIFIED)
    assert suzhou.cases.approve(ref, "o1", "")["step"] == "announce"


def test_a_vetoed_result_gives_its_place_back(suzhou: WorkflowApp) -> None:
    refs = [awaiting_approval(suzhou, a) for a in ADVISORS[:3]]
    for ref in refs[:2]:
        suzhou.cases.approve(ref, "o1", "")
    suzhou.cases.veto(refs[0], "o2", "材料不实")
    assert suzhou.cases.approve(refs[2], "o1", "")["step"] == "announce"


def test_a_result_returned_before_approval_takes_no_place(suzhou: WorkflowApp) -> None:
    refs = [awaiting_approval(suzhou, a) for a in ADVISORS[:3]]
    suzhou.cases.return_case(refs[0], "o1", "材料不全")
    for ref in refs[1:]:
        assert suzhou.cases.approve(ref, "o1", "")["step"] == "announce"


def test_an_upheld_objection_regrades_and_gives_the_place_back(suzhou: WorkflowApp) -> None:
    """A result re-graded during its 公示 gives its 优秀 place back; re-approved as 合格 it takes
    none, so another advisor's 优秀 may be approved."""
    refs = [awaiting_approval(suzhou, a) for a in ADVISORS[:3]]
    for ref in refs[:2]:
        suzhou.cases.approve(ref, "o1", "")
    suzhou.cases.approve(refs[0], "o2", "公示")
    suzhou.appraisals.lodge_objection(refs[0], "student", "班会次数不足")
    suzhou.appraisals.resolve_objection(refs[0], "o3", 1, True, "经核实，重新评分")
    assert suzhou.reads.grade_places(PERIOD)["taken"] == [refs[1]]  # type: ignore[index]
    suzhou.appraisals.score(refs[0], "s1", QUALIFIED)
    for who in ("s1", "s2", "o1"):
        suzhou.cases.approve(refs[0], who, "")
    assert suzhou.cases.approve(refs[2], "o1", "")["step"] == "announce"
    assert suzhou.reads.grade_places(PERIOD)["taken"] == refs[1:]  # type: ignore[index]


def test_the_office_sees_the_candidates_ranked_with_the_places(suzhou: WorkflowApp) -> None:
    first = awaiting_approval(suzhou, ADVISORS[0], [i.replace("95", "98") for i in EXCELLENT])
    second = awaiting_approval(suzhou, ADVISORS[1])
    third = awaiting_approval(suzhou, ADVISORS[2], QUALIFIED)
    suzhou.cases.approve(second, "o1", "")
    found = suzhou.reads.ranked_results(PERIOD)
    top = [(r["rank"], r["case"], r["grade"], r["holds_place"]) for r in found["ranked"][:4]]
    assert top == [(1, first, "优秀", False), (2, second, "优秀", True), (3, third, "合格", False),
                   (None, ref_of(suzhou, ADVISORS[3]), None, False)]
    quota = found["grade_quota"]
    assert (quota["grade"], quota["roster"], quota["places"], quota["taken"]) == (
        "优秀", 19, 2, [second])


def published(app: WorkflowApp, advisor: str, scores: list[str] = EXCELLENT) -> str:
    ref = awaiting_approval(app, advisor, scores)
    app.cases.approve(ref, "o1", "审定")
    app.cases.approve(ref, "o2", "公示")
    return ref


def test_a_final_excellent_result_is_rewarded_with_1500_and_the_certificate(
        suzhou: WorkflowApp) -> None:
    """优秀班主任每学年给予奖励…奖励标准1500元，发放荣誉证书: recorded by the engine when the result
    becomes final, with no nomination; 合格 gets nothing."""
    excellent, qualified = published(suzhou, ADVISORS[0]), published(suzhou, ADVISORS[1],
                                                                      QUALIFIED)
    assert suzhou.reads.awards(PERIOD) == []  # under 公示: not final, no reward yet
    later(suzhou, 6)
    suzhou.appraisals.finalise_period(PERIOD, "o2")
    [award] = suzhou.reads.awards(PERIOD)
    assert {k: award[k] for k in ("advisor", "period", "case", "result", "distinction", "amount",
                                  "certificate")} == {
        "advisor": ADVISORS[0], "period": PERIOD, "case": None, "result": excellent,
        "distinction": None, "amount": 1500.0, "certificate": True}
    entry = suzhou.reads.history(excellent)[-1]
    assert (entry["actor"], entry["action"]) == ("@rule", "rewarded")
    assert not [e for e in suzhou.reads.history(qualified) if e["action"] == "rewarded"]


def test_a_result_regraded_before_it_is_final_leaves_no_reward(suzhou: WorkflowApp) -> None:
    ref = published(suzhou, ADVISORS[0])
    suzhou.appraisals.lodge_objection(ref, "student", "考勤分数有误")
    suzhou.appraisals.resolve_objection(ref, "o3", 1, True, "重新评分")
    suzhou.appraisals.score(ref, "s1", QUALIFIED)
    for who in ("s1", "s2", "o1", "o2"):
        suzhou.cases.approve(ref, who, "")
    later(suzhou, 6)
    assert suzhou.appraisals.finalise(ref, "o2")["grade"] == "合格"
    assert suzhou.reads.awards(PERIOD) == []


def test_six_approvals_racing_for_two_places_give_exactly_two(
        suzhou: WorkflowApp, db_url: str) -> None:
    """Concurrent 审定 of six 优秀 results never rate more than 15 % of the nineteen 优秀: all
    six are signed, two hold the places and four go on as 合格 (equal totals: the order in
    which the signatures were recorded decides)."""
    refs = [awaiting_approval(suzhou, a) for a in ADVISORS[:6]]
    outcomes = race(db_url, [(r, "cases.approve", (r, "o1", "审定")) for r in refs])
    assert [code for _, code, _ in outcomes] == [0] * 6, outcomes
    taken = suzhou.reads.grade_places(PERIOD)["taken"]  # type: ignore[index]
    assert len(taken) == 2
    grades = {r: suzhou.reads.show(r)["grade"] for r in refs}
    assert sorted(r for r, g in grades.items() if g == "优秀") == sorted(taken)
    assert sorted(grades.values()) == ["优秀", "优秀", "合格", "合格", "合格", "合格"]
    assert all(suzhou.reads.show(r)["step"] == "announce" for r in refs)


def test_the_base_is_the_roster_of_appraisals_opened_and_not_withdrawn(
        suzhou: WorkflowApp) -> None:
    """优秀班主任的比例为15% of the advisors appraised: a twentieth appraisal makes 3 places; one
    withdrawn by the person who opened it for themselves leaves the roster, and 2 again."""
    assert suzhou.reads.grade_places(PERIOD)["places"] == 2  # type: ignore[index]
    own = suzhou.cases.open_case("appraisal", "s1", None, PERIOD, None, "s1", unit="cs")["id"]
    places = suzhou.reads.grade_places(PERIOD)
    assert (places["roster"], places["places"]) == (20, 3)  # type: ignore[index]
    suzhou.cases.withdraw(own, "s1", "误开")
    places = suzhou.reads.grade_places(PERIOD)
    assert (places["roster"], places["places"]) == (19, 2)  # type: ignore[index]


def test_an_advisor_may_not_read_the_ranked_results_and_the_office_may(
        suzhou: WorkflowApp) -> None:
    with pytest.raises(NotPermitted):
        suzhou.reads.ranked_results(PERIOD, reader=ADVISORS[0])
    assert suzhou.reads.ranked_results(PERIOD, reader="o1")["grade_quota"]["places"] == 2


def test_the_grade_places_are_kept_where_stores_kept_them_before_the_rename(
        suzhou: WorkflowApp) -> None:
    suzhou.cases.approve(awaiting_approval(suzhou, ADVISORS[0]), "o1", "")
    stored = suzhou.find(key_id("quota", f"grade:优秀/{id_key(PERIOD)}/*"))
    assert isinstance(stored, PlacesQuota) and len(stored.taken) == 1
