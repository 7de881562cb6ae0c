"""The case page's read, the inbox counts, my cases, the audit sheet and the chain's state, on both backends."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bzr_workflow.application import WorkflowApp

from bzr_workflow.domain.errors import NotFound, NotPermitted


def applied(app: WorkflowApp, note: str = "申请") -> str:
    return str(app.cases.recruit_apply("kj1", None, "2026-12-01", note, "chen")["id"])


def states(app: WorkflowApp, ref: str, reader: str | None = None) -> list[tuple[str, str]]:
    return [(s.id, s.state) for s in app.reads.case_view(ref, reader).steps]


def test_the_site_head_may_sign_off_veto_or_return_the_pending_review(app: WorkflowApp) -> None:
    ref = applied(app)
    assert app.reads.case_view(ref, "zhang").actions == ("approve", "veto", "return")


def test_the_candidate_may_only_withdraw_while_it_is_reviewed(app: WorkflowApp) -> None:
    ref = applied(app)
    assert app.reads.case_view(ref, "chen").actions == ("withdraw",)


def test_a_college_officer_may_not_sign_the_site_step_and_is_told_who_signs(
        app: WorkflowApp) -> None:
    view = app.reads.case_view(applied(app), "li")
    assert (view.actions, "site_head" in str(view.waiting or "")) == ((), True)


def test_the_head_of_another_site_may_not_even_read_the_case(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted):
        app.reads.case_view(applied(app), "huang")


def test_the_announcement_step_cannot_be_returned(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    app.cases.approve(ref, "li", "")
    assert app.reads.case_view(ref, "wang").actions == ("approve", "veto")


def test_the_pipeline_shows_each_step_with_its_role_label_and_state(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意推荐")
    assert [(s.label, s.role_label, s.state) for s in app.reads.case_view(ref, None).steps] == [
        ("个人报名", "申请人", "done"), ("推荐单位审核", "校外教学点负责人", "done"),
        ("继续教育学院审批", "桂林理工大学继续教育学院", "pending"),
        ("向学生所在班级公布", "桂林理工大学继续教育学院", "ahead")]


def test_a_signed_step_says_who_signed_it_when_and_with_what_comment(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意推荐")
    step = app.reads.case_view(ref, None).steps[1]
    assert (step.actor, step.action, step.comment, bool(step.at)) == (
        "zhang", "recommended", "同意推荐", True)


def test_a_returned_case_awaits_its_applicant_who_may_resubmit(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    app.cases.return_case(ref, "li", "材料不全")
    view = app.reads.case_view(ref, "chen")
    assert (view.actions, view.resubmit, [s.state for s in view.steps]) == (
        ("approve", "withdraw"), True, ["pending", "ahead", "ahead", "ahead"])


def test_a_vetoed_case_stops_where_it_was_vetoed(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.veto(ref, "zhang", "不符合条件")
    assert states(app, ref, "zhang") == [("apply", "done"), ("site_review", "stopped"),
                                         ("college_approval", "skipped"), ("announce", "skipped")]


def test_a_published_case_is_done_throughout_and_offers_nothing(app: WorkflowApp) -> None:
    ref = applied(app)
    for who in ("zhang", "li", "wang"):
        app.cases.approve(ref, who, "")
    view = app.reads.case_view(ref, "chen")
    assert ({s.state for s in view.steps}, view.actions) == ({"done"}, ())


def test_the_case_as_it_stood_shows_the_earlier_step_and_no_actions(app: WorkflowApp) -> None:
    ref = applied(app)
    time.sleep(1.05)  # history is read to the second: the sign-off falls in a later one
    app.cases.approve(ref, "zhang", "")
    then = app.reads.case_view(ref, None).history[0]["at"]
    view = app.reads.case_view(ref, "zhang", as_of=then)
    assert (view.case["step"], view.actions) == ("site_review", ())


def test_a_case_before_it_existed_is_not_found(app: WorkflowApp) -> None:
    with pytest.raises(NotFound, match="did not exist yet"):
        app.reads.case_view(applied(app), None, as_of="2000-01-01")


def test_the_inbox_counts_cases_per_kind_under_the_policys_label(app: WorkflowApp) -> None:
    applied(app)
    app.cases.recruit_apply("kj2", None, None, "", "liu")
    assert app.reads.inbox_page("zhang").counts == [
        {"kind": "recruitment", "label": "班主任选聘", "count": 2}]


def test_my_cases_are_those_i_am_the_subject_of(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.recruit_apply("kj2", None, None, "", "liu")
    assert [r["id"] for r in app.reads.mine("chen").rows] == [ref]


def test_the_audit_csv_writes_a_formula_as_text(app: WorkflowApp) -> None:
    applied(app, note="=HYPERLINK(\"x\")")
    table = list(csv.reader(io.StringIO(app.reads.audit_sheet("csv").decode("utf-8-sig"))))
    assert [r[8] for r in table[2:] if r[3] == "R-1"] == ["'=HYPERLINK(\"x\")"]


def test_the_audit_xlsx_holds_one_row_per_decision(app: WorkflowApp, tmp_path: Path) -> None:
    ref = applied(app, note="@SUM(1)")
    app.cases.approve(ref, "zhang", "同意")
    path = tmp_path / "audit.xlsx"
    path.write_bytes(app.reads.audit_sheet("xlsx", case=ref))
    sheet = load_workbook(path).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [(r[1], r[2], r[8]) for r in rows] == [("chen", "applied", "@SUM(1)"),
                                                   ("zhang", "recommended", "同意")]


def test_the_integrity_read_gives_the_head_and_the_last_verify(app: WorkflowApp) -> None:
    before = app.reads.integrity().last_verified
    verified = app.reads.verify()
    now = app.reads.integrity()
    assert (before, now.head, now.last_verified and now.last_verified["verified"]) == (
        None, verified["head"], True)
