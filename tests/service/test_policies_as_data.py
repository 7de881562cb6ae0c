"""Workflows declared only as policy data run end to end: Aksu's department-led recruitment and
staffing limit, and Jiyuan's discipline case, on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import LimitReached, NotPermitted


@pytest.fixture
def aksu(db_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(db_url), create=True)
    app.org.init("aksu-vtc-2020", "admin", "", None)
    app.org.add_unit("jd", "机电工程系", "", "admin")
    app.org.add_unit("cj", "财经系", "", "admin")
    for login, roles in (("ma", ["dept@jd"]), ("he", ["dept@cj"]), ("xue", ["student_affairs"]),
                         ("yuan", ["college"]), ("tian", [])):
        app.org.add_user(login, login, roles, "admin")
    for n in range(1, 5):
        app.org.add_class(f"jd{n}", f"机电{n}班", "jd", 40, "高职", False, "admin")
    yield app
    app.close()


def appoint(app: WorkflowApp, klass: str, advisor: str = "tian") -> str:
    if not app.user(advisor).trainings:  # 第二十四条 新任班主任上岗前必须参加……培训
        app.trainings.record(advisor, "2026-01-01", None, "xue")
    ref = str(app.cases.open_case("recruitment", advisor, klass, None, "系部推荐", "ma")["id"])
    app.cases.approve(ref, "xue", "同意")
    app.cases.approve(ref, "yuan", "批准")
    return ref


def test_aksu_recruitment_is_opened_by_the_departments_recommendation(aksu: WorkflowApp) -> None:
    ref = appoint(aksu, "jd1")
    history = [(h["actor"], h["action"], h["step_label"]) for h in aksu.reads.history(ref)]
    assert history[0] == ("ma", "recommended", "系（部）推荐")
    assert aksu.reads.show(ref)["state"] == "published"
    assert aksu.school_class("jd1").advisors[0]["advisor"] == "tian"


def test_another_departments_head_may_not_recommend(aksu: WorkflowApp) -> None:
    with pytest.raises(NotPermitted, match="dept"):
        aksu.cases.open_case("recruitment", "tian", "jd1", None, "", "he")


def test_an_advisor_takes_at_most_three_classes(aksu: WorkflowApp) -> None:
    for klass in ("jd1", "jd2", "jd3"):
        appoint(aksu, klass)
    with pytest.raises(LimitReached, match="at most 3"):
        aksu.cases.open_case("recruitment", "tian", "jd4", None, "", "ma")


STUDENT = {"student": {"name": "李同学", "number": "2026001"}}


@pytest.fixture
def jiyuan(db_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(db_url), create=True)
    app.org.init("jiyuan-vtc-2018", "admin", "", None)
    app.org.add_unit("xx", "信息工程系", "", "admin")
    for login, roles in (("fdy", ["counsellor@xx"]), ("lg", ["dept_leading_group@xx"]),
                         ("xgc", ["college_authority"]), ("stu", [])):
        app.org.add_user(login, login, roles, "admin")
    yield app
    app.close()


def test_jiyuan_discipline_case_runs_from_its_policy_data_alone(jiyuan: WorkflowApp) -> None:
    case = jiyuan.cases.open_case("discipline", None, None, None, "旷课十二学时", "fdy",
                                  STUDENT, unit="xx")
    assert (case["id"], case["step_label"]) == ("J-1", "系学生工作领导小组研究")
    jiyuan.cases.approve(case["id"], "lg", "建议警告处分")
    done = jiyuan.cases.approve(case["id"], "xgc", "同意警告处分")
    labels = [h["step_label"] for h in jiyuan.reads.history(case["id"])]
    assert done["state"] == "published"
    assert labels == ["辅导员提出处理意见", "系学生工作领导小组研究", "学院主管部门审批"]


def test_a_discipline_case_of_no_unit_cannot_be_opened_by_a_departments_counsellor(
        jiyuan: WorkflowApp) -> None:
    with pytest.raises(NotPermitted, match="counsellor"):
        jiyuan.cases.open_case("discipline", None, None, None, "", "fdy", STUDENT)


def dismiss(app: WorkflowApp, klass: str, advisor: str = "tian") -> str:
    ref = str(app.cases.open_case("dismissal", advisor, klass, None, "触犯法律受到处罚", "ma",
                                  {"ground": "legal_punishment"})["id"])
    app.cases.approve(ref, "xue", "属实")
    app.cases.approve(ref, "yuan", "同意解聘")
    return ref


def test_a_published_dismissal_ends_the_appointment_and_frees_the_class(aksu: WorkflowApp) -> None:
    appoint(aksu, "jd1")
    dismiss(aksu, "jd1")
    assert aksu.school_class("jd1").advisors == []
    assert aksu.user("tian").classes == []
    appoint(aksu, "jd1")


def test_only_the_classs_advisor_can_be_dismissed_from_it(aksu: WorkflowApp) -> None:
    from bzr_workflow.domain.errors import RuleRefused

    with pytest.raises(RuleRefused, match="does not advise class jd1"):
        aksu.cases.open_case("dismissal", "tian", "jd1", None, "", "ma",
                             {"ground": "legal_punishment"})


def test_the_appointments_view_shows_the_ended_appointment(aksu: WorkflowApp) -> None:
    from bzr_workflow.application.reads import views_of
    from bzr_workflow.projections import queries

    first = appoint(aksu, "jd1")
    dismiss(aksu, "jd1")
    views = views_of(aksu)
    with views.read() as conn:
        rows = queries.appointments(conn)
    views.close()
    assert [(r["case"], r["state"], r["end"] is not None) for r in rows] == [(first, "ended", True)]


def test_jiyuan_triggers_are_answered_on_both_backends(jiyuan: WorkflowApp) -> None:
    """二(五)2: 学生学习成绩下滑、受到学业警告时，要及时与家长联系 — students' names are sealed
    under keys made in one go, and matched across entries."""
    jiyuan.org.add_user("bzr", "班主任", ["advisor@xx"], "admin")
    rows = [{"activity": "trigger", "trigger": "falling_grades", "student": f"学生{n}",
             "date": "2026-10-08"} for n in range(3)]
    rows += [{"activity": "parent_contact", "student": "学生1", "date": "2026-10-09"}]
    jiyuan.worklog.log_add("bzr", rows, "bzr")
    jiyuan.worklog.log_add("bzr", [{"activity": "parent_contact", "student": "学生2",
                                    "date": "2026-10-10"}], "bzr")
    triggers = jiyuan.reads.norms("bzr", "2026-2027-1")["triggers"]
    assert [(t["student"], t["contact"] and t["contact"]["date"]) for t in triggers] == [
        ("学生0", None), ("学生1", "2026-10-09"), ("学生2", "2026-10-10")]
