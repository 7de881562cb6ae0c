"""One open application per candidate and class (issue 20 item 9): a second while the first is
open is refused (exit 1, HTTP 422), on SQLite, and under a race of separate processes."""

from __future__ import annotations

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.errors import AlreadyExists
from racing import race


def test_a_second_application_for_the_same_class_while_the_first_is_open_is_refused(
        sqlite_app: WorkflowApp) -> None:
    first = sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    with pytest.raises(AlreadyExists, match=first) as caught:
        sqlite_app.cases.recruit_apply("kj1", None, None, "再次", "chen")
    assert caught.value.exit_code == 1
    assert [r["id"] for r in sqlite_app.reads.cases(kind="recruitment")] == [first]


def test_another_class_or_another_candidate_is_not_held_back(sqlite_app: WorkflowApp) -> None:
    sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")
    sqlite_app.cases.recruit_apply("kj2", None, None, "", "chen")
    sqlite_app.cases.recruit_apply("kj1", None, None, "", "liu")
    assert len(sqlite_app.reads.cases(kind="recruitment")) == 3


def test_an_administrator_lodging_a_paper_application_is_held_to_the_same_rule(
        sqlite_app: WorkflowApp) -> None:
    sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")
    with pytest.raises(AlreadyExists):
        sqlite_app.cases.recruit_apply("kj1", "chen", None, "纸质申请", "admin")


@pytest.mark.parametrize("end", ["withdraw", "veto"])
def test_once_the_application_is_withdrawn_or_vetoed_the_candidate_may_apply_again(
        sqlite_app: WorkflowApp, end: str) -> None:
    first = sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    if end == "withdraw":
        sqlite_app.cases.withdraw(first, "chen", "重新申请")
    else:
        sqlite_app.cases.veto(first, "zhang", "材料不全")
    again = sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")
    assert again["id"] != first and again["state"] == "open"


def test_a_returned_application_is_still_open(sqlite_app: WorkflowApp) -> None:
    first = sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    sqlite_app.cases.return_case(first, "zhang", "补充材料")
    with pytest.raises(AlreadyExists):
        sqlite_app.cases.recruit_apply("kj1", None, None, "", "chen")


def test_four_applications_at_once_open_one_case(sqlite_app: WorkflowApp,
                                                 sqlite_url: str) -> None:
    """Separate processes let go together: the roster is saved with the case, so those that
    lose the race re-run, find the open application and are refused."""
    outcomes = race(sqlite_url, [(f"p{n}", "cases.recruit_apply", ("kj1", None, None, f"{n}", "chen"))
                         for n in range(4)])
    assert [code for _, code, _ in outcomes] == [0, 1, 1, 1], outcomes
    assert len(sqlite_app.reads.cases(kind="recruitment")) == 1


def test_four_applications_at_once_open_one_case_on_either_store(app: WorkflowApp,
                                                                 db_url: str) -> None:
    outcomes = race(db_url, [(f"p{n}", "cases.recruit_apply", ("kj2", None, None, f"{n}", "liu"))
                             for n in range(4)])
    assert [code for _, code, _ in outcomes] == [0, 1, 1, 1], outcomes
    assert len(app.reads.cases(kind="recruitment")) == 1
