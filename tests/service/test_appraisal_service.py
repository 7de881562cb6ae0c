"""Appraisal through the application layer on SQLite and PostgreSQL: opening, scoring, vetoes,
sign-off, 公示 with objections, finalisation and what results set in motion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import (BadInput, NotPermitted, SeparationOfDuties,
                                        StepNotAllowed)

GUILIN_SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def guilin_targets(app: WorkflowApp) -> list[tuple[str, str, str]]:
    return [("chen", "kj1", "nanning"), ("liu", "tm1", "liuzhou")]


def test_the_advisor_may_not_withdraw_their_own_appraisal(app: WorkflowApp) -> None:
    """Issue 14: an appraisal is opened by the office on the advisor's behalf; withdrawing it
    would let an advisor escape a 一票否决 flag and the period's result."""
    [case] = app.appraisals.open_appraisals("2026-2027-1", guilin_targets(app)[:1], "li", True)
    for who in (case["subject"], "li"):
        with pytest.raises(NotPermitted, match="own behalf"):
            app.cases.withdraw(case["id"], who, "不参加本期考核")
    assert app.reads.show(case["id"])["state"] == "open"


def test_opening_twice_opens_none_the_second_time(app: WorkflowApp) -> None:
    first = app.appraisals.open_appraisals("2026-2027-1", guilin_targets(app), "li", True)
    again = app.appraisals.open_appraisals("2026-2027-1", guilin_targets(app), "li", True)
    assert [(c["id"], c["subject"], c["period"]) for c in first] == [
        ("A-1", "chen", "2026-2027-1"), ("A-2", "liu", "2026-2027-1")]
    assert again == []


def test_a_period_must_be_written_as_the_policy_names_them(app: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="2026-2027-1"):
        app.appraisals.open_appraisals("2026", guilin_targets(app), "li", True)


def test_only_the_organising_role_opens_appraisals(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted, match="ce_college"):
        app.appraisals.open_appraisals("2026-2027-1", guilin_targets(app), "zhang", True)


def opened(app: WorkflowApp) -> str:
    return str(app.appraisals.open_appraisals("2026-2027-1", guilin_targets(app)[:1], "li", True)[0]["id"])


def test_entering_a_levels_scores_counts_as_acting_at_that_level(app: WorkflowApp) -> None:
    """Issue 14: a person holding two roles who entered the site's scores may not sign the
    college's level, though another site head signed the site's (one person, one level)."""
    ref = opened(app)
    app.org.grant("zhao2", "ce_college", "admin")  # site head of nanning and a college officer
    app.appraisals.score(ref, "zhao2", GUILIN_SITE)
    app.cases.approve(ref, "zhang", "")
    with pytest.raises(SeparationOfDuties, match="one level"):
        app.appraisals.score(ref, "zhao2", ["college_evaluation=13"])
    app.appraisals.score(ref, "li", ["college_evaluation=13"])
    with pytest.raises(SeparationOfDuties, match="one level"):
        app.cases.approve(ref, "zhao2", "")
    assert ref not in [row["id"] for row in app.reads.inbox("zhao2")]
    assert ref in [row["id"] for row in app.reads.inbox("wang")]


def test_guilin_site_scores_1_to_5_then_the_college_scores_6_and_files_it(app: WorkflowApp) -> None:
    ref = opened(app)
    app.appraisals.score(ref, "zhang", GUILIN_SITE)
    app.cases.approve(ref, "zhang", "")
    shown = app.appraisals.score(ref, "li", ["college_evaluation=13"])
    assert (shown["total"], shown["grade"], shown["explanation"]) == ("89", "优秀",
                                                                      "优秀: 89 is 80 or more")
    app.cases.approve(ref, "li", "")
    done = app.cases.approve(ref, "wang", "")
    assert (done["state"], done["final"]) == ("published", True)
    assert app.user("chen").results["2026-2027-1"] == {"grade": "优秀", "total": "89", "case": ref}


