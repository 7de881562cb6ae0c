"""Given a case's events, when someone acts, then new events or a named refusal (no storage)."""

from __future__ import annotations

from typing import Any

import pytest

from bzr_workflow.domain.case import Case
from bzr_workflow.domain.errors import (BadInput, NotPermitted, SeparationOfDuties,
                                        StepNotAllowed)
from bzr_workflow.domain.pipeline import machine_for
from bzr_workflow.domain.policy_file import parse_policy
from bzr_workflow.policies import builtin_text

POLICY = parse_policy(builtin_text("guilin-ut-ce-2024") or "", "guilin")
WF = POLICY.workflow("recruitment")
MACHINE = machine_for("test", WF)
SITE_HEAD = [["site_head", "nanning"]]
OTHER_SITE = [["site_head", "liuzhou"]]
PARENT_UNIT_HEAD = [["site_head", "ce"]]
COLLEGE = [["ce_college", ""]]


def given_application(candidate: str = "chen", opener: str | None = None) -> Case:
    """An application at the site's review; `opener` other than the candidate: a case someone
    opened on another's behalf (an office's appraisal, a head's nomination)."""
    case = Case(ref="R-1", kind="recruitment", policy_version=1, action="applied",
                open_step="apply", step="site_review", subject=candidate,
                opener=opener or candidate,
                unit="nanning", unit_path=["ce", "nanning"], class_code="kj1", period="",
                note="", data={})
    case.collect_events()
    return case


def approve(case: Case, actor: str, grants: Any, comment: str = "同意") -> None:
    case.approve(actor, grants, POLICY, WF, MACHINE, comment)


def given_recommended() -> Case:
    case = given_application()
    approve(case, "zhang", SITE_HEAD)
    case.collect_events()
    return case


def events_of(case: Case) -> list[Any]:
    return list(case.collect_events())


def test_head_of_the_site_recommends_and_the_case_moves_to_college_approval() -> None:
    case = given_application()
    approve(case, "zhang", SITE_HEAD, "同意推荐")
    [ev] = events_of(case)
    assert (ev.actor, ev.action, ev.step, ev.to_step) == ("zhang", "recommended", "site_review",
                                                          "college_approval")


def test_head_of_another_site_cannot_recommend() -> None:
    with pytest.raises(NotPermitted, match="nanning"):
        approve(given_application(), "huang", OTHER_SITE)


def test_head_of_a_unit_above_the_site_may_recommend() -> None:
    case = given_application()
    approve(case, "boss", PARENT_UNIT_HEAD)
    assert case.step == "college_approval"


def test_refused_command_records_no_event() -> None:
    case = given_application()
    with pytest.raises(NotPermitted):
        approve(case, "li", COLLEGE)
    assert events_of(case) == []


def test_candidate_may_not_sign_their_own_case_even_holding_the_role() -> None:
    with pytest.raises(SeparationOfDuties, match="subject"):
        approve(given_application("zhang"), "zhang", SITE_HEAD)


def test_one_person_signs_at_most_one_level() -> None:
    case = given_application()
    approve(case, "zhang", SITE_HEAD + COLLEGE)
    with pytest.raises(SeparationOfDuties, match="推荐单位审核"):
        approve(case, "zhang", SITE_HEAD + COLLEGE)


def test_the_officer_who_approved_may_publish_a_clerical_step() -> None:
    """Guilin 第五条: "经继续教育学院审批同意后，向学生所在班级公布" — 公布 is marked clerical: in a
    small office the officer who approved publishes it too."""
    case = given_recommended()
    approve(case, "li", COLLEGE)
    approve(case, "li", COLLEGE, "已公布")
    assert (case.state, case.last["actor"], case.last["action"]) == ("published", "li",
                                                                     "published")


def test_a_clerical_step_is_still_not_for_the_subject() -> None:
    case = given_application("wang")
    approve(case, "zhang", SITE_HEAD)
    approve(case, "li", COLLEGE)
    with pytest.raises(SeparationOfDuties, match="subject"):
        approve(case, "wang", COLLEGE, "已公布")


