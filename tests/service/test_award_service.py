"""Awards on both backends: eligibility, nomination form, opinions, quota under concurrency,
publication, and the exported recommendation form read back field by field."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.award_rules import NotEligible
from bzr_workflow.domain.errors import AlreadyExists, LimitReached, WorkflowError
from nominated_award import nominated_award_file

ADVISORS = [f"a{n:02d}" for n in range(20)]
EXCELLENT = ADVISORS[:12]


def given_results(app: WorkflowApp, period: str, grades: dict[str, str]) -> None:
    """Given final appraisal results on the advisors' records (as finalisation leaves them)."""
    for n, (login, grade) in enumerate(grades.items(), 1):
        advisor = app.user(login)
        advisor.record_result(period, grade, "", f"A-{n}", "o1")
        app.save(advisor)


@pytest.fixture
def suzhou(db_url: str, tmp_path: Path) -> Iterator[WorkflowApp]:
    """Twenty advisors appraised in 2026 (so 15 % is 3 places), twelve of them 优秀, under
    Suzhou's policy given a nominated award with the quota on the award (nominated_award.py):
    the award quota any policy may declare."""
    app = open_app(parse_location(db_url), create=True)
    app.org.init(nominated_award_file(tmp_path), "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("s1", ["school@cs"]), ("o1", ["ce_office"]), ("o2", ["ce_office"])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    for login in ADVISORS:
        app.org.add_user(login, f"顾{login}", [], "admin")
        advisor = app.user(login)
        advisor.take_class("c1", "R-0", 0)
        app.save(advisor)
    app.appraisals.open_appraisals("2026", [(a, "c1", "cs") for a in ADVISORS], "s1", True)
    given_results(app, "2026", {a: "优秀" if a in EXCELLENT else "合格" for a in ADVISORS})
    yield app
    app.close()


def test_an_advisor_without_the_required_grade_is_refused_naming_the_result(
        suzhou: WorkflowApp) -> None:
    with pytest.raises(NotEligible, match=r"needs 优秀 in 2026; 2026: 合格 \(A-13\)"):
        suzhou.awards.nominate("a12", "2026", "", None, "s1")


def test_an_advisor_with_no_final_result_is_refused(suzhou: WorkflowApp) -> None:
    with pytest.raises(NotEligible, match="no final appraisal result"):
        suzhou.awards.nominate("a00", "2025", "", None, "s1")


def test_an_advisor_is_nominated_once_a_period(suzhou: WorkflowApp) -> None:
    suzhou.awards.nominate("a00", "2026", "", None, "s1")
    with pytest.raises(AlreadyExists, match="W-1"):
        suzhou.awards.nominate("a00", "2026", "", None, "s1")


def test_eligibility_is_checked_again_at_approval(suzhou: WorkflowApp) -> None:
    ref = suzhou.awards.nominate("a00", "2026", "", None, "s1")["id"]
    given_results(suzhou, "2026", {"a00": "合格"})  # a revised result after an upheld objection
    with pytest.raises(NotEligible, match="a00 is not eligible"):
        suzhou.cases.approve(ref, "o1", "")


def test_publication_records_the_amount_and_the_certificate(suzhou: WorkflowApp) -> None:
    ref = suzhou.awards.nominate("a00", "2026", "带班认真", None, "s1")["id"]
    suzhou.cases.approve(ref, "o1", "同意")
    suzhou.cases.approve(ref, "o2", "发放")
    assert suzhou.case(ref).award == {"amount": "1500", "certificate": True}


def test_the_fourth_approval_is_refused_naming_the_quota(suzhou: WorkflowApp) -> None:
    refs = [suzhou.awards.nominate(a, "2026", "", None, "s1")["id"] for a in EXCELLENT[:4]]
    for ref in refs[:3]:
        suzhou.cases.approve(ref, "o1", "")
    with pytest.raises(LimitReached, match="3 of 3 places for 优秀班主任 2026 taken"):
        suzhou.cases.approve(refs[3], "o1", "")


def test_a_vetoed_nomination_gives_its_place_back(suzhou: WorkflowApp) -> None:
    refs = [suzhou.awards.nominate(a, "2026", "", None, "s1")["id"] for a in EXCELLENT[:4]]
    for ref in refs[:3]:
        suzhou.cases.approve(ref, "o1", "")
    suzhou.cases.veto(refs[0], "o2", "材料不实")
    assert suzhou.cases.approve(refs[3], "o1", "")["step"] == "issue"


def _approve(db_url: str, ref: str, barrier: Any, results: Any) -> None:
    app = open_app(parse_location(db_url))
    app.case(ref)
    barrier.wait()
    try:
        app.cases.approve(ref, "o1", "同意")
        results.put((ref, 0, ""))
    except WorkflowError as exc:
        results.put((ref, exc.exit_code, str(exc)))
    finally:
        app.close()


def test_ten_approvals_racing_for_three_places_let_exactly_three_through(
        suzhou: WorkflowApp, db_url: str) -> None:
    refs = [suzhou.awards.nominate(a, "2026", "", None, "s1")["id"] for a in EXCELLENT[:10]]
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(refs)), ctx.Queue()
    procs = [ctx.Process(target=_approve, args=(db_url, r, barrier, results)) for r in refs]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    passed = [ref for ref, code, _ in outcomes if code == 0]
    refused = [msg for _, code, msg in outcomes if code == 1]
    assert len(passed) == 3 and len(refused) == 7
    assert all("3 of 3 places for 优秀班主任 2026 taken" in msg for msg in refused)
    assert sorted(c["id"] for c in (suzhou.cases.show(r) for r in refs) if c["step"] == "issue") == \
        sorted(passed)


