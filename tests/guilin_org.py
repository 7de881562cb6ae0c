"""A small Guilin organisation for tests and benchmarks: two teaching sites, their heads, two
college officers and candidates, three classes."""

from __future__ import annotations

from bzr_workflow.application import WorkflowApp

GUILIN = "guilin-ut-ce-2024"
UNITS = [("ce", "继续教育学院", ""), ("nanning", "南宁校外教学点", "ce"),
         ("liuzhou", "柳州助学单位", "ce")]
USERS = [("zhang", "张建国", ["site_head@nanning"]), ("zhao2", "赵副主任", ["site_head@nanning"]),
         ("huang", "黄丽华", ["site_head@liuzhou"]), ("li", "李志强", ["ce_college"]),
         ("wang", "王海燕", ["ce_college"]), ("boss", "院长", ["site_head@ce"]),
         ("chen", "陈晓明", []), ("liu", "刘芳", [])]
CLASSES = [("kj1", "会计1班", "nanning", 45), ("kj2", "会计2班", "nanning", 61),
           ("tm1", "土木1班", "liuzhou", 30)]


def make_org(app: WorkflowApp, policy: str = GUILIN) -> WorkflowApp:
    app.org.init(policy, "admin", "", None)
    for code, name, parent in UNITS:
        app.org.add_unit(code, name, parent, "admin")
    for login, name, roles in USERS:
        app.org.add_user(login, name, roles, "admin")
    for code, name, unit, students in CLASSES:
        app.org.add_class(code, name, unit, students, "专升本", False, "admin")
    return app
