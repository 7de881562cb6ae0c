"""Every command records where it came from (the CLI, or a web session and address), in the log
right after what it decided; the audit shows it, whatever the views' batch boundaries."""

from __future__ import annotations

from bzr_workflow.application import WorkflowApp
from bzr_workflow.application.reads import views_of
from bzr_workflow.adapters.origin import CLI, Origin, coming_from
from bzr_workflow.projections import queries
from bzr_workflow.projections.catchup import catch_up, create_views, drop_views

WEB = Origin("web", "s-1f2e", "10.20.30.40")


def test_a_web_command_records_its_session_and_address(app: WorkflowApp) -> None:
    with coming_from(WEB):
        ref = app.cases.recruit_apply("kj1", "chen", None, "本人申请", "chen")["id"]
    with coming_from(CLI):
        app.cases.approve(ref, "zhang", "同意")
    rows = app.reads.audit(case=ref)
    assert [(r["via"], r["session"], r["address"]) for r in rows] == [
        ("web", "s-1f2e", "10.20.30.40"), ("cli", None, None)]


def test_a_command_without_an_interface_records_no_provenance(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", "chen", None, "本人申请", "chen")["id"]
    assert [r["via"] for r in app.reads.audit(case=ref)] == [None]


def test_provenance_reaches_rows_a_batch_boundary_cut_off(sqlite_app: WorkflowApp) -> None:
    with coming_from(WEB):
        refs = [sqlite_app.cases.recruit_apply(k, c, None, "申请", c)["id"]
                for k, c in (("kj1", "chen"), ("tm1", "liu"))]
        sqlite_app.cases.approve(refs[0], "zhang", "同意")
    views = views_of(sqlite_app)
    for size in (2, 3, 5):  # every cut between a command's events and its record
        drop_views(views.engine)
        create_views(views.engine)
        catch_up(views.log, views.engine, views.policy_of, batch=size)
        with views.engine.connect() as conn:
            rows = queries.audit(conn, "+08:00")
        mine = [r for r in rows if r["case"] in refs]
        assert mine and all(r["via"] == "web" and r["address"] == "10.20.30.40"
                            for r in mine), size
    views.close()
