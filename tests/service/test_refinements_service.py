"""Unit refinements in a store: cases in the unit follow them, others and older cases do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.errors import BadInput, RuleRefused
from bzr_workflow.domain.policy_file import PolicyInvalid

REFINEMENT = str(Path(__file__).parents[1] / "policies" / "refinements" / "nanning-extra-review.toml")


def labels(app: WorkflowApp, ref: str) -> str | None:
    return app.reads.show(ref)["step_label"]


def test_a_case_in_the_refined_unit_follows_the_units_pipeline(app: WorkflowApp) -> None:
    app.org.refine_policy(REFINEMENT, "admin")
    app.org.add_user("reg", "教务员", ["site_registrar@nanning"], "admin")
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    assert labels(app, ref) == "教学点教务初审"
    for who in ("reg", "zhang", "li", "wang"):
        app.cases.approve(ref, who, "同意")
    assert [h["action"] for h in app.reads.history(ref)][1:] == ["checked", "recommended", "approved",
                                                            "published"]


def test_a_case_in_another_unit_keeps_the_institutions_pipeline(app: WorkflowApp) -> None:
    app.org.refine_policy(REFINEMENT, "admin")
    ref = app.cases.recruit_apply("tm1", None, None, "", "chen")["id"]
    assert labels(app, ref) == "推荐单位审核"


def test_a_case_opened_before_the_refinement_keeps_its_rules(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    app.org.refine_policy(REFINEMENT, "admin")
    app.cases.approve(ref, "zhang", "")
    assert labels(app, ref) == "继续教育学院审批"


def test_a_withdrawn_refinement_no_longer_applies(app: WorkflowApp) -> None:
    app.org.refine_policy(REFINEMENT, "admin")
    app.org.clear_refinement("nanning", "admin")
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    assert labels(app, ref) == "推荐单位审核"
    with pytest.raises(RuleRefused, match="no refinement"):
        app.org.clear_refinement("nanning", "admin")


def test_a_units_own_role_is_granted_only_where_its_refinement_holds(app: WorkflowApp) -> None:
    app.org.refine_policy(REFINEMENT, "admin")
    app.org.grant("chen", "site_registrar@nanning", "admin")
    with pytest.raises(BadInput, match="unknown role 'site_registrar'"):
        app.org.grant("liu", "site_registrar@liuzhou", "admin")


def test_a_new_version_that_breaks_a_refinement_is_refused(app: WorkflowApp, tmp_path: Path) -> None:
    from bzr_workflow.policies import builtin_text

    app.org.refine_policy(REFINEMENT, "admin")
    text = (builtin_text("guilin-ut-ce-2024") or "").replace('id = "site_head"', 'id = "site_lead"')
    text = text.replace('role = "site_head"', 'role = "site_lead"')
    text = text.replace('opened_by = "site_head"', 'opened_by = "site_lead"')
    changed = tmp_path / "v2.toml"
    changed.write_text(text, "utf-8")
    with pytest.raises(PolicyInvalid, match="unit nanning's refinement"):
        app.org.adopt_policy(str(changed), "admin")


def test_views_show_the_refined_step_labels(app: WorkflowApp) -> None:
    from bzr_workflow.application.reads import views_of
    from bzr_workflow.projections import queries

    app.org.refine_policy(REFINEMENT, "admin")
    app.org.add_user("reg", "教务员", ["site_registrar@nanning"], "admin")
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    views = views_of(app)
    with views.read() as conn:
        inbox = queries.inbox(conn, "reg", [["site_registrar", "nanning"]], views.policy_of,
                              "+08:00")
    views.rebuild()
    with views.read() as conn:
        again = queries.inbox(conn, "reg", [["site_registrar", "nanning"]], views.policy_of,
                              "+08:00")
    views.close()
    assert [(c["id"], c["step_label"]) for c in inbox] == [(ref, "教学点教务初审")]
    assert again == inbox


def test_an_opened_event_stored_before_refinements_reads_back_with_none(app: WorkflowApp) -> None:
    import json as _json

    from eventsourcing.persistence import StoredEvent

    app.cases.recruit_apply("kj1", None, None, "", "chen")
    [note] = [n for n in app.recorder.select_notifications(start=None, limit=1000)
              if n.topic == "bzr.case.opened"]
    state = _json.loads(note.state)
    del state["refinement"], state["class_version"]
    old = StoredEvent(originator_id=note.originator_id, originator_version=note.originator_version,
                      topic=note.topic, state=_json.dumps(state).encode())
    assert app.mapper.to_domain_event(old).refinement == 0
