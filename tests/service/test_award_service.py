"""Awards on both backends: eligibility, nomination form, opinions, quota under concurrency,
publication, and the exported recommendation form read back field by field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.award_rules import NotEligible
from bzr_workflow.domain.errors import AlreadyExists, BadInput, LimitReached, WorkflowError
from nominated_award import nominated_award_file
from racing import race

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
    given_results(app, "2026-2027", {a: "优秀" if a in EXCELLENT else "合格" for a in ADVISORS})
    yield app
    app.close()


def test_an_advisor_without_the_required_grade_is_refused_naming_the_result(
        suzhou: WorkflowApp) -> None:
    with pytest.raises(NotEligible, match=r"needs 优秀 in 2026-2027; 2026-2027: 合格 \(A-13\)"):
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
    given_results(suzhou, "2026-2027", {"a00": "合格"})  # a revised result after an upheld objection
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
    with pytest.raises(LimitReached, match="3 of 3 places for 优秀班主任 2026-2027 taken"):
        suzhou.cases.approve(refs[3], "o1", "")


def test_a_vetoed_nomination_gives_its_place_back(suzhou: WorkflowApp) -> None:
    refs = [suzhou.awards.nominate(a, "2026", "", None, "s1")["id"] for a in EXCELLENT[:4]]
    for ref in refs[:3]:
        suzhou.cases.approve(ref, "o1", "")
    suzhou.cases.veto(refs[0], "o2", "材料不实")
    assert suzhou.cases.approve(refs[3], "o1", "")["step"] == "issue"


def test_ten_approvals_racing_for_three_places_let_exactly_three_through(
        suzhou: WorkflowApp, db_url: str) -> None:
    refs = [suzhou.awards.nominate(a, "2026", "", None, "s1")["id"] for a in EXCELLENT[:10]]
    outcomes = race(db_url, [(r, "cases.approve", (r, "o1", "同意")) for r in refs])
    passed = [ref for ref, code, _ in outcomes if code == 0]
    refused = [msg for _, code, msg in outcomes if code == 1]
    assert len(passed) == 3 and len(refused) == 7
    assert all("3 of 3 places for 优秀班主任 2026-2027 taken" in msg for msg in refused)
    assert sorted(c["id"] for c in (suzhou.reads.show(r) for r in refs) if c["step"] == "issue") == \
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
    write_docx(app.reads.recommendation_form(nominated), str(path))
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
    write_xlsx(app.reads.recommendation_form(nominated), str(path))
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
    form = app.reads.recommendation_form(ref)
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
    """第三十二条: 年度考核连续三年优秀，学院给予一定的物质奖励 — three school years, each of
    whose two semesters is 优秀; the nomination names the school year."""
    for year in (2024, 2025):
        for term in (1, 2):
            given_results(aksu, f"{year}-{year + 1}-{term}", {"tian": "优秀"})
    with pytest.raises(NotEligible, match="needs 优秀 in 3 consecutive years.*2023-2024-1: no"):
        aksu.awards.nominate("tian", "2025-2026", "", "material_reward", "ma")
    for term in (1, 2):
        given_results(aksu, f"2023-2024-{term}", {"tian": "优秀"})
    case = aksu.awards.nominate("tian", "2025-2026学年", "", "material_reward", "ma")
    assert case["data"]["distinction"] == "material_reward" and case["period"] == "2025-2026"


TOP_TEN = "第三十三条: 考核为优秀或称职者，可参加学院 “十佳班主任”评选。"


def test_top_ten_is_nominated_for_a_school_year_whose_two_semesters_qualify(aksu: WorkflowApp
                                                                            ) -> None:
    assert "考核为优秀或称职者" in TOP_TEN
    for term in (1, 2):
        given_results(aksu, f"2025-2026-{term}", {"tian": "称职"})
    case = aksu.awards.nominate("tian", "2025-2026", "", "top_ten", "ma")
    assert case["kind"] == "award" and case["period"] == "2025-2026"


def test_top_ten_refuses_a_semester_naming_the_school_year_form(aksu: WorkflowApp) -> None:
    assert "十佳班主任" in TOP_TEN
    for term in (1, 2):
        given_results(aksu, f"2025-2026-{term}", {"tian": "称职"})
    with pytest.raises(BadInput, match="十佳班主任 is given by school year; write it like 2026-2027"):
        aksu.awards.nominate("tian", "2025-2026-2", "", "top_ten", "ma")


def test_top_ten_refusal_names_the_semester_missing_or_short(aksu: WorkflowApp) -> None:
    assert "优秀或称职" in TOP_TEN
    given_results(aksu, "2025-2026-1", {"tian": "优秀"})
    with pytest.raises(NotEligible, match="2025-2026-2: no final appraisal result"):
        aksu.awards.nominate("tian", "2025-2026", "", "top_ten", "ma")
    given_results(aksu, "2025-2026-2", {"tian": "基本称职"})
    with pytest.raises(NotEligible, match=r"2025-2026-2: 基本称职 \(A-1\)"):
        aksu.awards.nominate("tian", "2025-2026", "", "top_ten", "ma")


def test_top_ten_takes_one_nomination_per_advisor_per_year(aksu: WorkflowApp) -> None:
    assert "评选" in TOP_TEN
    for term in (1, 2):
        given_results(aksu, f"2025-2026-{term}", {"tian": "优秀"})
    first = aksu.awards.nominate("tian", "2025-2026", "", "top_ten", "ma")["id"]
    with pytest.raises(AlreadyExists, match=f"already nominated for 十佳班主任 2025-2026 \\({first}\\)"
                       ) as refused:
        aksu.awards.nominate("tian", "2025-2026学年", "", "top_ten", "ma")
    assert refused.value.exit_code == 1


def test_a_nomination_without_a_distinction_is_refused_naming_them(aksu: WorkflowApp) -> None:
    """第三十二-三十三条 define only distinctions (物质奖励, 自治区评选, 十佳), no award of its own."""
    with pytest.raises(BadInput, match="material_reward.*top_ten \\(十佳班主任\\)") as refused:
        aksu.awards.nominate("tian", "2025-2026", "", None, "ma")
    assert refused.value.exit_code == 2


def test_an_unknown_distinction_is_refused_naming_the_known_ones(aksu: WorkflowApp) -> None:
    with pytest.raises(WorkflowError, match="top_ten"):
        aksu.awards.nominate("tian", "2025-2026", "", "best_dressed", "ma")


def test_top_ten_has_ten_places_each_school_year(aksu: WorkflowApp) -> None:
    """十佳班主任: ten advisors a year (第三十三条 “十佳班主任”评选); the eleventh approval of a
    year is refused, and the next year has ten places of its own."""
    assert "十佳" in TOP_TEN
    aksu.org.add_user("xue", "xue", ["student_affairs"], "admin")
    aksu.org.add_user("yuan", "yuan", ["college"], "admin")
    logins = [f"t{n:02d}" for n in range(11)]
    for login in logins:
        aksu.org.add_user(login, login, [], "admin")
        aksu.org.add_class(f"c{login}", f"{login}班", "jd", 40, "高职", False, "admin")
        advisor = aksu.user(login)
        advisor.take_class(f"c{login}", "R-0", 0)
        aksu.save(advisor)
        for year in ("2025-2026", "2026-2027"):
            for term in (1, 2):
                given_results(aksu, f"{year}-{term}", {login: "称职"})
    refs = [aksu.awards.nominate(a, "2025-2026", "", "top_ten", "ma")["id"] for a in logins]
    for ref in refs:
        aksu.cases.approve(ref, "xue", "")
    for ref in refs[:10]:
        aksu.cases.approve(ref, "yuan", "")
    with pytest.raises(LimitReached, match="10 of 10 places for 十佳班主任 2025-2026 taken"):
        aksu.cases.approve(refs[10], "yuan", "")
    next_year = aksu.awards.nominate(logins[10], "2026-2027", "", "top_ten", "ma")["id"]
    aksu.cases.approve(next_year, "xue", "")
    assert aksu.cases.approve(next_year, "yuan", "")["state"] == "published"


def test_the_three_years_reward_is_published_with_its_certificate(aksu: WorkflowApp) -> None:
    """第三十二条: 年度考核连续三年优秀，学院给予一定的物质奖励，颁发荣誉证书 — the seed gives a
    certificate, the amount stays unfixed; 十佳 (第三十三条) names none."""
    for year in (2023, 2024, 2025):
        for term in (1, 2):
            given_results(aksu, f"{year}-{year + 1}-{term}", {"tian": "优秀"})
    aksu.org.add_user("sa", "学工", ["student_affairs"], "admin")
    aksu.org.add_user("col", "院长", ["college"], "admin")
    reward = aksu.awards.nominate("tian", "2025-2026", "", "material_reward", "ma")["id"]
    top = aksu.awards.nominate("tian", "2025-2026", "", "top_ten", "ma")["id"]
    for ref in (reward, top):
        aksu.cases.approve(ref, "sa")
        aksu.cases.approve(ref, "col")
    assert aksu.case(reward).award == {"amount": "", "certificate": True}
    assert aksu.case(top).award == {"amount": "", "certificate": False}


# -- Hefei: 评优 each semester on the yearly appraisal ----------------------------------------

HEFEI_EACH_SEMESTER = "学院每学期至少召开一次班主任（班导师）工作研讨会或经验交流会，并开展评优工作"


@pytest.fixture
def hefei(sqlite_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(sqlite_url), create=True)
    app.org.init("hfut-math", "admin", "", None)
    app.org.add_unit("math", "数学学院", "", "admin")
    app.org.add_user("head", "学工负责人", ["student_work_head"], "admin")
    app.org.add_user("tang", "唐老师", [], "admin")
    app.org.add_class("m1", "数学1班", "math", 30, "本科", False, "admin", 1)
    advisor = app.user("tang")
    advisor.take_class("m1", "R-0", 0)
    app.save(advisor)
    yield app
    app.close()


def test_hefei_nominates_each_semester_on_the_latest_yearly_result(hefei: WorkflowApp) -> None:
    """三、管理与考核 1: "…每学期…开展评优工作" — a semester's 评优 reads the latest yearly result
    (the appraisal is yearly): 2025-2026's 优秀 while 2026-2027's is not out."""
    assert "每学期" in HEFEI_EACH_SEMESTER
    given_results(hefei, "2025-2026", {"tang": "优秀"})
    first = hefei.awards.nominate("tang", "2026-2027-1", "", None, "head")
    second = hefei.awards.nominate("tang", "2026-2027-2", "", None, "head", early=True)
    assert (first["period"], second["period"]) == ("2026-2027-1", "2026-2027-2")
    with pytest.raises(AlreadyExists, match="already nominated"):
        hefei.awards.nominate("tang", "2026-2027学年第一学期", "", None, "head")
    given_results(hefei, "2026-2027", {"tang": "合格"})
    with pytest.raises(NotEligible, match=r"needs 优秀 in 2026-2027; 2026-2027: 合格"):
        hefei.awards.nominate("tang", "2027-2028-1", "", None, "head", early=True)
