"""The application layer on a real SQLite file and a real PostgreSQL database: recruitment paths."""

from __future__ import annotations

import time

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import (AlreadyExists, AlreadySigned, BadInput, LimitReached,
                                        NotFound, NotPermitted, RuleRefused)


def publish(app: WorkflowApp, candidate: str = "chen", klass: str = "kj1",
            start: str | None = "2026-12-01") -> str:
    ref = app.cases.recruit_apply(klass, None, start, "申请", candidate)["id"]
    app.cases.approve(ref, "zhang", "同意推荐")
    app.cases.approve(ref, "li", "同意")
    app.cases.approve(ref, "wang", "已公布")
    return str(ref)


def test_published_recruitment_appoints_the_candidate(app: WorkflowApp) -> None:
    ref = publish(app)
    klass = app.school_class("kj1")
    assert klass.advisors == [{"advisor": "chen", "start": "2026-12-01", "case": ref}]


def test_case_references_are_short_and_sequential(app: WorkflowApp) -> None:
    first = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    second = app.cases.recruit_apply("kj2", None, None, "", "liu")["id"]
    assert (first, second) == ("R-1", "R-2")


def test_a_class_never_has_two_active_advisors(app: WorkflowApp) -> None:
    publish(app, "chen")
    with pytest.raises(LimitReached, match="already has 1 active advisor"):
        app.cases.recruit_apply("kj1", None, None, "", "liu")


def test_second_candidate_for_a_class_is_stopped_once_the_first_is_published(
        app: WorkflowApp) -> None:
    late = app.cases.recruit_apply("kj1", None, None, "", "liu")["id"]
    app.cases.approve(late, "zhang", "")
    app.cases.approve(late, "li", "")
    publish(app, "chen")
    with pytest.raises(LimitReached, match="kj1"):
        app.cases.approve(late, "wang", "")
    assert app.school_class("kj1").advisors[0]["advisor"] == "chen"


def test_head_of_another_site_is_not_permitted(app: WorkflowApp) -> None:
    """Another site's head may not read the case, and is told that first (issue 20 item 6)."""
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    with pytest.raises(NotPermitted, match="may not read"):
        app.cases.approve(ref, "huang", "")


def test_candidates_apply_only_for_themselves(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted, match="for themselves"):
        app.cases.recruit_apply("kj1", "chen", None, "", "liu")


def test_administrator_may_lodge_a_paper_application_for_a_candidate(app: WorkflowApp) -> None:
    case = app.cases.recruit_apply("kj1", "chen", None, "纸质申请", "admin")
    assert (case["subject"], case["opener"]) == ("chen", "admin")


def test_late_signer_is_told_who_signed_first(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    app.cases.approve(ref, "zhang", "")
    with pytest.raises(AlreadySigned, match="推荐单位审核 was already recommended by zhang"):
        app.cases.approve(ref, "zhao2", "")


def test_pinned_step_is_refused_once_the_case_moved_on(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    app.cases.approve(ref, "zhang", "")
    with pytest.raises(AlreadySigned, match="now awaits 继续教育学院审批"):
        app.cases.veto(ref, "li", "不同意", step="site_review")


def test_unknown_case_user_and_class_are_bad_input(app: WorkflowApp) -> None:
    with pytest.raises(NotFound, match="R-99"):
        app.cases.approve("r99", "zhang", "")
    with pytest.raises(NotFound, match="nobody"):
        app.cases.approve("R-1", "nobody", "")
    with pytest.raises(NotFound, match="class"):
        app.cases.recruit_apply("nope", None, None, "", "chen")


def test_start_date_must_be_a_date(app: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="YYYY-MM-DD"):
        app.cases.recruit_apply("kj1", None, "next monday", "", "chen")


def test_only_administrators_manage_the_organisation(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted, match="administrator"):
        app.org.add_unit("x", "X", "", "zhang")


def test_duplicates_are_refused(app: WorkflowApp) -> None:
    with pytest.raises(AlreadyExists):
        app.org.add_user("chen", "陈", [], "admin")
    with pytest.raises(AlreadyExists):
        app.org.add_class("kj1", "会计1班", "nanning", 10, "", False, "admin")


def test_scoped_role_needs_a_unit_and_a_college_role_must_not_have_one(app: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="site_head@UNIT"):
        app.org.grant("chen", "site_head", "admin")
    with pytest.raises(BadInput, match="institution-wide"):
        app.org.grant("chen", "ce_college@nanning", "admin")


def test_revoked_role_no_longer_signs(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    app.org.revoke("zhang", "site_head@nanning", "admin")
    with pytest.raises(NotPermitted):
        app.cases.approve(ref, "zhang", "")


def test_init_twice_is_refused(app: WorkflowApp) -> None:
    with pytest.raises(RuleRefused, match="already initialised"):
        app.org.init("guilin-ut-ce-2024", "admin", "", None)


def test_history_lists_every_decision_oldest_first(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"]
    app.cases.return_case(ref, "zhang", "补充材料")
    app.cases.approve(ref, "chen", "已补充")
    app.cases.approve(ref, "zhang", "同意")
    actions = [(h["actor"], h["action"], h["step"]) for h in app.reads.history(ref)]
    assert actions == [("chen", "applied", "apply"), ("zhang", "returned", "site_review"),
                       ("chen", "resubmitted", "apply"), ("zhang", "recommended", "site_review")]


def test_show_as_of_answers_from_the_events_as_they_stood(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    app.cases.approve(ref, "zhang", "")
    time.sleep(0.05)
    middle = app.reads.history(ref)[-1]["at"]
    time.sleep(1.1)
    app.cases.approve(ref, "li", "")
    assert app.reads.show(ref, as_of=middle)["step"] == "college_approval"
    assert app.reads.show(ref)["step"] == "announce"
    with pytest.raises(NotFound, match="did not exist"):
        app.reads.show(ref, as_of="2020-01-01")


def test_a_new_policy_version_leaves_running_cases_on_theirs(app: WorkflowApp, tmp_path) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    from bzr_workflow.policies import builtin_text

    text = (builtin_text("guilin-ut-ce-2024") or "").replace('label = "推荐单位审核"',
                                                             'label = "推荐单位初审"')
    changed = tmp_path / "guilin-v2.toml"
    changed.write_text(text, "utf-8")
    assert app.org.adopt_policy(str(changed), "admin")["version"] == 2
    assert app.reads.show(ref)["step_label"] == "推荐单位审核"
    fresh = app.cases.recruit_apply("kj2", None, None, "", "liu")
    assert (fresh["policy_version"], fresh["step_label"]) == (2, "推荐单位初审")


def test_a_second_process_sees_the_first_ones_writes(app: WorkflowApp) -> None:
    ref = publish(app)
    other = open_app(app.location)
    try:
        assert other.reads.show(ref)["state"] == "published"
    finally:
        other.close()


def test_commands_on_a_missing_store_create_nothing(tmp_path) -> None:
    from bzr_workflow.application import StoreMissing

    path = tmp_path / "nothing.db"
    with pytest.raises(StoreMissing, match="init"):
        open_app(parse_location(str(path)))
    assert not path.exists()
