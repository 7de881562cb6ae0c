"""The reading rule before any other (issue 20 item 6): a write on a case its actor may not read
is refused "may not read" before any rule looks at the case's state, so the refusal tells a
stranger nothing about the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.errors import BadInput, NotPermitted, WorkflowError
from bzr_workflow.domain.signing import reading_refusal

@pytest.fixture
def case(sqlite_app: WorkflowApp) -> str:
    return str(sqlite_app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"])


def refusal(act: Callable[[], Any], ref: str, login: str) -> None:
    """The refusal is the reading rule's, word for word the same whatever the case's state,
    people or unit: only the reference the caller gave and their own login are in it."""
    with pytest.raises(WorkflowError) as caught:
        act()
    assert isinstance(caught.value, NotPermitted), caught.value
    assert str(caught.value) == str(reading_refusal(ref, login, ["ce", "liuzhou"]))
    assert "may not read" in str(caught.value)


def test_a_strangers_approval_of_a_case_they_may_not_read_is_refused_may_not_read(
        sqlite_app: WorkflowApp, case: str) -> None:
    refusal(lambda: sqlite_app.cases.approve(case, "huang"), case, "huang")


def test_a_strangers_withdrawal_tells_them_nothing_of_the_applicant(
        sqlite_app: WorkflowApp, case: str) -> None:
    refusal(lambda: sqlite_app.cases.withdraw(case, "liu", "撤回"), case, "liu")


def test_a_strangers_write_on_a_closed_case_does_not_say_it_is_closed_or_by_whom(
        sqlite_app: WorkflowApp, case: str) -> None:
    sqlite_app.cases.veto(case, "zhang", "材料不全")
    for login, act in (("huang", lambda: sqlite_app.cases.approve(case, "huang")),
                       ("huang", lambda: sqlite_app.cases.veto(case, "huang", "x")),
                       ("huang", lambda: sqlite_app.cases.return_case(case, "huang", "x")),
                       ("liu", lambda: sqlite_app.cases.resubmit(case, "liu")),
                       ("liu", lambda: sqlite_app.cases.withdraw(case, "liu", None))):
        refusal(act, case, login)


def test_a_stranger_pinning_a_step_learns_nothing_of_where_the_case_is(
        sqlite_app: WorkflowApp, case: str) -> None:
    refusal(lambda: sqlite_app.cases.approve(case, "huang", step="college"), case, "huang")


def test_an_appraisal_command_on_a_case_one_may_not_read_is_refused_before_its_kind(
        sqlite_app: WorkflowApp, case: str) -> None:
    """`score` on a recruitment case would say it is not an appraisal: the kind is the case's."""
    refusal(lambda: sqlite_app.appraisals.score(case, "huang", ["a=1"]), case, "huang")
    refusal(lambda: sqlite_app.appraisals.lodge_objection(case, "liu", "x"), case, "liu")
    refusal(lambda: sqlite_app.appraisals.finalise(case, "huang"), case, "huang")


def test_the_award_form_for_a_reader_who_may_not_read_the_case_is_refused(
        sqlite_app: WorkflowApp, case: str) -> None:
    refusal(lambda: sqlite_app.reads.recommendation_form(case, reader="huang"), case, "huang")


def test_those_who_may_read_are_still_told_why_not(sqlite_app: WorkflowApp, case: str) -> None:
    """chen may read their own case; an approval they may not give says so, as before."""
    with pytest.raises(WorkflowError) as caught:
        sqlite_app.cases.approve(case, "li")
    assert "may not read" not in str(caught.value)


def test_an_unknown_step_is_bad_input_naming_the_step_ids(sqlite_app: WorkflowApp,
                                                          case: str) -> None:
    with pytest.raises(BadInput) as caught:
        sqlite_app.cases.approve(case, "zhang", step="<b>college</b>")
    assert "site_review, college_approval" in str(caught.value) and "<b>" not in str(caught.value)


def test_applying_on_behalf_of_a_login_that_exists_or_not_is_refused_in_the_same_words(
        sqlite_app: WorkflowApp) -> None:
    said = []
    for candidate in ("liu", "nobody-here"):
        with pytest.raises(WorkflowError) as caught:
            sqlite_app.cases.recruit_apply("kj1", candidate, None, "", "chen")
        said.append((type(caught.value), str(caught.value)))
    assert said[0] == said[1] and said[0][0] is NotPermitted
