"""A realistic recruitment round under the Guilin policy, played through the application layer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from .application import WorkflowApp
from .domain.errors import RuleRefused, WorkflowError

POLICY = "guilin-ut-ce-2024"
DEMO_NAME = "桂林理工大学继续教育学院（演示）"
UNITS = [("glut-ce", "桂林理工大学继续教育学院", ""),
         ("nanning", "南宁校外教学点", "glut-ce"),
         ("liuzhou", "柳州助学单位", "glut-ce")]
USERS = [("zhang.nn", "张建国", ["site_head@nanning"]),
         ("huang.lz", "黄丽华", ["site_head@liuzhou"]),
         ("li.dean", "李志强", ["ce_college"]),
         ("wang.office", "王海燕", ["ce_college"]),
         ("chen", "陈晓明", []), ("liu", "刘芳", []), ("zhao", "赵磊", []),
         ("sun", "孙婷", []), ("zhou", "周杰", [])]
CLASSES = [("kj", "会计学专升本班", "nanning", 52), ("tm", "土木工程专升本班", "liuzhou", 38),
           ("gl", "工商管理高起专班", "nanning", 64), ("jx", "机械设计专升本班", "liuzhou", 27),
           ("dz", "电子商务高起专班", "nanning", 81)]

Say = Callable[[str], None]
READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I to misread


def run(app: WorkflowApp, say: Say) -> dict[str, Any]:
    _setup(app, say)
    n = _next_round(app)
    codes = {key: f"r{n}-{key}" for key, *_ in CLASSES}
    for key, name, unit, students in CLASSES:
        app.org.add_class(codes[key], f"第{n}轮 {name}", unit, students, "专升本", False, "admin")
    say(f"Round {n}: five classes opened for advisors ({', '.join(codes.values())}).")
    outcomes = {
        "published": _published(app, say, codes["kj"]),
        "vetoed": _vetoed(app, say, codes["tm"]),
        "returned_then_published": _returned(app, say, codes["gl"]),
        "withdrawn": _withdrawn(app, say, codes["jx"]),
        "pending": _pending(app, say, codes["dz"]),
    }
    return {"round": n, "cases": outcomes, "passwords": _passwords(app, say)}


def _passwords(app: WorkflowApp, say: Say) -> dict[str, str]:
    """A fresh password for the administrator and every demo person, set by the administrator
    through the credentials service (as `user passwd` does), so that each can sign in on the web."""
    passwords = {}
    for login in ["admin", *(login for login, _, _ in USERS)]:
        passwords[login] = "".join(secrets.choice(READABLE) for _ in range(12))
        app.credentials.set_password(login, passwords[login], "admin")
    say(f"Set a new password for {len(passwords)} people (admin and the demo's staff and"
        " candidates), printed below.")
    return passwords


def _setup(app: WorkflowApp, say: Say) -> None:
    if not app.has("institution"):
        app.org.init(POLICY, "admin", DEMO_NAME, None)
        say(f"Created the store under policy {POLICY} (桂理工继教〔2024〕47号), administrator 'admin'.")
    elif app.institution().name != DEMO_NAME:
        raise RuleRefused("this store was not made by the demo; give the demo its own --db file")
    for code, name, parent in UNITS:
        if not app.has("unit", code):
            app.org.add_unit(code, name, parent, "admin")
    for login, name, roles in USERS:
        if not app.has("user", login):
            app.org.add_user(login, name, roles, "admin")


def _next_round(app: WorkflowApp) -> int:
    n = 1
    while app.has("class", f"r{n}-kj"):
        n += 1
    return n


def _published(app: WorkflowApp, say: Say, klass: str) -> str:
    ref = str(app.cases.recruit_apply(klass, None, None, "本人在会计行业工作十年，熟悉继续教育学生管理。",
                            "chen")["id"])
    app.cases.approve(ref, "zhang.nn", "同意推荐")
    app.cases.approve(ref, "li.dean", "同意聘任")
    app.cases.approve(ref, "wang.office", "已向班级公布")
    say(f"{ref}: 陈晓明 applied for {klass}; 推荐单位审核 by 张建国, 继续教育学院审批 by 李志强,"
        f" 向学生所在班级公布 by 王海燕 → published, appointed.")
    return ref


def _vetoed(app: WorkflowApp, say: Say, klass: str) -> str:
    ref = str(app.cases.recruit_apply(klass, None, None, "申请担任班主任。", "liu")["id"])
    app.cases.veto(ref, "huang.lz", "申请人尚未取得推荐单位出具的工作证明")
    say(f"{ref}: 刘芳 applied for {klass}; 黄丽华 vetoed it at 推荐单位审核 (reason recorded).")
    return ref


def _returned(app: WorkflowApp, say: Say, klass: str) -> str:
    ref = str(app.cases.recruit_apply(klass, None, "2027-03-01", "申请担任班主任。", "zhao")["id"])
    app.cases.return_case(ref, "zhang.nn", "请补充学生管理工作经历")
    app.cases.approve(ref, "zhao", "已补充：曾任两届学生辅导员")
    for who, opinion in (("zhang.nn", "同意推荐"), ("li.dean", "同意"), ("wang.office", "已公布")):
        app.cases.approve(ref, who, opinion)
    say(f"{ref}: 赵磊 applied for {klass}; returned for amendment by 张建国, re-submitted,"
        " then signed at every level → published, effective 2027-03-01.")
    return ref


def _withdrawn(app: WorkflowApp, say: Say, klass: str) -> str:
    ref = str(app.cases.recruit_apply(klass, None, None, "申请担任班主任。", "sun")["id"])
    app.cases.approve(ref, "huang.lz", "同意推荐")
    app.cases.withdraw(ref, "sun", "工作调动，无法兼任")
    say(f"{ref}: 孙婷 applied for {klass}, was recommended, then withdrew.")
    return ref


def _pending(app: WorkflowApp, say: Say, klass: str) -> str:
    ref = str(app.cases.recruit_apply(klass, None, None, "申请担任班主任。", "zhou")["id"])
    try:
        app.cases.approve(ref, "huang.lz", "同意")
    except WorkflowError as exc:
        say(f"{ref}: 周杰 applied for {klass}; 黄丽华 of 柳州 tried to sign it and was refused:"
            f" “{exc}”")
    say(f"{ref}: waits in 张建国's inbox (bzr-workflow --as zhang.nn inbox).")
    return ref
