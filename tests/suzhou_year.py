"""A Suzhou school year through the application layer, for the documents and figures tests: two
schools, seven advisors appointed from September, their appraisals scored (周杰 优秀 and
published, holding the one 优秀 place of 15 % × 7; others 合格 or 不合格, some still with the
school), everybody with the password `pagerun.password(login)`."""

from __future__ import annotations

from bzr_workflow.application import WorkflowApp

PERIOD = "2026-2027"
KEYS = ["political_morality", "ideological_work", "daily_management", "study_culture",
        "attendance"]
OFFICERS = [("s1", "张建国", "school@cs"), ("s2", "黄丽华", "school@cs"),
            ("m1", "李志强", "school@me"), ("m2", "王海燕", "school@me"),
            ("o1", "陈晓明", "ce_office"), ("o2", "赵磊", "ce_office"), ("aud", "钱审计", "auditor")]
ADVISORS = [  # login, name, class, its name, unit, students, score, how far it goes
    ("zhou", "周杰", "c1", "软件1班", "cs", 45, 95, "published"),
    ("liu", "刘芳", "c2", "软件2班", "cs", 62, 82, "published"),
    ("sun", "孙婷", "c3", "网络1班", "cs", 30, 55, "published"),
    ("wu", "吴敏", "c4", "机电1班", "me", 38, 78, "published"),
    ("zheng", "郑涛", "c5", "机电2班", "me", 51, 88, "school"),
    ("feng", "冯雪", "c6", "数控1班", "me", 27, 70, "scored"),
    ("he", "何静", "c7", "数控2班", "me", 33, 0, "open")]


def make_year(app: WorkflowApp, password: object = None) -> WorkflowApp:
    app.org.init("suzhou-gaobo-2023", "admin", "苏州高博软件技术职业学院", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    app.org.add_unit("me", "机电学院", "", "admin")
    for login, name, role in OFFICERS:
        app.org.add_user(login, name, [role], "admin")
    for login, name, klass, klass_name, unit, students, _, _ in ADVISORS:
        app.org.add_user(login, name, [], "admin")
        app.org.add_class(klass, klass_name, unit, students, "专科", False, "admin")
        head = "s1" if unit == "cs" else "m1"
        ref = app.cases.recruit_apply(klass, login, "2026-09-01", "", head)["id"]
        app.cases.approve(ref, "o1", "")
    refs = {}
    for unit, opener in (("cs", "s1"), ("me", "m1")):  # the roster first: 7, so 1 place
        targets = [(a[0], a[2], a[4]) for a in ADVISORS if a[4] == unit]
        for case in app.appraisals.open_appraisals(PERIOD, targets, opener, True):
            refs[case["subject"]] = case["id"]
    for login, _, klass, _, unit, _, value, reach in ADVISORS:
        first, second = ("s1", "s2") if unit == "cs" else ("m1", "m2")
        ref = refs[login]
        if reach == "open":
            continue
        app.appraisals.submit_summary(ref, login, "书面总结")
        app.appraisals.score(ref, first, [f"{k}={value}" for k in KEYS])
        if reach == "scored":
            continue
        app.cases.approve(ref, first, "")
        app.cases.approve(ref, second, "")
        if reach == "school":
            continue
        app.cases.approve(ref, "o1", "")
        app.cases.approve(ref, "o2", "")
    if callable(password):
        for login in ["admin", *(o[0] for o in OFFICERS), *(a[0] for a in ADVISORS)]:
            app.credentials.set_password(login, password(login), "admin")
    return app
