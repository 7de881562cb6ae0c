"""Views projected from the stored records (projections/rawrebuild.py) are the event path's, row for row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from bzr_workflow.adapters import origin
from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.application.reads import views_of
from bzr_workflow.domain.case import Case
from bzr_workflow.projections import Views
from bzr_workflow.projections import rawrebuild
from bzr_workflow.projections import tables as t
from bzr_workflow.projections.catchup import catch_up, create_views, drop_views, make_engine
from bzr_workflow.projections.projector import Projector
from bzr_workflow.projections.rawrebuild import PATH_ENV, RecordProjector, upcast
from bzr_workflow.projections.viewcheck import compare_views
from guilin_org import make_org
from suzhou_year import make_year
from test_views import play, play_appraisal, snapshot

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, base64


NEXT = Case.Signed.class_version + 1  # a version the raw entry was not read for

def guilin_rich(app: WorkflowApp) -> WorkflowApp:
    """Recruitment signed, vetoed and returned; an appraisal scored twice and flagged; a
    flag cleared; a command from the web; a class changed and reclassified; a grant revoked; a profile changed
    and a person's data erased."""
    make_org(app)
    play(app)
    play_appraisal(app)
    app.appraisals.flag_veto("A-1", "zhang", "other", "已核实", clear=True)
    app.org.add_user("sun", "孙悦", [], "admin")
    app.org.add_class("kj3", "会计3班", "nanning", 40, "专升本", False, "admin")
    with origin.coming_from(origin.Origin("web", "s-1", "192.0.2.7")):
        ref = app.cases.recruit_apply("kj3", None, None, "网上申请", "sun")["id"]
        app.cases.approve(ref, "zhang", "可以")
    app.cases.withdraw(ref, "sun", "不申请了")
    app.org.update_class("kj1", 50, True, "2027-01-01", "admin")
    app.org.update_class("kj2", None, None, "2027-02-01", "admin", level="专科")
    app.org.update_user("chen", {"employment": "兼职", "name": "陈晓明二"}, "admin")
    app.org.revoke("chen", "advisor@nanning", "admin")
    app.org.erase_person("sun", "admin")
    return app


def suzhou_rich(app: WorkflowApp) -> WorkflowApp:
    """A Suzhou school year: recruitment, appraisals scored and published (公示), an objection
    lodged and resolved."""
    make_year(app)
    refs = {c["subject"]: c["id"] for c in app.reads.cases(kind="appraisal", reader="admin")}
    app.appraisals.lodge_objection(refs["zhou"], "liu", "分数有误")
    app.appraisals.resolve_objection(refs["zhou"], "o1", 1, False, "经核实无误")
    return app


