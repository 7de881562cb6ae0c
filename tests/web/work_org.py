"""Stores for the award, allowance and work-log pages: a Guilin advisor rated 优秀 (to nominate),
an Aksu department with two appointed advisors (to pay)."""

from __future__ import annotations

from bzr_workflow.application import WorkflowApp

PERIOD = "2026-2027-1"
SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def appointed(store: WorkflowApp) -> None:
    """chen advises 会计1班 (南宁), liu 土木1班 (柳州), from 2026-09-01."""
    for candidate, klass, site in (("chen", "kj1", "zhang"), ("liu", "tm1", "huang")):
        ref = store.cases.recruit_apply(klass, None, "2026-09-01", "", candidate)["id"]
        for who in (site, "li", "wang"):
            store.cases.approve(ref, who)


def excellent(store: WorkflowApp) -> None:
    """chen's appraisal of the semester published 优秀 (as tests/cli/test_cli_award.py)."""
    appointed(store)
    store.org.update_user("chen", {"gender": "男", "birth": "1980-05", "ethnicity": "汉族",
                                   "education": "本科/学士", "political_status": "中共党员"},
                          "admin")
    targets = store.reads.appraisal_targets(PERIOD, ["chen"])
    ref = store.appraisals.open_appraisals(PERIOD, targets, "li", True)[0]["id"]
    store.appraisals.score(ref, "zhang", SITE)
    store.cases.approve(ref, "zhang")
    store.appraisals.score(ref, "li", ["college_evaluation=14"])
    store.cases.approve(ref, "li")
    store.cases.approve(ref, "wang")


def aksu(store: WorkflowApp) -> None:
    """Aksu's 机电工程系 with 田老师 (高职, paid per student) and 专老师 (专职: paid otherwise),
    as tests/cli/test_cli_allowance.py sets it up."""
    store.org.init("aksu-vtc-2020", "admin", "", None)
    store.org.add_unit("jd", "机电工程系", "", "admin")
    for login, name, roles in (("ma", "马主任", ["dept@jd"]), ("xue", "薛处长", ["student_affairs"]),
                               ("yuan", "袁院长", ["college"]), ("tian", "田老师", []),
                               ("zhuan", "专老师", [])):
        store.org.add_user(login, name, roles, "admin")
    store.org.update_user("zhuan", {"employment": "专职"}, "admin")
    for klass, name, level in (("jd1", "机电1班", "高职"), ("jd2", "机电2班", "中职")):
        store.org.add_class(klass, name, "jd", 40, level, False, "admin")
    for advisor, klass in (("tian", "jd1"), ("zhuan", "jd2")):
        store.trainings.record(advisor, "2026-01-01", None, "xue")  # 第二十四条 岗前培训
        ref = store.cases.open_case("recruitment", advisor, klass, None, "", "ma")["id"]
        store.cases.approve(ref, "xue")
        store.cases.approve(ref, "yuan")


def jiyuan(store: WorkflowApp) -> None:
    """Jiyuan's 信息工程系 with its counsellor, who opens discipline cases (tests/cli/test_cli_jiyuan.py)."""
    store.org.init("jiyuan-vtc-2018", "admin", "", None)
    store.org.add_unit("xx", "信息工程系", "", "admin")
    for login, name, role in (("bzr", "班主任甲", "advisor@xx"), ("fdy", "辅导员乙", "counsellor@xx"),
                              ("lg", "组长", "dept_leading_group@xx"),
                              ("xgc", "主管", "college_authority")):
        store.org.add_user(login, name, [role], "admin")
    store.org.add_class("xx1", "信息1班", "xx", 40, "", False, "admin")
