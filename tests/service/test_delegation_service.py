"""Delegation while away (代理) on a real SQLite file and a real PostgreSQL database: a deputy signs for a holder within dates, role and kind, never about themselves, never twice, never passed on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.case import Case
from bzr_workflow.domain.errors import BadInput, NotPermitted, SeparationOfDuties

TODAY = "2026-12-07"


def at(app: WorkflowApp, day: str) -> None:
    moment = datetime.fromisoformat(f"{day}T04:00:00+00:00").astimezone(UTC)
    app.clock = lambda: moment  # type: ignore[method-assign]


@pytest.fixture
def store(app: WorkflowApp) -> WorkflowApp:
    at(app, TODAY)
    return app


def apply(app: WorkflowApp, candidate: str = "chen", klass: str = "kj1") -> str:
    return str(app.cases.recruit_apply(klass, None, None, "申请", candidate)["id"])


def delegate(app: WorkflowApp, holder: str, deputy: str, start: str = "2026-12-01",
             until: str = "2026-12-10", **kw: str) -> str:
    return str(app.delegations.give(holder, deputy, start, until, **kw)["id"])


def test_a_deputy_inside_the_window_signs_for_the_holder(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "liu")
    store.cases.approve(ref, "liu", "代为同意")
    signed = [e for e in store.reads.history(ref) if e["action"] != "applied"][-1]
    assert (signed["actor"], signed["on_behalf_of"], signed["step"]) == \
        ("liu", "zhang", "site_review")


def test_the_audit_says_for_whom_a_deputy_signed(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "liu")
    store.cases.approve(ref, "liu", "")
    rows = store.reads.audit(case=ref)
    assert [(r["actor"], r["on_behalf_of"], r["on_behalf_of_name"]) for r in rows][-1] == \
        ("liu", "zhang", "张建国")


def test_a_deputy_is_refused_before_the_window(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "liu", "2026-12-08", "2026-12-10")
    with pytest.raises(NotPermitted, match="runs from 2026-12-08 to 2026-12-10; today is 2026-12-07"):
        store.cases.approve(ref, "liu", "")


def test_a_deputy_is_refused_after_the_window(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "liu", "2026-12-01", "2026-12-07")
    at(store, "2026-12-08")
    with pytest.raises(NotPermitted, match="runs from 2026-12-01 to 2026-12-07; today is 2026-12-08"):
        store.cases.approve(ref, "liu", "")


def test_a_deputy_is_refused_after_revocation(store: WorkflowApp) -> None:
    ref = apply(store)
    store.delegations.revoke("zhang", delegate(store, "zhang", "liu"))
    with pytest.raises(NotPermitted, match="was revoked by zhang"):
        store.cases.approve(ref, "liu", "")


def test_a_deputy_never_signs_a_case_about_themselves(store: WorkflowApp) -> None:
    ref = apply(store, "chen")
    delegate(store, "zhang", "chen")
    with pytest.raises(SeparationOfDuties, match="chen is the subject or applicant"):
        store.cases.approve(ref, "chen", "")


def test_the_holder_counts_as_the_signer_of_the_level_the_deputy_signed(
        store: WorkflowApp) -> None:
    store.org.grant("zhang", "ce_college", "admin")
    ref = apply(store)
    delegate(store, "zhang", "liu")
    store.cases.approve(ref, "liu", "")
    with pytest.raises(SeparationOfDuties, match="zhang already acted at"):
        store.cases.approve(ref, "zhang", "")


def test_the_deputy_counts_too_and_may_not_sign_another_level_in_their_own_right(
        store: WorkflowApp) -> None:
    store.org.grant("liu", "ce_college", "admin")
    ref = apply(store)
    delegate(store, "zhang", "liu")
    store.cases.approve(ref, "liu", "")
    with pytest.raises(SeparationOfDuties, match="liu already acted at"):
        store.cases.approve(ref, "liu", "")


def test_a_deputy_who_signed_a_level_may_not_sign_another_for_a_holder(
        store: WorkflowApp) -> None:
    ref = apply(store)
    store.cases.approve(ref, "zhang", "")  # zhang signs the site's level in his own right
    delegate(store, "li", "zhang")
    with pytest.raises(SeparationOfDuties, match="zhang already acted at .* for themselves or "
                                                 "for li"):
        store.cases.approve(ref, "zhang", "")


def test_a_delegation_for_another_kind_lends_nothing_here(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "liu", kind="appraisal")
    with pytest.raises(NotPermitted, match="may not read"):
        store.cases.approve(ref, "liu", "")


def test_a_delegation_of_one_role_lends_only_that_role(store: WorkflowApp) -> None:
    store.org.grant("zhang", "ce_college", "admin")
    ref = apply(store)
    delegate(store, "zhang", "liu", role="ce_college")
    with pytest.raises(NotPermitted):
        store.cases.approve(ref, "liu", "")
    store.cases.approve(ref, "zhao2", "")
    store.cases.approve(ref, "liu", "")
    assert store.reads.history(ref)[-1]["on_behalf_of"] == "zhang"


def test_a_deputy_cannot_pass_on_what_they_hold_only_by_delegation(store: WorkflowApp) -> None:
    delegate(store, "zhang", "liu")
    with pytest.raises(NotPermitted, match="holds no role of their own"):
        delegate(store, "liu", "chen")


def test_a_deputy_delegating_passes_on_only_their_own_grants(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "huang")  # huang heads Liuzhou, not Nanning
    delegate(store, "huang", "liu")
    with pytest.raises(NotPermitted, match="may not read"):
        store.cases.approve(ref, "liu", "")


def test_their_own_right_wins_over_a_delegation(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "zhao2")
    store.cases.approve(ref, "zhao2", "")
    assert store.reads.history(ref)[-1]["on_behalf_of"] is None


def test_of_several_holders_the_delegation_given_first_is_used(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhao2", "liu")
    delegate(store, "zhang", "liu")
    store.cases.approve(ref, "liu", "")
    assert store.reads.history(ref)[-1]["on_behalf_of"] == "zhao2"


def test_a_deputy_may_return_and_veto_for_the_holder(store: WorkflowApp) -> None:
    first, second = apply(store, "chen"), apply(store, "liu", "kj2")
    delegate(store, "zhang", "huang")
    store.cases.return_case(first, "huang", "材料不全")
    store.cases.veto(second, "huang", "不符合条件")
    assert [store.reads.history(r)[-1]["on_behalf_of"] for r in (first, second)] == \
        ["zhang", "zhang"]


def test_the_deputys_inbox_has_the_holders_cases_marked(store: WorkflowApp) -> None:
    ref = apply(store)
    delegate(store, "zhang", "liu")
    rows = store.reads.inbox("liu")
    assert [(r["id"], r.get("on_behalf_of")) for r in rows] == [(ref, "zhang")]


def test_the_deputys_inbox_leaves_out_a_case_about_themselves(store: WorkflowApp) -> None:
    apply(store, "liu")
    delegate(store, "zhang", "liu")
    assert store.reads.inbox("liu") == []


def test_the_list_shows_what_one_gave_and_received(store: WorkflowApp) -> None:
    delegate(store, "zhang", "liu")
    delegate(store, "li", "chen", "2026-12-08", "2026-12-09")
    assert [(d["id"], d["state"]) for d in store.delegations.listing("liu")] == \
        [("DG-1", "active")]
    assert [d["id"] for d in store.delegations.listing("zhang")] == ["DG-1"]
    assert [(d["id"], d["state"]) for d in store.delegations.listing("admin")] == \
        [("DG-1", "active"), ("DG-2", "upcoming")]
    assert store.delegations.listing("huang") == []


def test_only_the_holder_or_an_administrator_revokes(store: WorkflowApp) -> None:
    first, second = delegate(store, "zhang", "liu"), delegate(store, "li", "liu")
    with pytest.raises(NotPermitted, match="only its holder zhang or an administrator"):
        store.delegations.revoke("liu", first)
    assert store.delegations.revoke("admin", first)["revoked_by"] == "admin"
    assert store.delegations.revoke("li", second)["state"] == "revoked"


def test_an_administrator_sets_one_up_for_an_absent_holder(store: WorkflowApp) -> None:
    made = store.delegations.give("admin", "liu", "2026-12-01", "2026-12-10", holder="zhang")
    assert (made["holder"], made["given_by"]) == ("zhang", "admin")
    with pytest.raises(NotPermitted, match="only an administrator"):
        store.delegations.give("li", "liu", "2026-12-01", "2026-12-10", holder="zhang")


@pytest.mark.parametrize("start,until,to,message", [
    ("2026-12-10", "2026-12-01", "liu", "ends"),
    ("2026-11-01", "2026-11-30", "liu", "over already"),
    ("2026-12-01", "2026-12-10", "zhang", "themselves"),
    ("2026-12-01", "soon", "liu", "not a date"),
])
def test_bad_terms_are_bad_input(store: WorkflowApp, start: str, until: str, to: str,
                                 message: str) -> None:
    with pytest.raises(BadInput, match=message):
        store.delegations.give("zhang", to, start, until)


def test_a_delegation_is_in_the_audit(store: WorkflowApp) -> None:
    delegate(store, "zhang", "liu", role="site_head")
    row = store.reads.audit(actor="zhang")[-1]
    assert (row["action"], row["target"], row["comment"]) == \
        ("delegated", "delegation:DG-1", "zhang → liu, 2026-12-01..2026-12-10, role site_head")


def test_a_decision_recorded_before_delegation_reads_as_made_for_nobody() -> None:
    state = {"actor": "zhang"}
    Case.Signed.upcast_v1_v2(state)
    assert state == {"actor": "zhang", "on_behalf_of": ""}
