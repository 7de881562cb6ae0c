"""Who may read a case (`signing.may_read`, and `app.reads` with a reader), on both backends."""

from __future__ import annotations

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.errors import NotPermitted

READERS = {"chen": True, "zhang": True, "boss": True, "li": True, "admin": True,
           "audit": True, "huang": False, "liu": False, "adv": False}
"""chen applied for kj1 (nanning); zhang heads nanning, boss heads the college above it, li is
a college officer, audit an auditor; huang heads another site, liu is another candidate, adv an
advisor of nanning (a role no recruitment step needs)."""


@pytest.fixture
def case(app: WorkflowApp) -> str:
    app.org.add_user("audit", "审计", ["auditor"], "admin")
    app.org.add_user("adv", "班主任", ["advisor@nanning"], "admin")
    app.cases.recruit_apply("tm1", "liu", None, "", "liu")  # a case in liuzhou, for the lists
    return str(app.cases.recruit_apply("kj1", None, None, "", "chen")["id"])


def readable(app: WorkflowApp, ref: str, login: str) -> bool:
    try:
        app.reads.show(ref, reader=login)
    except NotPermitted:
        return False
    return True


def test_who_may_read_a_case(app: WorkflowApp, case: str) -> None:
    assert {login: readable(app, case, login) for login in READERS} == READERS


def test_a_case_list_leaves_out_what_the_reader_may_not_read(app: WorkflowApp,
                                                             case: str) -> None:
    listed = {login: case in [r["id"] for r in app.reads.cases(reader=login)]
              for login in READERS}
    assert listed == READERS


def test_another_sites_head_sees_their_own_sites_case_only(app: WorkflowApp, case: str) -> None:
    assert [r["unit"] for r in app.reads.cases(reader="huang")] == ["liuzhou"]


def test_history_of_a_case_one_may_not_read_is_refused_naming_it(app: WorkflowApp,
                                                                 case: str) -> None:
    with pytest.raises(NotPermitted, match=case):
        app.reads.history(case, reader="huang")


def test_a_past_state_of_a_case_one_may_not_read_is_refused(app: WorkflowApp, case: str) -> None:
    with pytest.raises(NotPermitted):
        app.reads.show(case, as_of="2100-01-01", reader="liu")


def test_the_audit_leaves_out_cases_and_organisation_records_one_may_not_read(
        app: WorkflowApp, case: str) -> None:
    liuzhou = {r["id"] for r in app.reads.cases(unit="liuzhou")}
    assert {r["case"] for r in app.reads.audit(reader="huang")} == liuzhou


def test_the_audit_for_an_auditor_is_the_whole_audit(app: WorkflowApp, case: str) -> None:
    assert app.reads.audit(reader="audit") == app.reads.audit()


def test_a_limited_list_counts_only_what_the_reader_may_read(app: WorkflowApp,
                                                             case: str) -> None:
    assert [r["id"] for r in app.reads.cases(limit=1, reader="chen")] == [case]


def test_the_inbox_with_a_reader_still_lists_what_they_sign(app: WorkflowApp, case: str) -> None:
    assert [r["id"] for r in app.reads.inbox("zhang", reader="zhang")] == [case]


def test_without_a_reader_everything_reads_as_before(app: WorkflowApp, case: str) -> None:
    assert app.reads.show(case)["id"] == case and len(app.reads.cases()) == 2


def test_an_auditor_signs_nothing(app: WorkflowApp, case: str) -> None:
    with pytest.raises(NotPermitted):
        app.cases.approve(case, "audit", "同意")


def test_an_auditors_inbox_is_empty(app: WorkflowApp, case: str) -> None:
    assert app.reads.inbox("audit") == []


def test_every_policy_has_the_auditor_role_labelled_in_chinese(app: WorkflowApp) -> None:
    role = app.policy().roles["auditor"]
    assert (role.label, role.scoped) == ("审计员", False)
