"""Aksu's 解聘 from the command line: a published dismissal leaves no later allowance line.

第九条  有下列情况之一者予以解聘。 第三十条: 兼职班主任……高职生班主任11元/每生每月.
"""

from __future__ import annotations

from datetime import date

from clirun import invoke, ok


def aksu(db: str) -> None:
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, role in (("ma", "dept@jd"), ("xue", "student_affairs"), ("yuan", "college"),
                        ("tian", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "training", "record", "--advisor", "tian", "--date", "2026-01-01",
       actor="xue")  # 第二十四条 岗前培训
    for code in ("jd1", "jd2"):
        ok(db, "class", "add", code, "--name", code, "--unit", "jd", "--students", "40",
           "--level", "高职", actor="admin")
        ref = ok(db, "recruit", "apply", "--class", code, "--candidate", "tian",
                 "--start", "2026-01-01", actor="ma")["id"]
        ok(db, "approve", ref, actor="xue")
        ok(db, "approve", ref, actor="yuan")


def next_month(day: date) -> str:
    return f"{day.year + 1}-01" if day.month == 12 else f"{day.year}-{day.month + 1:02d}"


def test_no_month_after_a_dismissal_pays_the_dismissed_advisor(sqlite_url: str) -> None:
    """第九条 予以解聘 ends the post on the date the dismissal is published: the month after has no
    line for either of tian's classes (第十条: 每2至3个班配备1个班主任)."""
    db = sqlite_url
    aksu(db)
    before = ok(db, "allowance", "--month", "2026-02")
    assert {(line["advisor"], line["class"]) for line in before["lines"]} == {
        ("tian", "jd1"), ("tian", "jd2")}
    ref = ok(db, "case", "open", "dismissal", "--subject", "tian", "--class", "jd1",
             "--note", "失职", "--ground", "serious_accident", actor="ma")["id"]
    ok(db, "approve", ref, actor="xue")
    assert ok(db, "approve", ref, actor="yuan")["state"] == "published"
    after = ok(db, "allowance", "--month", next_month(date.today()))
    assert [line for line in after["lines"] if line["advisor"] == "tian"] == []
    assert {a["class"]: a["state"] for a in ok(db, "appointments")
            if a["advisor"] == "tian"} == {"jd1": "ended", "jd2": "ended"}


def test_the_year_of_a_ground_two_dismissal_is_recorded_unqualified(sqlite_url: str) -> None:
    """第九条 2）……造成较大事故或为学院带来较大损失者（年终工作考核定为不合格）: the audit shows the
    year's result the published dismissal set on the advisor's record."""
    db = sqlite_url
    aksu(db)
    ref = ok(db, "case", "open", "dismissal", "--subject", "tian", "--class", "jd1",
             "--ground", "serious_accident", actor="ma")["id"]
    ok(db, "approve", ref, actor="xue")
    ok(db, "approve", ref, actor="yuan")
    today = date.today()
    first = today.year if today.month >= 9 else today.year - 1
    [entry] = [e for e in ok(db, "audit", "--actor", "yuan") if e["action"] == "result recorded"]
    assert (entry["target"], entry["comment"]) == ("user:tian",
                                                   f"{first}-{first + 1} 不称职 ({ref})")


def test_no_login_can_be_the_rule(sqlite_url: str) -> None:
    """The rule's acts are recorded as @rule; nobody may log in or act as it."""
    db = sqlite_url
    aksu(db)
    refused = invoke(db, "user", "add", "@rule", "--name", "规则", actor="admin")
    assert refused.exit_code == 2 and "must be" in refused.stderr


def test_policy_show_says_which_grounds_fail_the_year(sqlite_url: str) -> None:
    """第九条 2）3）（年终工作考核定为不合格）."""
    db = sqlite_url
    aksu(db)
    shown = invoke(db, "policy", "show", as_json=False)
    assert shown.exit_code == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if x.startswith("Dismissal triggers"))
    assert line.count("(the year's result: 不称职)") == 2
    assert "触犯法律受到处罚者" in line and "(automatic)" in line


def test_a_proposal_without_its_ground_is_refused(sqlite_url: str) -> None:
    """第九条 有下列情况之一者予以解聘: the proposal names which."""
    db = sqlite_url
    aksu(db)
    refused = invoke(db, "case", "open", "dismissal", "--subject", "tian", "--class", "jd1",
                     actor="ma")
    assert refused.exit_code == 2 and "--ground" in refused.stderr
    assert ok(db, "cases", "--kind", "dismissal") == []
