"""Appointments that end, from the command line: a dismissal (Suzhou, Hefei), a graduation, a
resignation, a term running out (Aksu), and one that has not begun.

苏州 第二条: 班主任聘期内因工作需要或其他特殊事由可进行调整。对不履行班主任职责，玩忽职守或因其他原因
给工作造成不良影响的，学校有权适时予以解聘。
合肥 三、管理与考核 4: 对工作责任心差、不能完成工作任务及不胜任者应及时解聘。
阿克苏 第十二条: 班主任任期一般要担任一届（三年），并作为职称评审的必备条件。
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bzr_workflow.application import app as app_module
from clirun import invoke, ok


def on_day(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The engine's today (Beijing time) is `day`."""
    moment = datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)
    monkeypatch.setattr(app_module.WorkflowApp, "clock", lambda self: moment)


def lines_of(db: str, month: str, advisor: str) -> list[dict[str, object]]:
    return [line for line in ok(db, "allowance", "--month", month)["lines"]
            if line["advisor"] == advisor]


def appointment(db: str, advisor: str, klass: str) -> dict[str, object]:
    [row] = [a for a in ok(db, "appointments") if a["advisor"] == advisor and a["class"] == klass]
    return dict(row)


# -- Suzhou ------------------------------------------------------------------------------------

def suzhou(db: str) -> None:
    """计算机学院 with two of its officers, the continuing-education office, and wu advising 软件1班
    (45 students: 600 × 0.8 a month) since 2026-09-01."""
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "unit", "add", "cs", "--name", "计算机学院", actor="admin")
    for login, name, role in (("open1", "秦老师", "school@cs"), ("o1", "欧主任", "ce_office"),
                              ("wu", "吴敏", ""), ("zhao", "赵磊", "")):
        ok(db, "user", "add", login, "--name", name, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "c1", "--name", "软件1班", "--unit", "cs", "--students", "45",
       actor="admin")
    appoint(db, "wu", "c1", "2026-09-01")


def appoint(db: str, advisor: str, klass: str, start: str) -> None:
    ref = ok(db, "recruit", "apply", "--class", klass, "--candidate", advisor, "--start", start,
             actor="open1")["id"]
    assert ok(db, "approve", ref, actor="o1")["state"] == "published"