def test_a_step_is_not_signed_before_its_scores_are_in(app: WorkflowApp) -> None:
    ref = opened(app)
    app.appraisals.score(ref, "zhang", GUILIN_SITE[:2])
    with pytest.raises(StepNotAllowed, match="score contact, teaching_notices, integrity"):
        app.cases.approve(ref, "zhang", "")


def test_an_indicator_is_scored_only_at_its_step(app: WorkflowApp) -> None:
    ref = opened(app)
    with pytest.raises(StepNotAllowed, match="college_evaluation is not scored here"):
        app.appraisals.score(ref, "zhang", ["college_evaluation=10"])


def test_the_head_of_another_site_may_not_score(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted):
        app.appraisals.score(opened(app), "huang", GUILIN_SITE)


def test_revisions_keep_the_old_values(app: WorkflowApp) -> None:
    ref = opened(app)
    app.appraisals.score(ref, "zhang", ["political=18"])
    app.appraisals.score(ref, "zhang", ["political=16.5"])
    scored = [h["comment"] for h in app.reads.history(ref) if h["action"] == "scored"]
    assert scored == ["political -→18", "political 18→16.5"]
    assert app.reads.show(ref)["scores"]["political"] == "16.5"


def test_a_veto_fails_a_95_point_appraisal_and_says_why(app: WorkflowApp) -> None:
    ref = opened(app)
    app.appraisals.score(ref, "zhang", ["political=20", "guidance=15", "contact=15", "teaching_notices=15",
                             "integrity=20"])
    app.cases.approve(ref, "zhang", "")
    app.appraisals.score(ref, "li", ["college_evaluation=10"])
    shown = app.appraisals.flag_veto(ref, "li", "ethics", "查实收受学生财物")
    assert (shown["total"], shown["grade"], shown["vetoed_items"]) == ("95", "不合格", ["ethics"])
    assert shown["explanation"].startswith("不合格: veto 存在师德师风问题的。 flagged by li on ")


def test_a_veto_item_needs_a_reason_and_a_known_key(app: WorkflowApp) -> None:
    ref = opened(app)
    with pytest.raises(BadInput, match="reason"):
        app.appraisals.flag_veto(ref, "zhang", "ethics", " ")
    with pytest.raises(BadInput, match="unknown veto item"):
        app.appraisals.flag_veto(ref, "zhang", "laziness", "x")


def test_a_flag_raised_in_error_can_be_cleared(app: WorkflowApp) -> None:
    ref = opened(app)
    app.appraisals.flag_veto(ref, "zhang", "other", "误报")
    assert app.appraisals.flag_veto(ref, "zhang", "other", "核实无此事", clear=True)["vetoed_items"] == []


def test_the_advisor_may_not_score_their_own_appraisal(app: WorkflowApp) -> None:
    app.org.grant("chen", "site_head@nanning", "admin")
    with pytest.raises(SeparationOfDuties, match="subject"):
        app.appraisals.score(opened(app), "chen", GUILIN_SITE)


def test_show_as_of_gives_the_scores_as_they_stood(app: WorkflowApp) -> None:
    import time

    ref = opened(app)
    app.appraisals.score(ref, "zhang", ["political=18"])
    time.sleep(1.1)
    middle = app.reads.history(ref)[-1]["at"]
    time.sleep(1.1)
    app.appraisals.score(ref, "zhang", ["political=12"])
    assert app.reads.show(ref, as_of=middle)["scores"] == {"political": "18"}
    assert app.reads.show(ref)["scores"] == {"political": "12"}


# -- Suzhou: self-summary, weights, 公示 with objections ------------------------------------


