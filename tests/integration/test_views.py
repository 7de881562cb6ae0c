"""The views: caught up before each read, identical after a rebuild, and as of a past instant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.case import Case
from bzr_workflow.application.reads import views_of
from bzr_workflow.projections import Views, queries
from bzr_workflow.projections.catchup import catch_up, create_views, drop_views
from bzr_workflow.projections.projector import Projector
from bzr_workflow.projections import tables as t


def snapshot(views: Views) -> dict[str, Any]:
    with views.read() as conn:
        return {table.name: sorted(tuple(map(str, row)) for row in conn.execute(select(table)))
                for table in t.VIEW_TABLES}


def play(app: WorkflowApp) -> list[str]:
    done = app.cases.recruit_apply("kj1", None, "2026-12-01", "", "chen")["id"]
    for who in ("zhang", "li", "wang"):
        app.cases.approve(done, who, "同意")
    vetoed = app.cases.recruit_apply("tm1", None, None, "", "liu")["id"]
    app.cases.veto(vetoed, "huang", "不符合条件")
    pending = app.cases.recruit_apply("kj2", None, None, "", "liu")["id"]
    app.cases.return_case(pending, "zhang", "补充材料")
    app.org.grant("chen", "advisor@nanning", "admin")
    return [done, vetoed, pending]


def play_appraisal(app: WorkflowApp) -> None:
    ref = app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li", True)[0]["id"]
    app.appraisals.score(ref, "zhang", ["political=18", "guidance=14"])
    app.appraisals.score(ref, "zhang", ["political=17"])
    app.appraisals.flag_veto(ref, "zhang", "other", "核查中")


def test_rebuild_gives_the_same_rows_as_incremental_catch_up(app: WorkflowApp) -> None:
    views = views_of(app)
    play(app)
    play_appraisal(app)
    incremental = snapshot(views)
    assert incremental["bzr_appraisals"]
    views.rebuild()
    assert snapshot(views) == incremental
    views.close()


def test_small_batches_give_the_same_rows_as_one_batch(app: WorkflowApp) -> None:
    """The projector keeps rows between batches and prefetches the cases a batch continues."""
    views = views_of(app)
    play(app)
    play_appraisal(app)
    whole = snapshot(views)
    for size in (1, 2, 7):
        drop_views(views.engine)
        create_views(views.engine)
        catch_up(views.log, views.engine, views.policy_of, batch=size)
        assert snapshot(views) == whole, size
    views.close()


def test_rows_kept_between_batches_are_dropped_when_someone_else_projected(
        app: WorkflowApp) -> None:
    """Rows kept from the last batch are only trusted if the views' position is still ours."""
    views = views_of(app)
    play_appraisal(app)
    views.rebuild()
    notes = list(app.recorder.select_notifications(start=None, limit=1000))
    events = [e for e in map(app.mapper.to_domain_event, notes) if type(e) is not Case.Opened]
    keeper = Projector(None, views.policy_of)
    with views.engine.begin() as conn:
        keeper.begin(conn, 0)
        keeper.prefetch(events)
        assert keeper.writer.rows(t.cases) and keeper.writer.rows(t.appraisals)
        keeper.position = notes[-1].id      # as if this projector had applied them
        keeper.begin(conn, notes[-1].id)    # nobody else moved the position: kept
        assert keeper.writer.rows(t.cases)
        keeper.begin(conn, notes[-1].id + 3)  # someone else projected: dropped
        assert not keeper.writer.rows(t.cases) and not keeper.writer.rows(t.appraisals)
    views.close()


def test_each_read_sees_the_callers_own_writes(app: WorkflowApp) -> None:
    views = views_of(app)
    with views.read() as conn:
        assert queries.cases(conn, "+08:00") == []
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    with views.read() as conn:
        assert [c["id"] for c in queries.cases(conn, "+08:00", state="open")] == [ref]
    views.close()