# -- Guilin: the recommendation form --------------------------------------------------------


@pytest.fixture
def nominated(app: WorkflowApp) -> str:
    app.org.update_user("chen", {"gender": "男", "ethnicity": "壮族", "birth": "1980-05",
                             "education": "硕士研究生/硕士", "political_status": "中共党员"},
                    "admin")
    advisor = app.user("chen")
    advisor.take_class("kj1", "R-0", 0)
    advisor.record_result("2026-2027-1", "优秀", "92", "A-9", "li")
    app.save(advisor)
    ref = str(app.awards.nominate("chen", "2026-2027-1", "三年来所带班级无一人违纪", None, "zhang")["id"])
    app.cases.approve(ref, "zhang", "同意推荐")
    app.cases.approve(ref, "li", "同意，予以表彰")
    return ref


def test_the_docx_form_reads_back_field_by_field(app: WorkflowApp, nominated: str,
                                                 tmp_path: Path) -> None:
    from docx import Document

    from bzr_workflow.exports.recommendation import write_docx

    path = tmp_path / "推荐表.docx"
    write_docx(app.awards.recommendation_form(nominated), str(path))
    doc = Document(str(path))
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert doc.paragraphs[0].text == "桂林理工大学高等学历继续教育优秀班主任推荐表"
    assert cells[0] == ["姓名", "陈晓明", "性别", "男", "民族", "壮族", "出生年月", "1980-05"]
    assert cells[1][:6] == ["学历/学位", "硕士研究生/硕士", "政治面貌", "中共党员",
                            "所在校外教学点", "南宁校外教学点"]
    assert cells[2][:2] == ["主要事迹", "三年来所带班级无一人违纪"]
    assert cells[3][0].startswith("校外教学点负责人意见：同意推荐\n负责人签字（盖章）：张建国\n")
    assert cells[4][0].startswith("桂林理工大学继续教育学院意见：同意，予以表彰\n负责人签字（盖章）：李志强\n")
    assert cells[4][0].endswith("日")


def test_the_xlsx_form_reads_back_field_by_field(app: WorkflowApp, nominated: str,
                                                 tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from bzr_workflow.exports.recommendation import write_xlsx

    path = tmp_path / "推荐表.xlsx"
    write_xlsx(app.awards.recommendation_form(nominated), str(path))
    rows = [[c for c in row if c is not None] for row in
            load_workbook(str(path)).active.iter_rows(values_only=True)]
    assert rows[0] == ["桂林理工大学高等学历继续教育优秀班主任推荐表"]
    fields = {r[0]: r[1] for r in rows[2:10]}
    assert fields == {"姓名": "陈晓明", "性别": "男", "民族": "壮族", "出生年月": "1980-05",
                      "学历/学位": "硕士研究生/硕士", "政治面貌": "中共党员",
                      "所在校外教学点": "南宁校外教学点", "主要事迹": "三年来所带班级无一人违纪"}
    opinions = {r[0]: r[1:3] for r in rows[11:]}
    assert opinions == {"校外教学点负责人意见": ["同意推荐", "张建国"],
                        "桂林理工大学继续教育学院意见": ["同意，予以表彰", "李志强"]}


def test_an_unsigned_level_leaves_its_opinion_blank(app: WorkflowApp) -> None:
    advisor = app.user("liu")
    advisor.take_class("tm1", "R-0", 0)
    advisor.record_result("2026-2027-1", "优秀", "90", "A-8", "li")
    app.save(advisor)
    ref = app.awards.nominate("liu", "2026-2027-1", "", None, "huang")["id"]
    form = app.awards.recommendation_form(ref)
    assert [o["signer"] for o in form["opinions"]] == ["", ""]


# -- Aksu: distinctions ---------------------------------------------------------------------


@pytest.fixture
def aksu(sqlite_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(sqlite_url), create=True)
    app.org.init("aksu-vtc-2020", "admin", "", None)
    app.org.add_unit("jd", "机电工程系", "", "admin")
    app.org.add_user("ma", "ma", ["dept@jd"], "admin")
    app.org.add_user("tian", "田老师", [], "admin")
    app.org.add_class("jd1", "机电1班", "jd", 40, "高职", False, "admin")
    advisor = app.user("tian")
    advisor.take_class("jd1", "R-0", 0)
    app.save(advisor)
    yield app
    app.close()


def test_the_material_reward_needs_three_excellent_years(aksu: WorkflowApp) -> None:
    for year in (2024, 2025):
        for term in (1, 2):
            given_results(aksu, f"{year}-{year + 1}-{term}", {"tian": "优秀"})
    with pytest.raises(NotEligible, match="needs 优秀 in 3 consecutive years"):
        aksu.awards.nominate("tian", "2025-2026-2", "", "material_reward", "ma")
    for term in (1, 2):
        given_results(aksu, f"2023-2024-{term}", {"tian": "优秀"})
    case = aksu.awards.nominate("tian", "2025-2026-2", "", "material_reward", "ma")
    assert case["data"]["distinction"] == "material_reward"


def test_top_ten_selection_takes_a_competent_year(aksu: WorkflowApp) -> None:
    for term in (1, 2):
        given_results(aksu, f"2025-2026-{term}", {"tian": "称职"})
    assert aksu.awards.nominate("tian", "2025-2026-2", "", "top_ten", "ma")["kind"] == "award"


def test_an_unknown_distinction_is_refused_naming_the_known_ones(aksu: WorkflowApp) -> None:
    with pytest.raises(WorkflowError, match="top_ten"):
        aksu.awards.nominate("tian", "2025-2026-2", "", "best_dressed", "ma")