@pytest.fixture
def suzhou(db_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(db_url), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("open1", ["school@cs"]), ("s1", ["school@cs"]), ("s2", ["school@cs"]),
                         ("o1", ["ce_office"]), ("o2", ["ce_office"]), ("adv", []),
                         ("student", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    yield app
    app.close()


SUZHOU_SCORES = ["political_morality=90", "ideological_work=85", "daily_management=80",
                 "study_culture=85", "attendance=100"]


def published(app: WorkflowApp) -> str:
    ref = str(app.appraisals.open_appraisals("2026", [("adv", "c1", "cs")], "open1", True)[0]["id"])
    app.appraisals.submit_summary(ref, "adv", "一年来履行班主任职责的书面总结")
    app.appraisals.score(ref, "s1", SUZHOU_SCORES)
    app.cases.approve(ref, "s1", "")
    app.cases.approve(ref, "s2", "同意")
    app.cases.approve(ref, "o1", "审定")
    app.cases.approve(ref, "o2", "公示")
    return ref


def later(app: WorkflowApp, days: int) -> None:
    moment = datetime.now(UTC) + timedelta(days=days)
    app.clock = lambda: moment  # type: ignore[method-assign]


def test_suzhou_needs_the_self_summary_before_the_school_signs(suzhou: WorkflowApp) -> None:
    ref = str(suzhou.appraisals.open_appraisals("2026", [("adv", "c1", "cs")], "open1", True)[0]["id"])
    suzhou.appraisals.score(ref, "s1", SUZHOU_SCORES)
    with pytest.raises(StepNotAllowed, match="self-summary"):
        suzhou.cases.approve(ref, "s1", "")


def test_suzhou_weights_give_a_fractional_total(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    shown = suzhou.reads.show(ref)
    assert (shown["total"], shown["grade"]) == ("86.5", "合格")  # 13.5 + 17 + 24 + 17 + 15
    assert shown["explanation"] == "合格: 86.5 is at least 60 and below 90"


def test_publication_opens_the_announcement_and_it_ends_with_finalisation(
        suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    shown = suzhou.reads.show(ref)
    assert shown["announcement"]["until"] and not shown["final"]
    with pytest.raises(StepNotAllowed, match="runs until"):
        suzhou.appraisals.finalise(ref, "o2")
    later(suzhou, 6)
    assert suzhou.appraisals.finalise(ref, "o2")["final"] is True
    assert suzhou.user("adv").results["2026-2027"]["case"] == ref


def test_a_dismissed_objection_leaves_the_result_standing(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    suzhou.appraisals.lodge_objection(ref, "student", "班会次数不足")
    later(suzhou, 6)
    with pytest.raises(StepNotAllowed, match="open objection"):
        suzhou.appraisals.finalise(ref, "o2")
    suzhou.appraisals.resolve_objection(ref, "o1", 1, False, "经核实，班会记录齐全")
    assert suzhou.appraisals.finalise(ref, "o2")["final"] is True


def test_an_upheld_objection_sends_the_case_back_to_scoring(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    suzhou.appraisals.lodge_objection(ref, "student", "考勤分数有误")
    back = suzhou.appraisals.resolve_objection(ref, "o1", 1, True, "考勤记录有误，重新评分")
    assert (back["state"], back["step"], back["announcement"]) == ("open", "school_appraisal", None)
    suzhou.appraisals.score(ref, "s1", ["attendance=60"])
    for who in ("s1", "s2", "o1", "o2"):
        suzhou.cases.approve(ref, who, "")
    assert suzhou.reads.show(ref)["announcement"]["objections"] == []


def test_objections_are_lodged_only_during_the_announcement(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    later(suzhou, 6)
    with pytest.raises(StepNotAllowed, match="ended"):
        suzhou.appraisals.lodge_objection(ref, "o1", "太晚了")
    with pytest.raises(NotPermitted, match="may not read"):  # no longer public (issue 20)
        suzhou.appraisals.lodge_objection(ref, "student", "太晚了")


def test_an_objector_does_not_resolve_their_own_objection(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    suzhou.appraisals.lodge_objection(ref, "o1", "分数计算有误")
    with pytest.raises(SeparationOfDuties, match="lodged objection 1"):
        suzhou.appraisals.resolve_objection(ref, "o1", 1, False, "驳回")


def test_only_the_publishing_role_resolves_objections(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    suzhou.appraisals.lodge_objection(ref, "student", "异议")
    with pytest.raises(NotPermitted, match="ce_office"):
        suzhou.appraisals.resolve_objection(ref, "s1", 1, False, "驳回")


def test_an_objection_is_resolved_once(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    suzhou.appraisals.lodge_objection(ref, "student", "异议")
    suzhou.appraisals.resolve_objection(ref, "o1", 1, False, "驳回")
    with pytest.raises(StepNotAllowed, match="already dismissed"):
        suzhou.appraisals.resolve_objection(ref, "o2", 1, True, "再议")


# -- Aksu: what results set in motion ---------------------------------------------------------


@pytest.fixture
def aksu(db_url: str) -> Iterator[WorkflowApp]:
    app = open_app(parse_location(db_url), create=True)
    app.org.init("aksu-vtc-2020", "admin", "", None)
    app.org.add_unit("jd", "机电工程系", "", "admin")
    for login, roles in (("ma", ["dept@jd"]), ("niu", ["dept@jd"]), ("xue", ["student_affairs"]),
                         ("yuan", ["college"]), ("tian", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("jd1", "机电1班", "jd", 40, "高职", False, "admin")
    app.trainings.record("tian", "2026-01-01", None, "xue")  # 第二十四条 岗前培训
    ref = str(app.cases.open_case("recruitment", "tian", "jd1", None, "", "ma")["id"])
    app.cases.approve(ref, "xue", "")
    app.cases.approve(ref, "yuan", "")
    yield app
    app.close()


def graded(app: WorkflowApp, period: str, grade: str) -> str:
    ref = str(app.appraisals.open_appraisals(period, app.reads.appraisal_targets(period, ["tian"]), "ma", True,
                                             early=True)[0]["id"])
    app.appraisals.score(ref, "niu", [f"morality={grade}", f"overall={grade}"])
    app.cases.approve(ref, "niu", "")
    app.cases.approve(ref, "xue", "")
    return ref


def test_two_unqualified_semesters_open_a_dismissal_case_naming_them(aksu: WorkflowApp) -> None:
    first = graded(aksu, "2025-2026-2", "不称职")
    second = graded(aksu, "2026-2027-1", "不称职")
    [dismissal] = [c for c in aksu.user("tian").consequences if c["key"] == "dismissal"]
    assert dismissal["caused_by"] == [first, second]
    case = aksu.reads.show(dismissal["opened"])
    assert (case["kind"], case["subject"], case["step_label"]) == ("dismissal", "tian", "学工部审核")
    assert case["data"]["caused_by"] == [first, second]


def test_one_unqualified_semester_opens_nothing(aksu: WorkflowApp) -> None:
    graded(aksu, "2025-2026-1", "不称职")
    graded(aksu, "2025-2026-2", "称职")
    graded(aksu, "2026-2027-1", "不称职")
    assert [c for c in aksu.user("tian").consequences if c["key"] == "dismissal"] == []


def test_three_excellent_years_make_the_advisor_eligible_for_the_material_reward(
        aksu: WorkflowApp) -> None:
    for year in (2023, 2024, 2025):
        for term in (1, 2):
            graded(aksu, f"{year}-{year + 1}-{term}", "优秀")
    reward = [c for c in aksu.user("tian").consequences if c["key"] == "material_reward"]
    assert len(reward) == 1 and len(reward[0]["caused_by"]) == 6


def test_a_competent_or_excellent_year_makes_the_advisor_eligible_for_the_top_ten(
        aksu: WorkflowApp) -> None:
    first = graded(aksu, "2026-2027-1", "称职")
    assert [c for c in aksu.user("tian").consequences if c["key"] == "top_ten"] == []
    second = graded(aksu, "2026-2027-2", "优秀")
    [top] = [c for c in aksu.user("tian").consequences if c["key"] == "top_ten"]
    assert (top["then"], top["caused_by"]) == ("eligible", [first, second])


# -- bulk ---------------------------------------------------------------------------------


def test_two_thousand_appraisals_open_in_one_command(app: WorkflowApp) -> None:
    targets = [(f"adv{n}", "kj1", "nanning") for n in range(2000)]
    calls: list[int] = []
    opened_now = app.appraisals.open_appraisals("2026-2027-2", targets, "li", False, calls.append,
                                                early=True)
    assert len(opened_now) == 2000 and sum(calls) == 2000
    assert opened_now[-1]["id"] == "A-2000"
    assert app.appraisals.open_appraisals("2026-2027-2", targets, "li", False, early=True) == []


def test_a_bulk_open_failing_in_a_later_chunk_stores_nothing(
        app: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Events are stored a chunk at a time, but in one transaction: a failure while the third
    chunk is being stored leaves no case, no roster entry and no reference used."""
    from bzr_workflow.application import appraisal
    from bzr_workflow.domain.ids import case_id

    monkeypatch.setattr(appraisal, "CHUNK", 2)
    targets = [(f"adv{n}", "kj1", "nanning") for n in range(7)]
    to_stored, calls = app.mapper.to_stored_event, []

    def failing(event: object) -> object:
        calls.append(event)
        if len(calls) == 7:  # counter, roster and two cases, two cases, then one more
            raise RuntimeError("the disk is full")
        return to_stored(event)  # type: ignore[arg-type]

    monkeypatch.setattr(app.mapper, "to_stored_event", failing)
    with pytest.raises(RuntimeError, match="disk"):
        app.appraisals.open_appraisals("2026-2027-2", targets, "li", False, early=True)
    monkeypatch.setattr(app.mapper, "to_stored_event", to_stored)
    opened_now = app.appraisals.open_appraisals("2026-2027-2", targets, "li", False, early=True)
    assert [row["id"] for row in opened_now] == [f"A-{n}" for n in range(1, 8)]
    assert [app.repository.get(case_id(f"A-{n}")).subject for n in range(1, 8)] == \
        [t[0] for t in targets]


def test_hefei_unqualified_records_an_unqualified_year(sqlite_url: str) -> None:
    app = open_app(parse_location(sqlite_url), create=True)
    app.org.init("hfut-math", "admin", "", None)
    app.org.add_unit("math", "数学学院", "", "admin")
    for login, roles in (("dean", ["college"]), ("vice", ["student_work_head"]),
                         ("grader", ["college"]), ("wu", [])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("m1", "数学2025级1班", "math", 30, "", False, "admin", year_of_study=1)
    ref = str(app.appraisals.open_appraisals("2026", [("wu", "m1", "math")], "dean", True)[0]["id"])
    app.cases.approve(ref, "vice", "学生意见已听取")
    app.appraisals.score(ref, "grader", ["y1_major=不称职", "overall=不称职"])
    app.cases.approve(ref, "grader", "")
    keys = {c["key"]: c["then"] for c in app.user("wu").consequences}
    app.close()
    assert keys["annual_unqualified"] == "record" and keys["no_promotion"] == "record"
    assert "prerequisite" not in keys


def test_a_period_is_finalised_at_once_and_says_what_is_not_due(suzhou: WorkflowApp) -> None:
    ref = published(suzhou)
    suzhou.appraisals.lodge_objection(ref, "student", "异议")
    later(suzhou, 6)
    pending = suzhou.appraisals.finalise_period("2026", "o2")
    assert pending["finalised"] == [] and "open objection" in pending["not_finalised"][ref]
    suzhou.appraisals.resolve_objection(ref, "o1", 1, False, "驳回")
    assert suzhou.appraisals.finalise_period("2026", "o2")["finalised"] == [ref]


def test_an_appraisal_shows_the_advisors_norm_compliance_as_evidence(aksu: WorkflowApp) -> None:
    """Seen once the semester is over; windows before the appointment are not due."""
    from datetime import date

    from bzr_workflow.domain.periods import parse, period_of_day

    start = aksu.reads.appointments("tian")[0]["start"]
    semester = period_of_day(date.fromisoformat(start), "semester")
    moment = datetime.combine(parse(semester).end() + timedelta(days=1), datetime.min.time(),
                              tzinfo=UTC)
    aksu.clock = lambda: moment  # type: ignore[method-assign]
    aksu.worklog.log_add(None, [{"activity": "dormitory_visit", "date": start}], "tian")
    ref = str(aksu.appraisals.open_appraisals(semester, aksu.reads.appraisal_targets(semester, ["tian"]),
                                              "ma", True)[0]["id"])
    norms = {n["activity"]: (n["met"], n["of"]) for n in aksu.reads.show(ref)["norms"]}
    assert norms["dormitory_visit"][0] == 1 and norms["dormitory_visit"][1] >= 1
    assert norms["class_meeting"] == (0, 1)


def test_a_policy_can_withhold_the_allowance_after_an_unqualified_year(suzhou: WorkflowApp,
                                                                       tmp_path) -> None:
    from bzr_workflow.policies import builtin_text

    text = (builtin_text("suzhou-gaobo-2023") or "").replace(
        'part_month = "prorate"', 'part_month = "prorate"\nwithhold_grades = ["不合格"]')
    stricter = tmp_path / "suzhou-withhold.toml"
    stricter.write_text(text, "utf-8")
    suzhou.org.adopt_policy(str(stricter), "admin")
    advisor = suzhou.user("adv")
    advisor.take_class("c1", "R-0", 0)
    suzhou.save(advisor)
    klass = suzhou.school_class("c1")
    klass.appoint("adv", "2026-01-01", "R-0", "admin", 1)
    suzhou.save(klass)
    ref = str(suzhou.appraisals.open_appraisals("2026", [("adv", "c1", "cs")], "open1", True)[0]["id"])
    suzhou.appraisals.submit_summary(ref, "adv", "总结")
    suzhou.appraisals.score(ref, "s1", [k.split("=")[0] + "=40" for k in SUZHOU_SCORES])
    for who in ("s1", "s2", "o1", "o2"):
        suzhou.cases.approve(ref, who, "")
    later(suzhou, 6)
    suzhou.appraisals.finalise(ref, "o2")
    sheet = suzhou.reads.allowance("2026-10")
    [line] = sheet["lines"]
    assert line["amount"] == 0 and line["rule"].startswith(f"withheld: 不合格 in 2026-2027 ({ref})")


def test_bulk_opening_stores_and_shows_what_opening_one_by_one_would(app: WorkflowApp) -> None:
    """Bulk opening builds the first case under each rule set and copies its siblings' events;
    each stored case must replay to the state, and show the dict, of a case built in full."""
    from pathlib import Path

    from bzr_workflow.application.opening import new_case
    from bzr_workflow.application.render import case_dict
    from bzr_workflow.domain.ids import case_id

    refinement = Path(__file__).parents[1] / "policies" / "refinements" / "nanning-extra-review.toml"
    app.org.refine_policy(str(refinement), "admin")  # nanning now follows other rules than liuzhou
    app.org.add_user("li2", "李二", ["ce_college"], "admin")
    targets = [("chen", "kj1", "nanning"), ("liu", "tm1", "liuzhou"), ("zhao2", "kj2", "nanning"),
               ("huang", "tm1", "liuzhou"), ("li", "kj1", "nanning")]  # li opens its own too
    shown = app.appraisals.open_appraisals("2026-2027-1", targets, "li", True)
    assert [row["subject"] for row in shown] == [t[0] for t in targets]
    inst = app.institution()
    for row, (advisor, klass, unit) in zip(shown, targets):
        stored = app.repository.get(case_id(row["id"]))
        path = app.unit(unit).path
        refinement_no = inst.refinement_for(path)
        policy = app.policy(inst=inst, refinement=refinement_no)
        built = new_case(row["id"], policy.workflow("appraisal"),
                         inst.current_version, refinement_no, subject=advisor,
                         opener="li", unit_path=path, class_code=klass,
                         period="2026-2027-1")
        skip = {"_id", "_created_on", "_modified_on", "_version", "_pending_events"}
        assert {k: v for k, v in vars(stored).items() if k not in skip} == \
            {k: v for k, v in vars(built).items() if k not in skip}, advisor
        assert row == case_dict(stored, policy), advisor
        assert app.reads.show(row["id"])["subject"] == advisor
    assert shown[0]["refinement"] != shown[1]["refinement"]  # two rule sets were in play