def test_a_suzhou_dismissal_ends_the_appointment_and_frees_the_class(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """第二条 玩忽职守……学校有权适时予以解聘: the school proposes on that ground, the office
    dismisses; the appointment ends on the day, December is paid to it (10 of 31 days, the
    policy prorates), January has no line, and the class takes a new advisor."""
    db = sqlite_url
    suzhou(db)
    on_day(monkeypatch, "2026-12-10")
    ref = ok(db, "case", "open", "dismissal", "--subject", "wu", "--class", "c1",
             "--ground", "dereliction", "--note", "多次缺席班会", actor="open1")["id"]
    shown = ok(db, "approve", ref, actor="o1")
    assert (shown["state"], shown["kind"]) == ("published", "dismissal")
    ended = appointment(db, "wu", "c1")
    assert (ended["state"], ended["end"], ended["end_cause"], ended["ended_by"]) == (
        "ended", "2026-12-10", "dismissal", "o1")
    assert ended["end_reason"] == f"解聘（{ref}）：玩忽职守" and ended["full_term"] is False
    [december] = lines_of(db, "2026-12", "wu")
    assert (december["days"], december["amount"]) == (10, round(600 * 0.8 * 10 / 31, 2))
    assert lines_of(db, "2027-01", "wu") == []
    appoint(db, "zhao", "c1", "2026-12-11")
    assert appointment(db, "zhao", "c1")["state"] == "upcoming"  # from tomorrow
    on_day(monkeypatch, "2026-12-11")
    assert appointment(db, "zhao", "c1")["state"] == "active"
    assert ok(db, "class", "list")[0]["advisors"] == ["zhao"]
    released = [e for e in ok(db, "audit", "--actor", "o1") if e["action"] == "released"]
    assert released and "玩忽职守" in str(released[0]["comment"])


def test_a_suzhou_dismissal_names_one_of_the_seed_grounds(sqlite_url: str) -> None:
    """第二条 names three grounds (不履行班主任职责, 玩忽职守, 因其他原因给工作造成不良影响): a proposal
    without one is bad input, and the appointment stands."""
    db = sqlite_url
    suzhou(db)
    refused = invoke(db, "case", "open", "dismissal", "--subject", "wu", "--class", "c1",
                     actor="open1")
    assert refused.exit_code == 2 and "玩忽职守" in refused.stderr
    assert appointment(db, "wu", "c1")["state"] == "active"


def test_a_graduation_ends_the_appointment_paid_to_its_day(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A class that graduates keeps no advisor: `class update --graduated` ends wu's appointment
    on 2027-06-20, June is paid for 20 of 30 days (prorated), July not at all."""
    db = sqlite_url
    suzhou(db)
    on_day(monkeypatch, "2027-06-21")
    shown = ok(db, "class", "update", "c1", "--graduated", "2027-06-20", actor="admin")
    assert shown["ended"] == ["wu"] and shown["graduated"] == "2027-06-20"
    ended = appointment(db, "wu", "c1")
    assert (ended["state"], ended["end"], ended["end_cause"], ended["end_reason"]) == (
        "ended", "2027-06-20", "graduation", "班级毕业")
    [june] = lines_of(db, "2027-06", "wu")
    assert (june["days"], june["amount"]) == (20, 320.0)
    assert lines_of(db, "2027-07", "wu") == []
    assert ok(db, "class", "list")[0]["advisors"] == []


def test_a_resignation_is_the_schools_act_and_paid_to_its_day(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """第二条 因工作需要或其他特殊事由可进行调整 (the school selects, 第十一条): `appointment end`
    by the school's officer ends wu's appointment on 2026-11-15 (15 of 30 days paid); the
    office (not the school) and the advisor may not; the reason and the actor are recorded."""
    db = sqlite_url
    suzhou(db)
    on_day(monkeypatch, "2026-11-10")
    args = ("appointment", "end", "--advisor", "wu", "--class", "c1", "--on", "2026-11-15",
            "--reason", "本人辞职")
    for stranger in ("o1", "wu"):
        refused = invoke(db, *args, actor=stranger)
        assert refused.exit_code == 3 and "学院（部）" in refused.stderr, refused.stderr
    shown = ok(db, *args, actor="open1")
    assert (shown["end"], shown["end_reason"], shown["ended_by"]) == (
        "2026-11-15", "本人辞职", "open1")
    assert appointment(db, "wu", "c1")["state"] == "active"  # until its last day has come
    on_day(monkeypatch, "2026-11-15")
    ended = appointment(db, "wu", "c1")
    assert (ended["state"], ended["end_reason"], ended["end_cause"]) == (
        "ended", "本人辞职", "ended")
    [november] = lines_of(db, "2026-11", "wu")
    assert (november["days"], november["amount"]) == (15, 240.0)
    assert lines_of(db, "2026-12", "wu") == []
    again = invoke(db, *args, actor="open1")
    assert again.exit_code == 1 and "does not advise" in again.stderr


def test_an_appointment_that_starts_later_is_upcoming(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An appointment filed in December to start in March is `upcoming` until March, then
    `active`; nothing is paid before it starts."""
    db = sqlite_url
    suzhou(db)
    ok(db, "class", "add", "c2", "--name", "软件2班", "--unit", "cs", "--students", "45",
       actor="admin")
    on_day(monkeypatch, "2026-12-10")
    appoint(db, "zhao", "c2", "2027-03-01")
    assert appointment(db, "zhao", "c2")["state"] == "upcoming"
    assert lines_of(db, "2027-02", "zhao") == []
    on_day(monkeypatch, "2027-03-01")
    assert appointment(db, "zhao", "c2")["state"] == "active"


# -- Hefei -------------------------------------------------------------------------------------

def test_a_hefei_dismissal_ends_the_appointment_and_frees_the_class(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """三、4 不胜任者应及时解聘; 三、1 聘任…和调整等工作由学院统一负责: the head of student work
    proposes on the ground 不胜任, the college dismisses; the month after has no line, and the
    college appoints another 班主任 to the class."""
    db = sqlite_url
    ok(db, "init", "--policy", "hfut-math", "--admin", "admin")
    ok(db, "unit", "add", "math", "--name", "数学学院", actor="admin")
    for login, name, role in (("head", "钱主任", "student_work_head"), ("dean", "孙院长", "college"),
                              ("wu", "吴敏", ""), ("zhao", "赵磊", "")):
        ok(db, "user", "add", login, "--name", name, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "m1", "--name", "数学1班", "--unit", "math", "--students", "40",
       "--year-of-study", "1", actor="admin")

    def hefei_appoint(advisor: str, start: str) -> None:
        ref = ok(db, "recruit", "apply", "--class", "m1", "--candidate", advisor, "--start",
                 start, actor="head")["id"]
        assert ok(db, "approve", ref, actor="dean")["state"] == "published"

    hefei_appoint("wu", "2026-09-01")
    on_day(monkeypatch, "2026-12-10")
    ref = ok(db, "case", "open", "dismissal", "--subject", "wu", "--class", "m1",
             "--ground", "unfit", actor="head")["id"]
    assert ok(db, "approve", ref, actor="dean")["state"] == "published"
    ended = appointment(db, "wu", "m1")
    assert (ended["state"], ended["end"], ended["end_reason"]) == (
        "ended", "2026-12-10", f"解聘（{ref}）：不胜任")
    assert [line["days"] for line in lines_of(db, "2026-12", "wu")] == [10]
    assert lines_of(db, "2027-01", "wu") == []
    hefei_appoint("zhao", "2026-12-10")
    assert appointment(db, "zhao", "m1")["state"] == "active"


# -- Aksu --------------------------------------------------------------------------------------

def aksu(db: str) -> None:
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, role in (("ma", "dept@jd"), ("xue", "student_affairs"), ("yuan", "college"),
                        ("tian", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "jd1", "--name", "机电1班", "--unit", "jd", "--students", "40",
       "--level", "高职", actor="admin")
    ok(db, "training", "record", "--advisor", "tian", "--date", "2023-08-20",
       actor="xue")  # 第二十四条 岗前培训, before the post


def aksu_appoint(db: str, start: str) -> None:
    ref = ok(db, "recruit", "apply", "--class", "jd1", "--candidate", "tian", "--start", start,
             actor="ma")["id"]
    ok(db, "approve", ref, actor="xue")
    assert ok(db, "approve", ref, actor="yuan")["state"] == "published"


def test_an_aksu_appointment_from_2023_09_01_is_not_active_after_its_term(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """第十二条 任期一般要担任一届（三年）: appointed 2023-09-01, the term's last day is 2026-08-31;
    in December 2026 the appointment is ended by the term, a full term served (the record
    第十二条 makes a condition for 职称评审); August is paid, September is not; a new
    appointment renews it."""
    db = sqlite_url
    aksu(db)
    on_day(monkeypatch, "2023-08-20")
    aksu_appoint(db, "2023-09-01")
    on_day(monkeypatch, "2026-12-10")
    ended = appointment(db, "tian", "jd1")
    assert (ended["state"], ended["end"], ended["end_cause"], ended["end_reason"],
            ended["full_term"]) == ("ended", "2026-08-31", "term", "任期届满（3年）", True)
    assert [line["amount"] for line in lines_of(db, "2026-08", "tian")] == [440.0]
    assert lines_of(db, "2026-09", "tian") == []
    assert ok(db, "class", "list")[0]["advisors"] == []  # the class is free
    aksu_appoint(db, "2026-12-10")  # renewable by a new appointment
    rows = [a for a in ok(db, "appointments") if a["advisor"] == "tian"]
    assert [(a["start"], a["end"], a["state"]) for a in rows] == [
        ("2023-09-01", "2026-08-31", "ended"), ("2026-12-10", None, "active")]
    released = [e for e in ok(db, "audit") if e["action"] == "released"]
    assert [e["actor"] for e in released] == ["@rule"]


def test_an_aksu_advisor_who_resigns_serves_no_full_term(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """第十二条 (a full term a condition for 职称评审); 第七条 报学院批准: the college ends the
    appointment of an advisor who resigns after a year; the record says no full term."""
    db = sqlite_url
    aksu(db)
    on_day(monkeypatch, "2025-08-20")
    aksu_appoint(db, "2025-09-01")
    on_day(monkeypatch, "2026-09-30")
    refused = invoke(db, "appointment", "end", "--advisor", "tian", "--class", "jd1", "--on",
                     "2026-09-30", "--reason", "调往外校", actor="ma")
    assert refused.exit_code == 3 and "学院" in refused.stderr
    ok(db, "appointment", "end", "--advisor", "tian", "--class", "jd1", "--on", "2026-09-30",
       "--reason", "调往外校", actor="yuan")
    ended = appointment(db, "tian", "jd1")
    assert (ended["state"], ended["full_term"], ended["end_reason"]) == ("ended", False,
                                                                         "调往外校")
    assert [line["amount"] for line in lines_of(db, "2026-09", "tian")] == [440.0]


def test_a_cohort_that_graduates_completes_the_aksu_term(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """第十二条 一届: an advisor who takes a cohort to its graduation has served the term."""
    db = sqlite_url
    aksu(db)
    on_day(monkeypatch, "2024-08-20")
    aksu_appoint(db, "2024-09-01")
    on_day(monkeypatch, "2027-06-30")
    ok(db, "class", "update", "jd1", "--graduated", "2027-06-30", actor="admin")
    ended = appointment(db, "tian", "jd1")
    assert (ended["state"], ended["end_cause"], ended["full_term"]) == ("ended", "graduation",
                                                                        True)
