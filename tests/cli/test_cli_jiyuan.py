"""Jiyuan (学工[2018]10号) from the command line, as its offices would run it: the work-quality
appraisal opened, graded and published; a discipline case about a student who is no user; and
the parent-contact triggers of 二(五) answered, or not, in `norms`."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok


def jiyuan(db: str) -> None:
    ok(db, "init", "--policy", "jiyuan-vtc-2018", "--admin", "admin")
    ok(db, "unit", "add", "xx", "--name", "信息工程系", actor="admin")
    for login, name, role in (("bzr", "班主任甲", "advisor@xx"), ("fdy", "辅导员乙", "counsellor@xx"),
                              ("g1", "组员一", "appraisal_group@xx"),
                              ("g2", "组员二", "appraisal_group@xx"),
                              ("lg", "组长", "dept_leading_group@xx"),
                              ("xgc", "主管", "college_authority")):
        ok(db, "user", "add", login, "--name", name, "--role", role, actor="admin")
    ok(db, "class", "add", "xx1", "--name", "信息1班", "--unit", "xx", "--students", "40",
       actor="admin")


# -- 四、工作评比 ---------------------------------------------------------------------------


def test_the_quality_appraisal_is_opened_graded_and_published(sqlite_url: str) -> None:
    """四: 各系部要按照本指导纲要，组建学生工作考核领导小组……执行工作质量考评，考核结果作为系部评选优秀
    辅导员的依据 — one member opens, a second grades and fixes the result, which is published.
    Counsellors and advisors hold no class (the seed has no recruitment): they are appraised in
    the department where they hold their role."""
    db = sqlite_url
    jiyuan(db)
    opened = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--all", actor="g1")
    assert sorted(c["subject"] for c in opened) == ["bzr", "fdy"]
    ref = next(c["id"] for c in opened if c["subject"] == "fdy")
    ok(db, "appraisal", "score", ref, "--item", "general_norms=优秀", "--item", "work_systems=合格",
       "--item", "plans_and_summary=优秀", "--item", "overall=优秀", actor="g2")
    done = ok(db, "approve", ref, actor="g2")
    assert (done["state"], done["grade"]) == ("published", "优秀")
    [row] = [r for r in ok(db, "results", "--period", "2026-2027-1") if r["advisor"] == "fdy"]
    assert (row["grade"], row["final"]) == ("优秀", True)


def test_the_appraisal_dimensions_are_the_seeds_chapters(sqlite_url: str) -> None:
    """一、总体规范 二、基本工作制度 三、计划与总结: the work the quality appraisal judges."""
    seed = (Path(__file__).parents[3] / "shared" / "seeds" /
            "004_b2ee1e32aa02f181.txt").read_text("utf-8")
    db = sqlite_url
    jiyuan(db)
    appraisal = ok(db, "policy", "show")["appraisal"]
    labels = [(i["number"], i["label"]) for i in appraisal["indicators"]]
    assert labels == [("一", "总体规范"), ("二", "基本工作制度"), ("三", "计划与总结")]
    assert all(f"{n}、{label}" in seed for n, label in labels)
    assert [g["label"] for g in appraisal["grades"]] == ["不合格", "合格", "优秀"]


# -- 一(八) 对违纪学生的处理 ------------------------------------------------------------------


def test_a_discipline_case_names_a_student_who_is_not_a_user(sqlite_url: str) -> None:
    """一(八): 对违纪学生的处理由辅导员提出处理意见，报系学生工作领导小组研究，上报学院主管部门审批 —
    the student is named, not registered: no account is made, and the name is kept sealed."""
    db = sqlite_url
    jiyuan(db)
    users = {u["user"] for u in ok(db, "user", "list")}
    case = ok(db, "case", "open", "discipline", "--student", "王小明", "--student-number",
              "20260315", "--class", "xx1", "--note", "旷课十二学时", actor="fdy")
    assert case["student"] == {"name": "王小明", "number": "20260315"}
    assert case["subject"] is None and case["class"] == "xx1"
    assert {u["user"] for u in ok(db, "user", "list")} == users
    ok(db, "approve", case["id"], "--comment", "建议警告处分", actor="lg")
    done = ok(db, "approve", case["id"], "--comment", "同意", actor="xgc")
    assert done["state"] == "published"
    assert ok(db, "show", case["id"])["student"] == {"name": "王小明", "number": "20260315"}
    assert "王小明".encode() not in Path(db).read_bytes()  # sealed, not in clear


def test_a_discipline_case_without_its_student_is_refused(sqlite_url: str) -> None:
    """一(八): the case is about a 违纪学生; it names them by name and number."""
    db = sqlite_url
    jiyuan(db)
    for args in ((), ("--student", "王小明")):
        refused = invoke(db, "case", "open", "discipline", *args, "--class", "xx1", actor="fdy")
        assert refused.exit_code == 2 and "--student-number" in refused.stderr, refused.stderr
    assert ok(db, "cases") == []


# -- 二(五) 联系学生家长制度 -------------------------------------------------------------------


def test_each_trigger_is_listed_with_the_contact_that_answered_it(sqlite_url: str) -> None:
    """二(五)2: 班主任要在学生生病、意外伤害（身体或心理原因）住院，要及时与家长联系；学生学习成绩下滑、
    受到学业警告时，要及时与家长联系 — each such event is answered by a contact, or it is not."""
    db = sqlite_url
    jiyuan(db)
    for day, kind, student in (("2026-10-08", "illness_injury", "张三"),
                               ("2026-11-02", "falling_grades", "李四")):
        ok(db, "log", "add", "--activity", "trigger", "--trigger", kind, "--student", student,
           "--date", day, actor="bzr")
    ok(db, "log", "add", "--activity", "parent_contact", "--student", "张三", "--date",
       "2026-10-09", "--note", "电话告知家长", actor="bzr")
    ok(db, "log", "add", "--activity", "parent_contact", "--student", "李四", "--date",
       "2026-10-20", actor="bzr")  # before the warning: it answers nothing
    report = ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1")
    got = [(t["date"], t["trigger"], t["label"], t["student"], t["contact"])
           for t in report["triggers"]]
    assert got == [
        ("2026-10-08", "illness_injury", "学生生病、意外伤害（身体或心理原因）住院", "张三",
         {"date": "2026-10-09", "note": "电话告知家长"}),
        ("2026-11-02", "falling_grades", "学生学习成绩下滑、受到学业警告时", "李四", None)]
    text = invoke(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1", as_json=False)
    assert "Parent-contact triggers: 2, 1 unanswered" in text.stdout


def test_awards_and_repeated_violations_are_triggers_too(sqlite_url: str) -> None:
    """二(五)1: 学生行为违反校规校纪，经教育无改观者，要及时与家长联系; 二(五)3: 辅导员、班主任要对获得
    嘉奖、省级以上表彰、校级重大荣誉、助人为乐、见义勇为等学生，及时与家长联系."""
    db = sqlite_url
    jiyuan(db)
    for kind in ("repeated_violations", "honours"):
        ok(db, "log", "add", "--activity", "trigger", "--trigger", kind, "--student", "赵五",
           "--date", "2026-09-10", actor="fdy")
    ok(db, "log", "add", "--activity", "parent_contact", "--student", "赵五", "--date",
       "2026-09-10", actor="fdy")
    triggers = ok(db, "norms", "--advisor", "fdy", "--period", "2026-2027-1")["triggers"]
    assert [(t["trigger"], t["contact"] is not None) for t in triggers] == [
        ("repeated_violations", True), ("honours", False)]  # one contact answers one trigger


def test_an_unknown_trigger_or_one_without_its_student_is_refused(sqlite_url: str) -> None:
    db = sqlite_url
    jiyuan(db)
    refused = invoke(db, "log", "add", "--activity", "trigger", "--trigger", "flu", "--student",
                     "张三", "--date", "2026-10-08", actor="bzr")
    assert refused.exit_code == 2 and "illness_injury" in refused.stderr
    refused = invoke(db, "log", "add", "--activity", "trigger", "--trigger", "illness_injury",
                     "--date", "2026-10-08", actor="bzr")
    assert refused.exit_code == 2 and "--student" in refused.stderr
    assert ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1")["triggers"] == []


def test_policy_show_lists_the_triggers_by_role(sqlite_url: str) -> None:
    """二(五) 联系学生家长制度: 1. 辅导员…… 2. 班主任…… 3. 辅导员、班主任……"""
    db = sqlite_url
    jiyuan(db)
    triggers = {t["key"]: t["roles"] for t in ok(db, "policy", "show")["parent_contact_triggers"]}
    assert triggers == {"thinking_change": ["counsellor"], "repeated_violations": ["counsellor"],
                        "late_return": ["counsellor"], "illness_injury": ["advisor"],
                        "falling_grades": ["advisor"], "honours": ["counsellor", "advisor"]}
    text = invoke(db, "policy", "show", as_json=False).stdout
    assert "Parent-contact triggers" in text and "学生学习成绩下滑、受到学业警告时" in text


# -- 四、评选优秀辅导员 -----------------------------------------------------------------------

SEED_4 = "执行工作质量考评，考核结果作为系部评选优秀辅导员的依据"


def test_a_counsellor_is_nominated_on_their_role_and_result(sqlite_url: str) -> None:
    """四: "考核结果作为系部评选优秀辅导员的依据" — a counsellor advises no class: nominated in the
    department where they hold the role, once the period's result is final; 班主任 are not
    辅导员."""
    assert "评选优秀辅导员" in SEED_4
    db = sqlite_url
    jiyuan(db)
    ok(db, "user", "add", "xb", "--name", "系部主任", "--role", "department@xx", actor="admin")
    refused = invoke(db, "award", "nominate", "--advisor", "fdy", "--period", "2026-2027-1",
                     actor="g1")
    assert refused.exit_code == 1 and "no final appraisal result for 2026-2027-1" in refused.stderr
    opened = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--all", actor="g1")
    ref = next(c["id"] for c in opened if c["subject"] == "fdy")
    ok(db, "appraisal", "score", ref, "--item", "general_norms=优秀", "--item", "work_systems=合格",
       "--item", "plans_and_summary=优秀", "--item", "overall=优秀", actor="g2")
    ok(db, "approve", ref, actor="g2")
    case = ok(db, "award", "nominate", "--advisor", "fdy", "--period", "2026-2027-1",
              actor="g1")
    assert (case["subject"], case["unit"], case["class"] or None) == ("fdy", "xx", None)
    done = ok(db, "approve", case["id"], actor="xb")
    assert done["state"] == "published"
    not_counsellor = invoke(db, "award", "nominate", "--advisor", "bzr", "--period",
                            "2026-2027-1", actor="g1")
    assert not_counsellor.exit_code == 1 and "bzr is not a 辅导员: 优秀辅导员 is for 辅导员" in \
        not_counsellor.stderr


SEED_5 = ("1.辅导员要在学生思想状况出现重大变化，要及时与家长联系", "2.班主任要在学生生病、意外伤害（身体或"
          "心理原因）住院，要及时与家长联系")


def test_a_trigger_is_logged_only_by_the_role_the_seed_names(sqlite_url: str) -> None:
    """二(五)1 names 辅导员 for a student's 思想状况 changing, 二(五)2 班主任 for illness: a 班主任
    does not log the first, a 辅导员 not the second."""
    assert "辅导员要在学生思想状况" in SEED_5[0] and "班主任要在学生生病" in SEED_5[1]
    db = sqlite_url
    jiyuan(db)
    refused = invoke(db, "log", "add", "--activity", "trigger", "--trigger", "thinking_change",
                     "--student", "张三", "--date", "2026-10-08", actor="bzr")
    assert refused.exit_code == 1 and "thinking_change (学生思想状况出现重大变化) is for 辅导员" in \
        refused.stderr
    refused = invoke(db, "log", "add", "--activity", "trigger", "--trigger", "illness_injury",
                     "--student", "张三", "--date", "2026-10-08", actor="fdy")
    assert refused.exit_code == 1 and "is for 班主任" in refused.stderr
    ok(db, "log", "add", "--activity", "trigger", "--trigger", "thinking_change", "--student",
       "张三", "--date", "2026-10-08", actor="fdy")


def test_a_trigger_unanswered_past_its_days_is_listed_overdue(sqlite_url: str) -> None:
    """及时 (chosen: three days): a contact on the 3rd day answers in time, one after is late,
    none at all is listed as unanswered."""
    db = sqlite_url
    jiyuan(db)
    for day, student in (("2026-10-08", "张三"), ("2026-10-12", "李四"), ("2026-10-20", "王五")):
        ok(db, "log", "add", "--activity", "trigger", "--trigger", "illness_injury", "--student",
           student, "--date", day, actor="bzr")
    ok(db, "log", "add", "--activity", "parent_contact", "--student", "张三", "--date",
       "2026-10-11", actor="bzr")
    ok(db, "log", "add", "--activity", "parent_contact", "--student", "李四", "--date",
       "2026-10-16", actor="bzr")
    report = ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1")
    assert [(t["student"], t["due"], t["overdue"], t["late"]) for t in report["triggers"]] == [
        ("张三", "2026-10-11", False, False), ("李四", "2026-10-15", False, True),
        ("王五", "2026-10-23", True, False)]
    assert [t["student"] for t in report["unanswered"]] == ["王五"]


SEED_1_10 = "（十）班级没有配备班主任情况下，班主任工作由辅导员完成。"


def test_a_counsellor_does_the_work_of_a_class_without_an_advisor(sqlite_url: str,
                                                                   tmp_path: Path) -> None:
    """一(十): while 信息1班 has no advisor, the 辅导员 of 信息工程系 is held to the 班主任's norms
    over the work logged for that class; once it has one, no longer."""
    assert "班主任工作由辅导员完成" in SEED_1_10
    db = sqlite_url
    jiyuan(db)
    for day in ("2026-09-07", "2026-09-08"):
        ok(db, "log", "add", "--activity", "individual_talks", "--date", day, "--class", "xx1",
           "--student", "学生", actor="fdy")
    report = ok(db, "norms", "--advisor", "fdy", "--period", "2026-2027-1")
    assert report["covering"] == [{"class": "xx1", "name": "信息1班", "unit": "xx"}]
    own = [n for n in report["norms"] if n["activity"] == "individual_talks" and
           "covering" not in n]
    covered = [n for n in report["norms"] if n["activity"] == "individual_talks" and
               n.get("covering") == ["xx1"]]
    assert [n["min"] for n in own] == [5] and [n["min"] for n in covered] == [2]
    week = next(w for w in covered[0]["windows"] if w["from"] == "2026-09-07")
    assert week["short"] == 0  # the class's two talks meet the 班主任's 2 a week
    appointments = tmp_path / "appointments.csv"
    appointments.write_text("advisor,class,start,end\nbzr,xx1,2026-09-01,\n", encoding="utf-8")
    ok(db, "import", "appointments", str(appointments), actor="admin")
    after = ok(db, "norms", "--advisor", "fdy", "--period", "2026-2027-1")
    assert "covering" not in after and not any("covering" in n for n in after["norms"])
