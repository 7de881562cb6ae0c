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


def unseen_calls(app: WorkflowApp) -> list[int]:
    calls: list[int] = []
    before = app.repository.on_unseen
    assert before is not None

    def counted() -> None:
        calls.append(1)
        before()

    app.repository.on_unseen = counted
    return calls


def test_a_command_starting_while_another_thread_saves_knows_the_save_for_its_own(
        app: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between a save's commit and its report to the cache another thread's command may start:
    the events it then finds are this process's own, so the person keys stay held."""
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    app.case(ref)
    calls = unseen_calls(app)
    repository, report = app.repository, app.repository.saved

    def another_command_first(*args: Any) -> None:
        repository.sync()  # what another thread's command does when it starts
        report(*args)

    monkeypatch.setattr(repository, "saved", another_command_first)
    app.cases.approve(ref, "zhang", "同意")
    monkeypatch.undo()
    assert calls == []
    assert app.cases.approve(ref, "li", "同意")["step"] == "announce"


def test_saves_reported_out_of_order_move_the_position_over_both(app: WorkflowApp) -> None:
    repository = app.repository
    app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")
    repository.sync()
    at = repository._current_at
    assert at is not None
    repository.saved([], [at + 2, at + 3], set())  # a later commit reported first
    assert repository._current_at == at
    repository.saved([], [at + 1], set())
    assert repository._current_at == at + 3


def test_a_save_reported_late_never_replaces_a_newer_master(app: WorkflowApp) -> None:
    ref = app.cases.recruit_apply("kj1", None, None, "本人申请", "chen")["id"]
    older = app.case(ref)
    app.cases.approve(ref, "zhang", "同意")
    newer = cached(app, ref).version
    app.repository.saved([older], [None], set())
    assert cached(app, ref).version == newer > older.version