def test_last_level_publishes_the_case() -> None:
    case = given_recommended()
    approve(case, "li", COLLEGE)
    approve(case, "wang", COLLEGE, "已公布")
    assert (case.state, case.step, case.last["action"]) == ("published", "", "published")


def test_veto_needs_a_reason() -> None:
    with pytest.raises(BadInput, match="reason"):
        given_application().veto("zhang", SITE_HEAD, POLICY, WF, "  ")


def test_veto_ends_the_case() -> None:
    case = given_application()
    case.veto("zhang", SITE_HEAD, POLICY, WF, "材料不全")
    [ev] = events_of(case)
    assert (case.state, ev.reason, ev.step) == ("vetoed", "材料不全", "site_review")


def test_nothing_can_be_signed_after_a_veto() -> None:
    case = given_application()
    case.veto("zhang", SITE_HEAD, POLICY, WF, "材料不全")
    with pytest.raises(StepNotAllowed, match="vetoed"):
        approve(case, "zhao2", SITE_HEAD)


def test_return_sends_the_case_back_to_the_applicant() -> None:
    case = given_application()
    case.return_("zhang", SITE_HEAD, POLICY, WF, MACHINE, "请补充材料")
    assert (case.state, case.step) == ("open", "apply")


def test_only_the_applicant_resubmits_a_returned_case() -> None:
    case = given_application()
    case.return_("zhang", SITE_HEAD, POLICY, WF, MACHINE, "请补充材料")
    with pytest.raises(NotPermitted, match="chen"):
        approve(case, "zhang", SITE_HEAD)
    approve(case, "chen", [], "已补充")
    assert (case.step, case.last["action"]) == ("site_review", "resubmitted")


def test_the_same_head_may_sign_the_same_level_again_after_a_return() -> None:
    case = given_application()
    approve(case, "zhang", SITE_HEAD)
    case.return_("li", COLLEGE, POLICY, WF, MACHINE, "请补充材料")
    approve(case, "chen", [])
    approve(case, "zhang", SITE_HEAD)
    assert case.step == "college_approval"


def test_publication_step_cannot_be_returned() -> None:
    case = given_recommended()
    approve(case, "li", COLLEGE)
    with pytest.raises(StepNotAllowed, match="cannot be returned"):
        case.return_("wang", COLLEGE, POLICY, WF, MACHINE, "再议")


def test_applicant_withdraws_before_the_final_step() -> None:
    case = given_recommended()
    case.withdraw("chen", WF, MACHINE, "工作调动")
    assert case.state == "withdrawn"


def test_nobody_else_withdraws_an_application() -> None:
    with pytest.raises(NotPermitted, match="chen"):
        given_application().withdraw("zhang", WF, MACHINE, "")


@pytest.mark.parametrize("who", ["chen", "li"])
def test_a_case_opened_on_anothers_behalf_is_withdrawn_by_neither(who: str) -> None:
    """Issue 14: withdrawal is for whoever opened a case on their own behalf; the subject of an
    appraisal or a dismissal (opened by an office) may not make it disappear."""
    case = given_application("chen", opener="li")
    with pytest.raises(NotPermitted, match="on their own behalf"):
        case.withdraw(who, WF, MACHINE, "撤回")
    assert case.state == "open"


def test_withdrawal_is_refused_at_the_final_step() -> None:
    case = given_recommended()
    approve(case, "li", COLLEGE)
    with pytest.raises(StepNotAllowed, match="final step"):
        case.withdraw("chen", WF, MACHINE, "")


def test_replaying_the_events_gives_the_same_case() -> None:
    case = given_application()
    pending = []
    approve(case, "zhang", SITE_HEAD)
    case.return_("li", COLLEGE, POLICY, WF, MACHINE, "补充")
    approve(case, "chen", [])
    pending = events_of(case)
    replayed = given_application()
    for ev in pending:
        ev.mutate(replayed)
    assert (replayed.step, replayed.signers, replayed.last) == (case.step, case.signers, case.last)