def test_returned_case_waits_only_in_the_applicants_inbox(app: WorkflowApp) -> None:
    views = views_of(app)
    *_, pending = play(app)
    with views.read() as conn:
        zhang = queries.inbox(conn, "zhang", [["site_head", "nanning"]], views.policy_of, "+08:00")
        liu = queries.inbox(conn, "liu", [], views.policy_of, "+08:00")
        huang = queries.inbox(conn, "huang", [["site_head", "liuzhou"]], views.policy_of, "+08:00")
    assert zhang == [] and huang == []
    assert [c["id"] for c in liu] == [pending]
    views.close()


def test_inbox_finds_cases_at_and_below_the_granted_unit_only(app: WorkflowApp) -> None:
    """The inbox filters by role and unit in SQL: a grant covers its unit and those below it."""
    views = views_of(app)
    app.org.add_unit("nn2", "南宁二部", "nanning", "admin")
    app.org.add_class("nn21", "二部1班", "nn2", 30, "专升本", False, "admin")
    site = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]      # nanning
    below = app.cases.recruit_apply("nn21", None, None, "", "liu")["id"]     # nanning/nn2
    other = app.cases.recruit_apply("tm1", None, None, "", "liu")["id"]      # liuzhou

    def inbox(login: str, grants: list[list[str]]) -> list[str]:
        with views.read() as conn:
            return sorted(c["id"] for c in queries.inbox(conn, login, grants, views.policy_of,
                                                         "+08:00"))
    assert inbox("zhang", [["site_head", "nanning"]]) == sorted([site, below])
    assert inbox("x", [["site_head", "nn2"]]) == [below]
    assert inbox("boss", [["site_head", "ce"]]) == sorted([site, below, other])
    assert inbox("huang", [["site_head", "liuzhou"]]) == [other]
    assert inbox("y", [["site_head", ""]]) == sorted([site, below, other])
    assert inbox("z", [["ce_college", "nanning"]]) == []  # not this step's role
    assert inbox("chen", [["site_head", "nanning"]]) == [below]  # not one's own case
    views.close()


def test_views_made_under_an_older_schema_are_rebuilt_with_the_same_rows(
        app: WorkflowApp) -> None:
    from sqlalchemy import delete, inspect

    from bzr_workflow.projections.catchup import SCHEMA_KEY

    views = views_of(app)
    play(app)
    before = snapshot(views)
    with views.engine.begin() as conn:  # as a store whose views predate the schema row
        conn.execute(delete(t.position).where(t.position.c.name == SCHEMA_KEY))
        conn.exec_driver_sql("DROP INDEX ix_bzr_cases_state_opened")
    again = views_of(app)
    assert snapshot(again) == before
    names = {i["name"] for i in inspect(again.engine).get_indexes("bzr_cases")}
    assert "ix_bzr_cases_state_opened" in names
    views.close()
    again.close()


def test_audit_filters_by_actor_and_case(app: WorkflowApp) -> None:
    views = views_of(app)
    done, vetoed, _ = play(app)
    with views.read() as conn:
        by_li = queries.audit(conn, "+08:00", actor="li")
        on_vetoed = queries.audit(conn, "+08:00", case=vetoed)
        grants = [e for e in queries.audit(conn, "+08:00", actor="admin") if e["action"] == "granted"]
    assert [(e["case"], e["action"]) for e in by_li] == [(done, "approved")]
    assert [e["action"] for e in on_vetoed] == ["applied", "vetoed"]
    assert ("user:chen", "advisor@nanning") in [(e["target"], e["comment"]) for e in grants]
    views.close()


def test_views_as_of_an_instant_show_the_past(app: WorkflowApp) -> None:
    from datetime import UTC, datetime

    views = views_of(app)
    ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
    before = datetime.now(UTC)
    app.cases.approve(ref, "zhang", "")
    with views.read(as_of=before) as conn:
        [then] = queries.cases(conn, "+08:00")
    with views.read() as conn:
        [now] = queries.cases(conn, "+08:00")
    assert (then["step"], now["step"]) == ("site_review", "college_approval")
    views.close()


def test_appointments_view_lists_the_published_advisor(app: WorkflowApp) -> None:
    views = views_of(app)
    done, *_ = play(app)
    with views.read() as conn:
        rows = queries.appointments(conn)
    assert [(r["advisor"], r["class"], r["start"], r["state"], r["case"]) for r in rows] == [
        ("chen", "kj1", "2026-12-01", "active", done)]
    views.close()
