"""Re-submitting a returned case: `resubmit` for its applicant, and the inbox saying why it came back.

Guilin 第五条: "班主任选聘工作由个人报名、推荐单位（校外教学点、助学单位）审核，经继续教育学院审批同意后，
向学生所在班级公布。" The 推荐单位 may send an application back to the 个人报名 step; the applicant
amends and re-submits it."""

from __future__ import annotations

from clirun import invoke, ok, organise
from test_cli_recruitment import apply, refused


def returned(db: str) -> str:
    ref = apply(db, "chen", "kj1")
    ok(db, "return", ref, "--reason", "请补充学生管理工作经历", actor="zhang")
    return ref


def test_resubmit_sends_a_returned_case_back_to_its_first_step(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = returned(sqlite_url)
    again = ok(sqlite_url, "resubmit", ref, "--comment", "已补充", actor="chen")
    assert (again["state"], again["step"], again["role"]) == ("open", "site_review", "site_head")
    last = ok(sqlite_url, "history", ref)[-1]
    assert (last["actor"], last["action"], last["comment"]) == ("chen", "resubmitted", "已补充")


def test_resubmit_of_a_case_that_was_not_returned_is_refused(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url, "chen", "kj1")
    line = refused(sqlite_url, 1, "resubmit", ref, actor="chen")
    assert "was not returned" in line and "推荐单位审核" in line


def test_only_the_applicant_may_resubmit(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = returned(sqlite_url)
    assert "only they may re-submit" in refused(sqlite_url, 3, "resubmit", ref, actor="li")


def test_a_stranger_resubmitting_or_approving_is_told_only_that_they_may_not_read_it(
        sqlite_url: str) -> None:
    """Issue 20 item 6, the CLI's twin of the web's: nothing about the case (returned, to
    whom) is said to someone who may not read it."""
    organise(sqlite_url)
    ref = returned(sqlite_url)
    for command in ("resubmit", "approve", "withdraw"):
        line = refused(sqlite_url, 3, command, ref, actor="liu")
        assert "may not read" in line and "chen" not in line and "returned" not in line


def test_approve_still_resubmits_a_returned_case(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = returned(sqlite_url)
    assert ok(sqlite_url, "approve", ref, actor="chen")["step"] == "site_review"


def test_the_inbox_row_of_a_returned_case_carries_the_reason(db_url: str) -> None:
    organise(db_url)
    ref = returned(db_url)
    [row] = ok(db_url, "inbox", actor="chen")
    assert (row["id"], row["returned_reason"]) == (ref, "请补充学生管理工作经历")
    table = invoke(db_url, "inbox", actor="chen", as_json=False).stdout
    assert "returned_reason" in table and "请补充学生管理工作经历" in table


def test_an_inbox_row_not_returned_has_no_reason(sqlite_url: str) -> None:
    organise(sqlite_url)
    apply(sqlite_url, "chen", "kj1")
    [row] = ok(sqlite_url, "inbox", actor="zhang")
    assert row["returned_reason"] is None


def test_a_case_resubmitted_and_returned_again_shows_the_latest_reason(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = returned(sqlite_url)
    ok(sqlite_url, "resubmit", ref, actor="chen")
    ok(sqlite_url, "return", ref, "--reason", "请附工作证明", actor="zhang")
    assert ok(sqlite_url, "inbox", actor="chen")[0]["returned_reason"] == "请附工作证明"
