"""Take back (拿回) and reassign (转办) through the application layer, on SQLite and PostgreSQL:
a signer takes back their sign-off until the next level acts; an administrator hands a pending
step to one holder of its role, who alone signs it; both in the history with their reasons."""

from __future__ import annotations

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.errors import (BadInput, NotPermitted, SeparationOfDuties,
                                        StepNotAllowed)

SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def applied(app: WorkflowApp) -> str:
    return str(app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"])


def appraisal(app: WorkflowApp) -> str:
    [case] = app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li",
                                            True)
    return str(case["id"])


def test_a_signer_takes_back_their_sign_off_before_the_next_level_acts(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意推荐")
    case = app.handovers.take_back(ref, "zhang", "材料还要核对")
    assert (case["state"], case["step"], case["last"]["action"]) == ("open", "site_review",
                                                                     "taken back")
    assert ref in [r["id"] for r in app.reads.inbox("zhang")]
    assert ref not in [r["id"] for r in app.reads.inbox("li")]
    assert app.cases.approve(ref, "zhang", "核对无误")["step"] == "college_approval"


def test_a_sign_off_taken_back_no_longer_counts_for_the_one_level_rule(app: WorkflowApp) -> None:
    ref = applied(app)
    app.org.grant("zhao2", "ce_college", "admin")  # site head of nanning and a college officer
    app.cases.approve(ref, "zhao2", "")
    app.handovers.take_back(ref, "zhao2", "请张主任签")
    app.cases.approve(ref, "zhang", "")
    assert app.cases.approve(ref, "zhao2", "同意")["step"] == "announce"


def test_take_back_is_refused_once_the_next_level_signed(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    app.cases.approve(ref, "li", "")
    with pytest.raises(StepNotAllowed, match=r"next level already acted \(approved by li\)"):
        app.handovers.take_back(ref, "zhang", "想改意见")
    assert app.reads.show(ref)["step"] == "announce"


def test_take_back_is_refused_once_the_next_level_scored(app: WorkflowApp) -> None:
    ref = appraisal(app)
    app.appraisals.score(ref, "zhang", SITE)
    app.cases.approve(ref, "zhang", "")
    app.appraisals.score(ref, "li", ["college_evaluation=13"])
    with pytest.raises(StepNotAllowed, match=r"already acted \(scored by li at "):
        app.handovers.take_back(ref, "zhang", "分数有误")


def test_take_back_is_refused_once_the_next_level_flagged_a_veto_item(app: WorkflowApp) -> None:
    ref = appraisal(app)
    app.appraisals.score(ref, "zhang", SITE)
    app.cases.approve(ref, "zhang", "")
    app.appraisals.flag_veto(ref, "li", "ethics", "有违规收费")
    with pytest.raises(StepNotAllowed, match=r"already acted \(flagged by li"):
        app.handovers.take_back(ref, "zhang", "分数有误")


def test_only_the_last_signer_takes_back(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    with pytest.raises(NotPermitted, match="only zhang, who signed 推荐单位审核 last"):
        app.handovers.take_back(ref, "zhao2", "我来拿回")


def test_a_published_case_is_final_and_not_taken_back(app: WorkflowApp) -> None:
    ref = applied(app)
    for who in ("zhang", "li", "wang"):
        app.cases.approve(ref, who, "")
    with pytest.raises(StepNotAllowed, match="published case is final"):
        app.handovers.take_back(ref, "wang", "公布错了")
    assert app.school_class("kj1").advisors[0]["advisor"] == "chen"


def test_a_re_submission_is_not_taken_back(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.return_case(ref, "zhang", "补充材料")
    app.cases.resubmit(ref, "chen", "已补充")
    with pytest.raises(StepNotAllowed, match="re-submission is not a sign-off"):
        app.handovers.take_back(ref, "chen", "再改改")


def test_a_take_back_needs_a_reason(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    with pytest.raises(BadInput, match="take-back needs a reason"):
        app.handovers.take_back(ref, "zhang", " ")


def test_a_reassigned_step_is_signed_by_the_named_holder_alone(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    case = app.handovers.reassign(ref, "admin", "wang", "李老师出差")
    assert case["assignee"] == "wang"
    with pytest.raises(NotPermitted, match="reassigned to wang; only they may sign it"):
        app.cases.approve(ref, "li", "")
    with pytest.raises(NotPermitted, match="reassigned to wang"):
        app.cases.veto(ref, "li", "不同意")
    signed = app.cases.approve(ref, "wang", "同意")
    assert (signed["step"], signed["assignee"]) == ("announce", None)  # the step was left
    assert app.cases.approve(ref, "li", "已公布")["state"] == "published"


def test_reassigning_again_replaces_the_assignee(app: WorkflowApp) -> None:
    ref = applied(app)
    app.handovers.reassign(ref, "admin", "zhao2", "张主任休假")
    app.handovers.reassign(ref, "admin", "zhang", "张主任回来了")
    with pytest.raises(NotPermitted, match="reassigned to zhang"):
        app.cases.approve(ref, "zhao2", "")
    assert app.cases.approve(ref, "zhang", "")["step"] == "college_approval"


def test_the_inbox_shows_a_reassigned_case_to_the_assignee_only(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    app.handovers.reassign(ref, "admin", "wang", "李老师出差")
    assert ref in [r["id"] for r in app.reads.inbox("wang")]
    assert ref not in [r["id"] for r in app.reads.inbox("li")]
    [row] = [r for r in app.reads.inbox("wang") if r["id"] == ref]
    assert row["assignee"] == "wang"


def test_reassign_is_refused_to_someone_without_the_role_there(app: WorkflowApp) -> None:
    ref = applied(app)
    with pytest.raises(StepNotAllowed, match="huang may not be assigned 推荐单位审核"):
        app.handovers.reassign(ref, "admin", "huang", "柳州帮忙")  # liuzhou's head
    with pytest.raises(StepNotAllowed, match="li may not be assigned"):
        app.handovers.reassign(ref, "admin", "li", "学院代签")


def test_reassign_is_refused_to_the_subject(app: WorkflowApp) -> None:
    app.org.grant("chen", "site_head@nanning", "admin")
    ref = applied(app)
    with pytest.raises(SeparationOfDuties, match="chen is the subject"):
        app.handovers.reassign(ref, "admin", "chen", "本人")


def test_reassign_is_refused_to_a_non_administrator(app: WorkflowApp) -> None:
    ref = applied(app)
    with pytest.raises(NotPermitted, match="only an administrator reassigns"):
        app.handovers.reassign(ref, "zhang", "zhao2", "我出差")


def test_the_history_shows_both_with_their_reasons(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "")
    app.handovers.take_back(ref, "zhang", "材料还要核对")
    app.handovers.reassign(ref, "admin", "zhao2", "张主任休假")
    entries = app.reads.history(ref)
    taken = [e for e in entries if e["action"] == "taken back"]
    handed = [e for e in entries if e["action"] == "reassigned"]
    assert [(e["actor"], e["step"], e["comment"]) for e in taken] == [
        ("zhang", "site_review", "材料还要核对")]
    assert [(e["actor"], e["step"], e["comment"]) for e in handed] == [
        ("admin", "site_review", "→ zhao2: 张主任休假")]
    audit = app.reads.audit(case=ref)
    assert {"taken back", "reassigned"} <= {row["action"] for row in audit}
