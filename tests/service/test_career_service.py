"""Appointments that end and places by rank through the application, on SQLite and PostgreSQL.

阿克苏 第十二条: 班主任任期一般要担任一届（三年），并作为职称评审的必备条件。
苏州 第十条 二、2: 优秀班主任的比例为15%。
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import RuleRefused


def on_day(app: WorkflowApp, day: str) -> None:
    moment = datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)
    app.clock = lambda: moment  # type: ignore[method-assign]


@pytest.fixture
def aksu(db_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(db_url), create=True)
    app.org.init("aksu-vtc-2020", "admin", "", None)
    app.org.add_unit("jd", "机电工程系", "", "admin")
    for login, roles in (("ma", ["dept@jd"]), ("xue", ["student_affairs"]),
                         ("yuan", ["college"]), ("tian", []), ("gu", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("jd1", "机电1班", "jd", 40, "高职", False, "admin")
    for advisor in ("tian", "gu"):  # 第二十四条 岗前培训, before the post
        app.trainings.record(advisor, "2023-08-20", None, "xue")
    yield app
    app.close()


def appoint(app: WorkflowApp, advisor: str, start: str) -> None:
    ref = str(app.cases.open_case("recruitment", advisor, "jd1", None, "", "ma",
                                  {"start": start})["id"])
    app.cases.approve(ref, "xue", "")
    assert app.cases.approve(ref, "yuan", "")["state"] == "published"


def test_after_the_term_another_advisor_takes_the_class(aksu: WorkflowApp) -> None:
    """第十二条 一届（三年）: tian from 2023-09-01 serves to 2026-08-31; in December gu is
    appointed to the class (the rule records tian's release first), and both rows say so."""
    on_day(aksu, "2023-08-25")
    appoint(aksu, "tian", "2023-09-01")
    on_day(aksu, "2026-12-10")
    appoint(aksu, "gu", "2026-12-10")
    rows = {a["advisor"]: a for a in aksu.reads.appointments()}
    assert (rows["tian"]["state"], rows["tian"]["end"], rows["tian"]["ended_by"],
            rows["tian"]["full_term"]) == ("ended", "2026-08-31", "@rule", True)
    assert (rows["gu"]["state"], rows["gu"]["term_end"]) == ("active", "2029-12-09")
    assert aksu.school_class("jd1").advisors[0]["advisor"] == "gu"
    assert "jd1" not in aksu.user("tian").classes


def test_a_graduation_refuses_an_appointment_that_has_not_begun(aksu: WorkflowApp) -> None:
    """A class graduating on a day before its advisor's start is refused, nothing ended."""
    on_day(aksu, "2026-06-01")
    appoint(aksu, "tian", "2026-09-01")
    with pytest.raises(RuleRefused):
        aksu.tenure.graduate("jd1", "2026-07-01", "admin")
    assert aksu.reads.appointments()[0]["state"] == "upcoming"


@pytest.fixture
def suzhou(db_url: str) -> Iterator[WorkflowApp]:
    """Twenty advisors (15 % = 3 places), four of them scored 93, 97, 92, 96 and at 审定."""
    app = open_app(parse_location(db_url), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("open1", ["school@cs"]), ("s1", ["school@cs"]), ("s2", ["school@cs"]),
                         ("o1", ["ce_office"]), ("o2", ["ce_office"])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    advisors = [f"a{n:02d}" for n in range(20)]
    for login in advisors:
        app.org.add_user(login, f"顾{login}", [], "admin")
    app.appraisals.open_appraisals("2026-2027", [(a, "c1", "cs") for a in advisors], "open1",
                                   True)
    yield app
    app.close()


def test_four_excellent_go_by_rank_on_either_database(suzhou: WorkflowApp) -> None:
    """第十条 二、2: signed in the order 93, 97, 92, 96, the places go to 97, 96, 93; 92 is 合格
    with its 92 and the reason."""
    refs = {}
    for advisor, total in (("a00", 93), ("a01", 97), ("a02", 92), ("a03", 96)):
        [row] = [r for r in suzhou.reads.results("2026-2027").rows if r["advisor"] == advisor]
        ref = row["case"]
        suzhou.appraisals.submit_summary(ref, advisor, "书面总结")
        suzhou.appraisals.score(ref, "s1", [f"{k}={total}" for k in (
            "political_morality", "ideological_work", "daily_management", "study_culture",
            "attendance")])
        suzhou.cases.approve(ref, "s1", "")
        suzhou.cases.approve(ref, "s2", "")
        refs[total] = ref
    grades = {t: suzhou.cases.approve(refs[t], "o1", "审定")["grade"] for t in (93, 97, 92, 96)}
    assert grades == {93: "优秀", 97: "优秀", 92: "合格", 96: "优秀"}
    shown = suzhou.reads.show(refs[92])
    assert (shown["grade"], shown["total"]) == ("合格", "92")
    assert [h["comment"] for h in suzhou.reads.history(refs[92])
            if h["action"] == "regraded"] == ["优秀名额已满：第 4 名，名额 3 个"]
    assert sorted(suzhou.reads.grade_places("2026-2027")["taken"]) == sorted(  # type: ignore[index]
        [refs[97], refs[96], refs[93]])
