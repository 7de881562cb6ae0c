"""The aggregate cache (adapters/aggcache.py): views handed out copy-on-write, the cached master
never changed by a view, a refused command leaving the cache as it was, and other writers seen."""

from __future__ import annotations

from typing import Any

import pytest

from bzr_workflow.adapters.aggcache import is_shared
from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import WorkflowError
from bzr_workflow.domain.ids import case_id


def cached(app: WorkflowApp, ref: str) -> Any:
    return app.repository.cache.get(case_id(ref))


def test_a_view_that_only_reads_shares_the_masters_containers(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    first, second = app.case(ref), app.case(ref)
    assert first is not second and first.signers is second.signers and is_shared(first)


def test_a_change_to_a_view_never_reaches_the_cached_master(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    view = app.case(ref)
    before = dict(vars(cached(app, ref)))
    policy, wf, machine = app.case_rules(view)
    view.approve("zhang", app.user("zhang").grants, policy, wf, machine, "同意")
    assert view.signers and not cached(app, ref).signers
    assert vars(cached(app, ref)) == before and not is_shared(view)


def test_a_refused_command_leaves_the_cache_unchanged(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    app.cases.approve(ref, "zhang", "同意")
    before = dict(vars(cached(app, ref)))
    with pytest.raises(WorkflowError):
        app.cases.approve(ref, "zhang", "再签")  # the site head cannot approve for the college
    assert vars(cached(app, ref)) == before and app.case(ref).version == before["_version"]


def test_a_saved_case_becomes_the_master_and_its_object_copies_before_changing_again(
        app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    app.cases.approve(ref, "zhang", "同意")
    master = cached(app, ref)
    assert master.version == app.case(ref).version == len(app.events_of(case_id(ref)))


def test_events_stored_by_another_process_are_seen_by_the_next_command(app: WorkflowApp,
                                                                       db_url: str) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    app.case(ref)  # cached here
    other = open_app(parse_location(db_url))
    try:
        other.cases.approve(ref, "zhang", "同意")
    finally:
        other.close()
    assert app.case(ref).step == "college_approval"
    assert app.cases.approve(ref, "li", "同意")["step"] == "announce"
