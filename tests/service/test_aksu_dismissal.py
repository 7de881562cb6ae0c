"""Aksu's 解聘 through the application layer: a dismissal ends the post, and the one the rule
opens after two unqualified semesters is the rule's act, not the officer's who recorded them.

第九条  有下列情况之一者予以解聘。1）连续两学期工作考核不合格者；2）任期内由于工作责任心不强、
失职等原因造成较大事故或为学院带来较大损失者（年终工作考核定为不合格）；3）不执行党中央、自治区、
地区以及学院各项决策者……（年终工作考核定为不合格）；4）触犯法律受到处罚者。
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import BadInput, NotFound, NotPermitted
from bzr_workflow.domain.periods import period_of_day, year_of
from bzr_workflow.domain.signing import RULE


@pytest.fixture
def aksu(db_url: str) -> Iterator[WorkflowApp]:
    """Aksu with one department, its two officers, 学工部, the college, and tian advising two
    classes (第十条: 特殊情况下可以每2至3个班配备1个班主任)."""
    app = open_app(parse_location(db_url), create=True)
    app.org.init("aksu-vtc-2020", "admin", "", None)
    app.org.add_unit("jd", "机电工程系", "", "admin")
    for login, roles in (("ma", ["dept@jd"]), ("niu", ["dept@jd"]), ("xue", ["student_affairs"]),
                         ("yuan", ["college"]), ("tian", [])):
        app.org.add_user(login, login, roles, "admin")
    app.trainings.record("tian", "2026-01-01", None, "xue")  # 第二十四条 岗前培训
    for code in ("jd1", "jd2"):
        app.org.add_class(code, code, "jd", 40, "高职", False, "admin")
        ref = str(app.cases.open_case("recruitment", "tian", code, None, "", "ma",
                                      {"start": "2026-09-01"})["id"])
        app.cases.approve(ref, "xue", "")
        app.cases.approve(ref, "yuan", "")
    yield app
    app.close()


def graded(app: WorkflowApp, period: str, grade: str) -> str:
    ref = str(app.appraisals.open_appraisals(
        period, app.reads.appraisal_targets(period, ["tian"]), "ma", True)[0]["id"])
    app.appraisals.score(ref, "niu", [f"morality={grade}", f"overall={grade}"])
    app.cases.approve(ref, "niu", "")
    app.cases.approve(ref, "xue", "")  # 考核结果上报学工部: xue records the result
    return ref


def rule_dismissal(app: WorkflowApp) -> tuple[str, str, str]:
    first = graded(app, "2025-2026-2", "不称职")
    second = graded(app, "2026-2027-1", "不称职")
    [due] = [c for c in app.user("tian").consequences if c["key"] == "dismissal"]
    return first, second, str(due["opened"])


def test_the_rule_opens_the_dismissal_in_place_of_the_department(aksu: WorkflowApp) -> None:
    """第九条 1）连续两学期工作考核不合格者 — 予以解聘 follows from the results themselves: the
    history's first entry is the rule's, naming the results that caused it."""
    first, second, ref = rule_dismissal(aksu)
    [opening, *_] = aksu.reads.history(ref)
    assert opening["actor"] == RULE == "@rule"
    assert first in opening["comment"] and second in opening["comment"]
    assert "2025-2026-2 不称职" in opening["comment"] and "2026-2027-1 不称职" in opening["comment"]
    page = aksu.reads.case_view(ref, "xue")
    assert page.history[0]["actor"] == RULE
    audit = aksu.reads.audit(actor="xue")
    assert not [e for e in audit if e.get("case") == ref or "consequence" == e["action"]]
    data = aksu.reads.show(ref)["data"]
    assert data["results"] == [{"case": first, "period": "2025-2026-2", "grade": "不称职"},
                               {"case": second, "period": "2026-2027-1", "grade": "不称职"}]


def test_the_officer_who_recorded_the_second_result_may_review_the_dismissal(
        aksu: WorkflowApp) -> None:
    """第九条 1）: xue's signature on 考核结果上报学工部 recorded the second 不称职; the rule, not xue,
    opened the dismissal, so xue signs 学工部审核."""
    _, _, ref = rule_dismissal(aksu)
    assert aksu.cases.approve(ref, "xue", "情况属实")["step"] == "college_approval"
    assert aksu.cases.approve(ref, "yuan", "")["state"] == "published"
    assert aksu.user("tian").classes == []


def test_a_returned_rule_dismissal_is_amended_by_the_department(aksu: WorkflowApp) -> None:
    """The rule stands in for the department's 提出评聘意见: sent back, the department re-submits it
    (no person is the rule)."""
    _, _, ref = rule_dismissal(aksu)
    aksu.cases.return_case(ref, "xue", "请补充材料")
    with pytest.raises(NotPermitted):
        aksu.cases.approve(ref, "tian", "")
    assert [c["id"] for c in aksu.reads.inbox("ma")] == [ref]
    assert [c["id"] for c in aksu.reads.inbox("xue")] == []
    assert aksu.cases.approve(ref, "ma", "已补充")["step"] == "sa_review"


def test_a_published_dismissal_ends_every_appointment_on_its_date(aksu: WorkflowApp) -> None:
    """第九条 予以解聘: the advisor leaves the post — both classes, not only the one named."""
    ref = str(aksu.cases.open_case("dismissal", "tian", "jd1", None, "失职", "ma",
                                      {"ground": "legal_punishment"})["id"])
    aksu.cases.approve(ref, "xue", "")
    aksu.cases.approve(ref, "yuan", "")
    today = aksu.today(aksu.policy())
    ended = {a["class"]: (a["end"], a["state"])
             for a in aksu.reads.appointments("tian")}
    assert ended == {"jd1": (today, "ended"), "jd2": (today, "ended")}
    assert aksu.user("tian").classes == []


def test_no_login_can_be_the_rule(aksu: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="must be"):
        aksu.org.add_user(RULE, "规则", [], "admin")
    with pytest.raises(NotFound, match="unknown user '@rule'"):
        aksu.cases.approve("R-1", RULE, "")


def proposed(app: WorkflowApp, ground: str) -> str:
    ref = str(app.cases.open_case("dismissal", "tian", "jd1", None, "", "ma",
                                  {"ground": ground})["id"])
    app.cases.approve(ref, "xue", "")
    app.cases.approve(ref, "yuan", "")
    return ref


@pytest.mark.parametrize("ground", ["serious_accident", "policy_defiance"])
def test_grounds_two_and_three_make_the_years_result_unqualified(aksu: WorkflowApp,
                                                                ground: str) -> None:
    """第九条 2）……造成较大事故或为学院带来较大损失者（年终工作考核定为不合格）; 3）不执行……决策者
    ……（年终工作考核定为不合格）: the school year of the dismissal is a failed year (不称职, 第二十八条's
    name for 不合格), so it counts for no year-counted honour."""
    ref = proposed(aksu, ground)
    today = date.fromisoformat(aksu.today(aksu.policy()))
    school_year = year_of(period_of_day(today, "semester"))
    results = aksu.user("tian").results
    assert results == {school_year: {"grade": "不称职", "total": "", "case": ref}}
    top_ten = next(r for r in aksu.policy().consequences.rules if r.key == "top_ten")
    terms = {f"{school_year}-{n}": {"grade": "称职", "total": "", "case": f"A-{n}"}
             for n in (1, 2)}
    assert top_ten.qualifying(terms, f"{school_year}-2") == ["A-1", "A-2"]
    assert top_ten.qualifying({**terms, **results}, f"{school_year}-2") == []


def test_ground_four_sets_no_result(aksu: WorkflowApp) -> None:
    """第九条 4）触犯法律受到处罚者 — no （年终工作考核定为不合格） follows it."""
    proposed(aksu, "legal_punishment")
    assert aksu.user("tian").results == {}


def test_a_proposal_names_a_ground_the_people_decide(aksu: WorkflowApp) -> None:
    """第九条 有下列情况之一者予以解聘: a proposal names one of grounds 2)-4); ground 1) is the rule's."""
    with pytest.raises(BadInput, match="serious_accident"):
        aksu.cases.open_case("dismissal", "tian", "jd1", None, "", "ma")
    with pytest.raises(BadInput, match="not a ground"):
        aksu.cases.open_case("dismissal", "tian", "jd1", None, "", "ma",
                             {"ground": "two_semesters_unqualified"})
