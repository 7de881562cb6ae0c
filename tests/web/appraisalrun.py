"""Fixtures of the appraisal web tests: a Guilin store with 陈晓明 appointed to 会计1班 (through the
recruitment the site head and the college sign), and a Suzhou store whose advisor's result is
under 公示; everybody's password is pagerun.password(login)."""

from __future__ import annotations

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from guilin_org import USERS, make_org
from pagerun import password

GUILIN_SITE = {"political": "18", "guidance": "14", "contact": "13", "teaching_notices": "12",
               "integrity": "19"}
SUZHOU_SCORES = {"political_morality": "90", "ideological_work": "85",
                 "daily_management": "80", "study_culture": "85", "attendance": "100"}
SUZHOU_PEOPLE = (("open1", "吴院长", ["school@cs"]), ("s1", "孙老师", ["school@cs"]),
                 ("s2", "沈主任", ["school@cs"]), ("o1", "周处长", ["ce_office"]),
                 ("o2", "钱科长", ["ce_office"]), ("adv", "郑班主任", []),
                 ("peer", "冯老师", []), ("stranger", "何同学", []))


def guilin_appointed(db: str) -> WorkflowApp:
    """Guilin with chen (陈晓明) advising kj1 (会计1班) from 2026-09-01."""
    app = make_org(open_app(parse_location(db), create=True))
    for login in ["admin", *(u[0] for u in USERS)]:
        app.credentials.set_password(login, password(login), "admin")
    ref = str(app.cases.recruit_apply("kj1", None, "2026-09-01", "愿意担任班主任", "chen")["id"])
    for signer in ("zhang", "li", "wang"):
        app.cases.approve(ref, signer, "同意")
    return app


def suzhou_store(db: str) -> WorkflowApp:
    app = open_app(parse_location(db), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, name, roles in SUZHOU_PEOPLE:
        app.org.add_user(login, name, roles, "admin")
        app.credentials.set_password(login, password(login), "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    return app


def suzhou_published(app: WorkflowApp) -> str:
    """adv's appraisal scored, signed at every level and published: under 公示 for 5 days."""
    ref = str(app.appraisals.open_appraisals("2026", [("adv", "c1", "cs")], "open1", True)[0]["id"])
    app.appraisals.submit_summary(ref, "adv", "一年来履行班主任职责的书面总结")
    app.appraisals.score(ref, "s1", [f"{k}={v}" for k, v in SUZHOU_SCORES.items()])
    for who, comment in (("s1", ""), ("s2", "同意"), ("o1", "审定"), ("o2", "公示")):
        app.cases.approve(ref, who, comment)
    return ref
