"""Countersign (会签 / 或签) on a real store: a step that needs every holder of its role, or any
N of them, each signature recorded, the one-level rule per person (tests/policies/countersign.toml:
推荐单位审核 needs every site head covering the class's unit, 继续教育学院审批 any two officers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import AlreadySigned, SeparationOfDuties
from guilin_org import make_org

POLICY = str(Path(__file__).parents[1] / "policies" / "countersign.toml")


@pytest.fixture
def app(db_url: str) -> Iterator[WorkflowApp]:
    """The Guilin organisation under the countersign policy: zhang, zhao2 (site heads of
    nanning) and boss (site head of ce, above it) hold 推荐单位审核 of a kj1 case; li, wang and
    zhou hold 继续教育学院审批."""
    application = make_org(open_app(parse_location(db_url), create=True), POLICY)
    application.org.add_user("zhou", "周委员", ["ce_college"], "admin")
    yield application
    application.close()


def applied(app: WorkflowApp) -> str:
    return str(app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"])


def reviewed(app: WorkflowApp) -> str:
    ref = applied(app)
    for head in ("zhang", "zhao2", "boss"):
        app.cases.approve(ref, head, "同意")
    return ref


def test_an_all_of_step_waits_for_every_holder_and_the_last_signature_moves_it_on(
        app: WorkflowApp) -> None:
    ref = applied(app)
    first = app.cases.approve(ref, "zhang", "同意")
    second = app.cases.approve(ref, "boss", "同意")
    assert (first["step"], second["step"]) == ("site_review", "site_review")
    assert [p["name"] for p in second["countersign"]["awaited"]] == ["赵副主任"]
    last = app.cases.approve(ref, "zhao2", "同意")
    assert (last["step"], last["last"]["action"]) == ("college_approval", "recommended")


def test_an_any_two_step_moves_on_at_the_second_signature(app: WorkflowApp) -> None:
    ref = reviewed(app)
    assert app.cases.approve(ref, "zhou", "同意")["countersign"]["needed"] == 1
    assert app.cases.approve(ref, "wang", "同意")["step"] == "announce"


def test_a_holder_cannot_sign_a_step_twice(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    with pytest.raises(AlreadySigned, match="zhang already countersigned 推荐单位审核"):
        app.cases.approve(ref, "zhang", "再次同意")
    assert [h["action"] for h in app.reads.history(ref)] == ["applied", "countersigned"]


def test_someone_who_countersigned_one_level_may_not_sign_another(app: WorkflowApp) -> None:
    app.org.grant("li", "site_head@nanning", "admin")
    ref = applied(app)
    for head in ("li", "zhang", "zhao2", "boss"):
        app.cases.approve(ref, head, "同意")
    shown = app.reads.show(ref)
    assert [p["user"] for p in shown["countersign"]["awaited"]] == ["wang", "zhou"]
    with pytest.raises(SeparationOfDuties, match="li already acted at 推荐单位审核"):
        app.cases.approve(ref, "li", "同意")


def test_an_earlier_signer_who_is_not_yet_counted_is_not_awaited_at_the_next_level(
        app: WorkflowApp) -> None:
    """An all-of step awaits only holders who may sign it: someone who signed another level
    would otherwise hold it up for ever."""
    app.org.grant("wang", "site_head@nanning", "admin")
    ref = applied(app)
    app.cases.approve(ref, "wang", "同意")
    for head in ("zhang", "zhao2", "boss"):
        app.cases.approve(ref, head, "同意")
    assert app.reads.show(ref)["step"] == "college_approval"
    assert "wang" not in [p["user"] for p in app.reads.show(ref)["countersign"]["awaited"]]


def test_one_holders_return_clears_the_signatures_gathered(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    app.cases.return_case(ref, "zhao2", "材料不全")
    app.cases.resubmit(ref, "chen", "已补充")
    again = app.reads.show(ref)["countersign"]
    assert (again["signed"], again["needed"]) == ([], 3)
    assert app.cases.approve(ref, "zhang", "同意")["step"] == "site_review"


def test_one_holders_veto_ends_the_case_but_a_signer_may_not_veto_after_signing(
        app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    with pytest.raises(AlreadySigned):
        app.cases.veto(ref, "zhang", "改变主意")
    assert app.cases.veto(ref, "boss", "不同意")["state"] == "vetoed"


def test_a_holder_granted_meanwhile_is_awaited_and_one_revoked_no_longer(
        app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    app.org.grant("liu", "site_head@nanning", "admin")
    app.org.revoke("boss", "site_head@ce", "admin")
    awaited = app.reads.show(ref)["countersign"]["awaited"]
    assert [p["user"] for p in awaited] == ["liu", "zhao2"]


def test_when_the_last_awaited_holder_leaves_a_signer_moves_the_step_on(
        app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    app.cases.approve(ref, "zhao2", "同意")
    app.org.revoke("boss", "site_head@ce", "admin")
    assert app.reads.show(ref)["countersign"]["needed"] == 0
    assert app.cases.approve(ref, "zhang", "人已齐")["step"] == "college_approval"


def test_show_names_who_signed_and_who_is_awaited(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhao2", "同意")
    progress = app.reads.show(ref)["countersign"]
    assert progress["rule"] == "all"
    assert progress["signed"] == [{"user": "zhao2", "name": "赵副主任"}]
    assert [p["name"] for p in progress["awaited"]] == ["院长", "张建国"]


def test_the_inbox_shows_the_case_to_holders_who_have_not_signed(app: WorkflowApp) -> None:
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    assert ref not in [r["id"] for r in app.reads.inbox("zhang")]
    assert ref in [r["id"] for r in app.reads.inbox("zhao2")]
    assert ref in [r["id"] for r in app.reads.inbox("boss")]


def test_history_and_audit_record_each_signature(app: WorkflowApp) -> None:
    ref = reviewed(app)
    entries = [(h["actor"], h["action"], h["step"]) for h in app.reads.history(ref)]
    assert entries[1:] == [("zhang", "countersigned", "site_review"),
                           ("zhao2", "countersigned", "site_review"),
                           ("boss", "recommended", "site_review")]
    audit = app.reads.audit(case=ref)
    assert [a["action"] for a in audit].count("countersigned") == 2


def test_a_store_reopened_reads_the_same_progress(app: WorkflowApp) -> None:
    """The progress is the events' (the aggregate's and the cases view's alike)."""
    ref = applied(app)
    app.cases.approve(ref, "zhang", "同意")
    other = open_app(app.location)
    try:
        assert other.reads.show(ref)["countersign"]["signed"][0]["user"] == "zhang"
        assert ref in [r["id"] for r in other.reads.inbox("boss")]
    finally:
        other.close()