def rebuilt(views: Views, path: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv(PATH_ENV, path)
    views.rebuild()
    return snapshot(views) | {"as stored": stored(views)}


def stored(views: Views) -> dict[str, list[tuple[Any, ...]]]:
    """Every view row as the driver gives it (no SQLAlchemy types: SQLite's text as written)."""
    with views.read() as conn:
        return {table.name: sorted((tuple(map(repr, row)) for row in conn.exec_driver_sql(
            f"SELECT * FROM {table.name}")), key=str) for table in t.VIEW_TABLES}


def same_both_ways(app: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilt through the event path, then from the records: the same rows; and
    compare_views, projecting afresh through the event path, finds every row it makes."""
    views = views_of(app)
    by_events = rebuilt(views, "events", monkeypatch)
    by_records = rebuilt(views, "records", monkeypatch)
    assert by_records == by_events
    monkeypatch.setenv(PATH_ENV, "events")
    position, rows = compare_views(views.engine, views.log, views.policy_of)
    assert position > 0 and rows > 50
    views.close()


def recorded(app: WorkflowApp) -> RecordProjector:
    """Every record of the store projected into fresh in-memory views; the projector, which
    counts what went which way."""
    views = views_of(app)
    engine = make_engine("sqlite://")
    create_views(engine)
    projector = Projector(None, views.policy_of)
    raw = RecordProjector(projector, views.log)
    with engine.begin() as conn:
        projector.begin(conn, 0)
        raw.project(views.log.select_records(0, 1_000_000))
        projector.flush()
    engine.dispose()
    views.close()
    return raw


@pytest.fixture
def guilin(db_url: str) -> Iterator[WorkflowApp]:
    app = guilin_rich(open_app(parse_location(db_url), create=True))
    yield app
    app.close()


def test_a_guilin_store_rebuilt_from_its_records_has_the_event_paths_rows(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    same_both_ways(guilin, monkeypatch)


def test_a_suzhou_year_rebuilt_from_its_records_has_the_event_paths_rows(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = suzhou_rich(open_app(parse_location(db_url), create=True))
    try:
        same_both_ways(app, monkeypatch)
    finally:
        app.close()


def test_an_encrypted_store_rebuilt_from_its_records_has_the_event_paths_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = guilin_rich(open_app(parse_location(str(tmp_path / "c.db"), KEY), create=True))
    try:
        raw = recorded(app)
        assert raw.raw > 40 and raw.events == 0
        same_both_ways(app, monkeypatch)
    finally:
        app.close()


def test_each_records_state_is_what_the_mapper_makes_of_it(guilin: WorkflowApp) -> None:
    log = views_of(guilin).log
    records = log.select_records(0, 1_000_000)
    assert len(records) > 60
    for position, originator, version, topic, stored in records:
        event = log.to_domain_event(StoredEvent(originator_id=UUID(originator),
                                                originator_version=version, topic=topic,
                                                state=stored))
        state = log.state_of(stored)
        upcast(type(event), state)
        assert {**state, "originator_id": UUID(originator),
                "originator_version": version} == vars(event), (position, topic)


def test_every_event_of_a_known_class_goes_from_its_record(guilin: WorkflowApp) -> None:
    raw = recorded(guilin)
    assert raw.events == 0 and raw.raw > 40 and raw.skipped > 0


def test_a_topic_without_a_raw_entry_goes_through_the_event_path(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(rawrebuild.RAW, Case.Signed)
    signed = sum(1 for r in views_of(guilin).log.select_records(0, 1_000_000)
                 if r[3] == Case.Signed.TOPIC)
    assert signed and recorded(guilin).events == signed
    same_both_ways(guilin, monkeypatch)


def test_a_class_version_the_raw_entry_was_not_read_for_goes_through_the_event_path(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Case.Signed, "class_version", NEXT, raising=False)
    monkeypatch.setattr(Case.Signed, f"upcast_v{NEXT - 1}_v{NEXT}",
                        staticmethod(lambda state: state.update(comment="（升级）")),
                        raising=False)
    raw = recorded(guilin)
    assert raw.events > 0
    same_both_ways(guilin, monkeypatch)


def test_an_event_stored_at_an_older_version_is_projected_as_its_upcast_makes_it(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Case.Signed, "class_version", NEXT, raising=False)
    monkeypatch.setattr(Case.Signed, f"upcast_v{NEXT - 1}_v{NEXT}",
                        staticmethod(lambda state: state.update(comment="（升级）")),
                        raising=False)
    monkeypatch.setitem(rawrebuild.RAW, Case.Signed, NEXT)
    raw = recorded(guilin)
    assert raw.events == 0
    views = views_of(guilin)
    rows = rebuilt(views, "records", monkeypatch)["bzr_decisions"]
    views.close()
    assert any("（升级）" in row for row in rows)
    same_both_ways(guilin, monkeypatch)


def approvals_rich(app: WorkflowApp) -> WorkflowApp:
    """The approval vocabulary: a deputy's sign-off, a take-back, a reassignment, a batch, a
    delegation revoked and the notices configured."""
    make_org(app)
    app.org.add_user("sun", "孙悦", [], "admin")
    made = app.delegations.give("zhang", "liu", "2000-01-01", "2099-12-31")
    first = app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"]
    app.cases.approve(first, "zhang", "同意")
    app.handovers.take_back(first, "zhang", "再核对")
    app.handovers.reassign(first, "admin", "zhao2", "张主任出差")
    app.cases.approve(first, "zhao2", "同意")
    second = app.cases.recruit_apply("kj2", None, None, "申请", "sun")["id"]
    app.cases.approve(second, "liu", "代为同意")
    app.delegations.revoke("zhang", str(made["id"]))
    assert len(app.batches.approve([second, first], "li", "同意").as_json()["signed"]) == 2
    app.notices.configure("127.0.0.1:25", "bzr@gxu.edu.cn", "", "", [], "", "admin")
    return app


def test_a_store_of_deputies_take_backs_reassignments_and_batches_rebuilds_alike(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = approvals_rich(open_app(parse_location(db_url), create=True))
    raw = recorded(app)
    assert raw.events == 0  # every one of its records went the records' way
    same_both_ways(app, monkeypatch)
    app.close()


def test_small_batches_from_the_records_give_the_rows_of_one_batch(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands cut by a batch boundary mark their decisions by an UPDATE, after the rows of
    the batch held so far are written."""
    views = views_of(guilin)
    whole = rebuilt(views, "records", monkeypatch)
    for size in (1, 2, 3, 7, 23):  # 23: the web sign-up's command cut from its case's opening
        drop_views(views.engine)
        create_views(views.engine)
        catch_up(views.log, views.engine, views.policy_of, batch=size)
        assert snapshot(views) | {"as stored": stored(views)} == whole, size
    assert any("web" in row for row in whole["bzr_decisions"])  # a command's provenance
    views.close()



def test_scored_events_go_the_one_lookup_way_while_their_handlers_are_those_it_does(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    assert recorded(guilin).fused
    monkeypatch.setattr(rawrebuild, "FUSED", ())  # as if a projection had taken Case.Scored up
    assert not recorded(guilin).fused


def test_kept_rows_read_through_the_driver_are_those_a_row_gives(
        guilin: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """BatchWriter.load on SQLite reads through the driver: each row as Kept.decoded makes it
    of SQLAlchemy's Row (datetimes, booleans and JSON decoded), value and type."""
    from sqlalchemy import select

    from bzr_workflow.projections import appraisals, cases
    from bzr_workflow.projections.batch import BatchWriter

    views = views_of(guilin)
    rebuilt(views, "records", monkeypatch)
    with views.engine.begin() as conn:
        for kept, column in ((cases.kept(), "case_id"), (appraisals.kept(), "ref")):
            writer = BatchWriter([kept])
            writer.begin(conn, False)
            table = kept.table
            values = [r[0] for r in conn.exec_driver_sql(f"SELECT {column} FROM {table.name}")]
            keys = writer.load(table, column, values + ["none such"])
            assert len(keys) == len(values) > 0
            for key in keys:
                found = kept.decoded(conn.execute(select(table)
                                                  .where(table.c[kept.key] == key)).one())
                held = writer.rows(table)[key]
                assert list(held) == list(found)
                assert [(type(v), v) for v in held.values()] == \
                    [(type(v), v) for v in found.values()]
    views.close()
